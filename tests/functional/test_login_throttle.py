"""Login, code, registration and reset limits: counted in the shared store (the database
here), per account and per address, failures only, with one message for every case."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from lms.auth.models import PasswordResetToken, ThrottleCounter, User
from lms.domain import throttle as limits
from lms.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_user

WRONG = "not the password"


def attempt(client, login_name, password=WRONG, address="10.0.0.1"):
    return client.post("/login", data={"login": login_name, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_lock_the_account_with_a_clear_message(client):
    user = make_user(None)
    codes = [attempt(client, user.email).status_code for _ in range(limits.ACCOUNT_LOGIN.free + 2)]
    assert codes == [200] * limits.ACCOUNT_LOGIN.free + [429, 429]
    refused = attempt(client, user.email, PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and "Too many attempts. Wait 1 min" in refused.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_the_lock_message_is_the_same_for_an_unknown_account(app):
    user = make_user(None)
    known, unknown = app.test_client(), app.test_client()
    for _ in range(limits.ACCOUNT_LOGIN.free):
        attempt(known, user.email)
        attempt(unknown, "nobody@example.org", address="10.0.0.2")
    known_page = attempt(known, user.email)
    unknown_page = attempt(unknown, "nobody@example.org", address="10.0.0.2")
    assert known_page.status_code == unknown_page.status_code == 429
    assert _errors(known_page) == _errors(unknown_page) == [
        "Too many attempts. Wait 1 min and try again, or ask your hub coordinator."]


def _errors(response) -> list[str]:
    import re

    return re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))


def test_the_lock_grows_with_further_failures():
    policy = limits.ACCOUNT_LOGIN
    seconds = [limits.lock_seconds(policy, n) for n in range(policy.free - 1, policy.free + 8)]
    assert seconds[0] == 0 and seconds[1] == policy.first_lock and seconds[2] == 2 * policy.first_lock
    assert seconds == sorted(seconds) and seconds[-1] == policy.max_lock


def test_fifteen_wrong_passwords_across_two_workers_are_limited(make_app):
    """Two app objects on one database stand for two gunicorn workers (or two servers):
    an in-process counter would let each allow its own five."""
    worker_a, worker_b = make_app(), make_app()
    user = make_user(None)
    clients = [worker_a.test_client(), worker_b.test_client()]
    codes = [attempt(clients[n % 2], user.email).status_code for n in range(15)]
    assert codes.count(200) == limits.ACCOUNT_LOGIN.free and codes[limits.ACCOUNT_LOGIN.free:] == [429] * 10


def test_wrong_passwords_sent_at_once_are_still_counted(make_app):
    """Sent in parallel (threads standing for workers): the count is one atomic statement,
    so no more than the free tries plus the ones already in flight reach the password check."""
    from concurrent.futures import ThreadPoolExecutor

    app = make_app()
    user = make_user(None)

    def one(_n):
        with app.app_context():
            return attempt(app.test_client(), user.email).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(one, range(15)))
    assert codes.count(200) <= limits.ACCOUNT_LOGIN.free + 1 and codes.count(429) >= 9


def test_eleven_good_logins_from_one_address_are_allowed(app):
    """A school lab: everyone shares one address, and successful logins are not counted."""
    users = [make_user(None, email=f"pupil{n}@example.org") for n in range(11)]
    for user in users:
        client = app.test_client()
        response = attempt(client, user.email, PASSWORD)
        assert response.status_code == 302, user.email
    assert db.session.scalar(select(func.count()).select_from(ThrottleCounter)) == 0


def test_a_good_login_clears_the_accounts_count_but_not_the_addresses(client):
    user = make_user(None)
    for _ in range(limits.ACCOUNT_LOGIN.free - 1):
        attempt(client, user.email)
    assert attempt(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")
    codes = [attempt(client, user.email).status_code for _ in range(limits.ACCOUNT_LOGIN.free - 1)]
    assert codes == [200] * (limits.ACCOUNT_LOGIN.free - 1)
    address_rows = db.session.scalar(select(ThrottleCounter.events).where(ThrottleCounter.key.like("login-address:%")))
    assert address_rows == 2 * (limits.ACCOUNT_LOGIN.free - 1)


def test_many_failures_from_one_address_lock_that_address_only(client):
    for n in range(limits.ADDRESS_LOGIN.free):
        attempt(client, f"guess{n}@example.org", address="10.9.9.9")
    user = make_user(None)
    assert attempt(client, user.email, PASSWORD, address="10.9.9.9").status_code == 429
    assert attempt(client, user.email, PASSWORD, address="10.9.9.10").status_code == 302


def test_the_counter_stores_no_email_or_address(client):
    attempt(client, "private.person@example.org", address="10.1.2.3")
    keys = " ".join(db.session.scalars(select(ThrottleCounter.key)))
    assert "private" not in keys and "10.1.2.3" not in keys and "login-account:" in keys


def test_wrong_two_factor_codes_lock_the_code_step(app):
    secret = pyotp.random_base32()
    user = make_user(None, roles=("coordinator",))
    user.totp_secret = secret
    db.session.commit()
    client = app.test_client()
    attempt(client, user.email, PASSWORD)
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    codes = [client.post("/login/code", data={"code": wrong}).status_code for _ in range(limits.ACCOUNT_CODE.free)]
    assert codes == [200] * limits.ACCOUNT_CODE.free
    assert client.post("/login/code", data={"code": right}).status_code == 429
    assert client.get("/dashboard").status_code == 302


def test_registration_is_limited_per_address(app, hub):
    data = {"name": "Many", "email": "many@example.org", "hub_id": str(hub.id), "locale": "en",
            "password": "a long enough phrase", "confirm": "a long enough phrase"}
    make_user(hub, email="many@example.org")  # taken: the same answer, and no new account each time
    client = app.test_client()
    codes = [client.post("/register", data=data, environ_base={"REMOTE_ADDR": "10.5.5.5"}).status_code
             for _ in range(limits.ADDRESS_REGISTER.free + 1)]
    assert codes[:limits.ADDRESS_REGISTER.free] == [302] * limits.ADDRESS_REGISTER.free
    assert codes[-1] == 429
    other = client.post("/register", data={**data, "email": "other@example.org"}, environ_base={"REMOTE_ADDR": "10.5.5.6"})
    assert other.status_code == 302
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_reset_requests_are_limited_per_account_and_address(make_app, monkeypatch):
    from tests.factories import make_hub

    app = make_app(MAIL_SERVER="127.0.0.1")  # with mail, each allowed request makes a link
    monkeypatch.setattr("lms.auth.routes.send_mail", lambda to, subject, body: True)
    make_user(make_hub(), email="known@example.org")
    client = app.test_client()
    codes = [client.post("/reset", data={"login": "known@example.org"}).status_code
             for _ in range(limits.ACCOUNT_RESET.free + 1)]
    assert codes == [302] * limits.ACCOUNT_RESET.free + [429]
    assert db.session.scalar(select(func.count(PasswordResetToken.id))) == limits.ACCOUNT_RESET.free
    unknown = [client.post("/reset", data={"login": "nobody@example.org"}).status_code
               for _ in range(limits.ACCOUNT_RESET.free + 1)]
    assert unknown == codes  # an unknown account answers alike


def test_lock_ends_when_its_time_is_up(client):
    user = make_user(None)
    for _ in range(limits.ACCOUNT_LOGIN.free):
        attempt(client, user.email)
    row = db.session.scalar(select(ThrottleCounter).where(ThrottleCounter.key.like("login-account:%")))
    assert row.locked_until is not None
    from datetime import timedelta

    row.locked_until -= timedelta(seconds=limits.ACCOUNT_LOGIN.first_lock + 1)
    db.session.commit()
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_logins_are_logged_without_passwords(client, caplog):
    import logging

    user = make_user(None)
    with caplog.at_level(logging.INFO, logger="lms.security"):
        attempt(client, user.email)
        for _ in range(limits.ACCOUNT_LOGIN.free):
            attempt(client, user.email)
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("login.failed") and "ip=10.0.0.1" in line for line in lines)
    assert any(line.startswith("login.lockout") for line in lines)
    assert any(line.startswith("login.refused_locked") for line in lines)
    assert not any(WRONG in line or PASSWORD in line for line in lines)
    caplog.clear()
    other = make_user(None)
    with caplog.at_level(logging.INFO, logger="lms.security"):
        login(client, other)
    assert any(r.getMessage() == f"login.ok user={other.id} ip=127.0.0.1" for r in caplog.records)


def _redis_answers() -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_redis_store_counts_across_workers(make_app):
    import redis

    uri = "redis://127.0.0.1:6379/14"
    redis.Redis.from_url(uri).flushdb()
    worker_a, worker_b = make_app(THROTTLE_STORAGE_URI=uri), make_app(THROTTLE_STORAGE_URI=uri)
    user = make_user(None)
    clients = [worker_a.test_client(), worker_b.test_client()]
    codes = [attempt(clients[n % 2], user.email).status_code for n in range(8)]
    assert codes == [200] * limits.ACCOUNT_LOGIN.free + [429] * 3
    assert db.session.scalar(select(func.count()).select_from(ThrottleCounter)) == 0  # all in Redis
    assert attempt(clients[0], user.email, PASSWORD, address="10.0.0.3").status_code == 429
    redis.Redis.from_url(uri).flushdb()
