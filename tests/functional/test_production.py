"""The app as it runs in production: one public address, behind a proxy, over HTTPS,
with two-factor for staff, request ids in the logs and private files."""

from __future__ import annotations

import io
import logging
import os
import re
import stat

import pyotp
import pytest
from flask import url_for

from lms import create_app
from lms.auth.models import User
from lms.extensions import db
from tests.conftest import PG_URL, login
from tests.factories import PASSWORD, make_user

PUBLIC = "https://learn.example.kz"


@pytest.fixture
def public_app(make_app):
    """Configured as docs/deploy.md says: the public address, nginx as the one proxy, a mail
    server (tests replace the sending itself)."""
    return make_app(PUBLIC_URL=PUBLIC, PROXY_FIX_HOPS=1, MAIL_SERVER="127.0.0.1")


def through_nginx(**headers) -> dict:
    return {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", **headers}


def test_reset_request_with_a_forged_host_is_refused_and_mails_nothing(public_app, monkeypatch):
    sent = []
    monkeypatch.setattr("lms.auth.routes.send_mail", lambda to, subject, body: sent.append(body))
    make_user(None, email="victim@example.org")
    client = public_app.test_client()
    forged = client.post("/reset", data={"login": "victim@example.org"}, base_url="https://evil.example",
                         headers=through_nginx(Referer="https://evil.example/reset"))
    assert forged.status_code == 400 and sent == []


def test_reset_link_in_the_mail_uses_the_public_address(public_app, monkeypatch):
    sent = []
    monkeypatch.setattr("lms.auth.routes.send_mail", lambda to, subject, body: sent.append(body))
    make_user(None, email="victim@example.org")
    client = public_app.test_client()
    # gunicorn hears plain HTTP from nginx; the link still says https://learn.example.kz
    response = client.post("/reset", data={"login": "victim@example.org"}, base_url="http://learn.example.kz")
    assert response.status_code == 302
    assert len(sent) == 1 and re.search(r"https://learn\.example\.kz/reset/[\w-]{40,}", sent[0]), sent


def test_links_for_certificates_and_credentials_use_the_public_address(public_app):
    with public_app.test_request_context("/", base_url="http://learn.example.kz"):
        assert url_for("certificates.verify", code="AB12", _external=True) == PUBLIC + "/verify/AB12"
        assert url_for("main.index", _external=True) == PUBLIC + "/"
    with public_app.app_context():  # the CLI (reset links for new accounts) outside a request
        assert url_for("auth.reset_with_token", token="t", _external=True) == PUBLIC + "/reset/t"


def test_requests_for_another_host_are_refused(public_app):
    client = public_app.test_client()
    assert client.get("/", base_url="https://evil.example").status_code == 400
    assert client.get("/healthz", base_url="https://learn.example.kz").status_code == 200


def test_public_url_must_be_an_origin(make_app):
    from lms.public_url import PublicUrlError

    for bad in ("learn.example.kz", "ftp://learn.example.kz", "https://learn.example.kz/lms", "https://u:p@x.kz"):
        with pytest.raises(PublicUrlError):
            make_app(PUBLIC_URL=bad)


def test_proxy_headers_are_ignored_unless_configured(make_app):
    app = make_app(PUBLIC_URL=PUBLIC)  # PROXY_FIX_HOPS 0: nobody's word is taken
    seen = {}

    @app.get("/_probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    app.test_client().get("/_probe", base_url="http://learn.example.kz", headers=through_nginx())
    assert seen == {"addr": "127.0.0.1", "secure": False}


def test_proxy_headers_are_believed_from_the_configured_proxy(public_app):
    seen = {}

    @public_app.get("/_probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    response = public_app.test_client().get("/_probe", base_url="http://learn.example.kz", headers=through_nginx())
    assert seen == {"addr": "203.0.113.7", "secure": True}
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_csrf_over_https_accepts_a_same_origin_form_and_refuses_a_missing_referer(public_app):
    user = make_user(None)
    client = public_app.test_client()
    page = client.get("/login", base_url="http://learn.example.kz", headers=through_nginx())
    # The browser keeps sending the Referer to the site itself under this policy.
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {"login": user.email, "password": PASSWORD, "csrf_token": token}
    no_referer = client.post("/login", data=form, base_url="http://learn.example.kz", headers=through_nginx())
    assert no_referer.status_code == 400
    elsewhere = client.post("/login", data=form, base_url="http://learn.example.kz",
                            headers=through_nginx(Referer="https://evil.example/login"))
    assert elsewhere.status_code == 400
    same_site = client.post("/login", data=form, base_url="http://learn.example.kz",
                            headers=through_nginx(Referer=PUBLIC + "/login"))
    assert same_site.status_code == 302
    assert "Secure" in same_site.headers["Set-Cookie"]


def test_session_cookie_is_secure_with_an_https_public_address(public_app):
    assert public_app.config["SESSION_COOKIE_SECURE"] is True


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_each_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    # Without a configured proxy a client cannot choose the id that lands in the logs.
    assert client.get("/healthz", headers={"X-Request-ID": "chosen-by-client"}).headers["X-Request-ID"] != "chosen-by-client"


def test_the_proxys_request_id_is_kept(public_app):
    response = public_app.test_client().get("/healthz", base_url="http://learn.example.kz",
                                            headers=through_nginx(**{"X-Request-ID": "4f1c2a9e77d0b3aa"}))
    assert response.headers["X-Request-ID"] == "4f1c2a9e77d0b3aa"


def test_log_lines_have_a_utc_timestamp_and_the_request_id(app):
    from lms.logging_setup import FORMAT, RequestIdFilter, UtcFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(UtcFormatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("lms.security")
    logger.addHandler(handler)
    try:
        with app.test_request_context("/login"):
            from flask import g

            g.request_id = "abc123def4567890"
            logger.warning("login.failed login=%r ip=%s", "x@example.org", "10.0.0.1")
        logger.warning("outside a request")
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING lms\.security \[abc123def4567890\] "
                        r"login\.failed login='x@example\.org' ip=10\.0\.0\.1", first), first
    assert second.endswith("[-] outside a request")


def test_production_logging_is_configured_by_create_app(tmp_path):
    """Without LOGGING_CONFIGURE=False (tests only), the app sets up the line format itself."""
    from lms.logging_setup import RequestIdFilter

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x"})
        handlers = [h for h in root.handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)]
        assert handlers and "%(request_id)s" in handlers[0].formatter._fmt
        assert logging.getLogger("lms").getEffectiveLevel() == logging.INFO
    finally:
        root.handlers[:] = saved_handlers  # give pytest its capture handlers back
        root.setLevel(saved_level)


# ---- two-factor

def test_staff_two_factor_is_on_unless_turned_off():
    from lms.config import DefaultConfig

    assert DefaultConfig.REQUIRE_2FA_FOR_STAFF is True


def test_staff_two_factor_can_be_turned_off_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REQUIRE_2FA_FOR_STAFF", "0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x",
                      "LOGGING_CONFIGURE": False})
    assert app.config["REQUIRE_2FA_FOR_STAFF"] is False


def _reset_link(user) -> str:
    # Made by the service: who may hand out links is the certificate gate's business (issue 16).
    from lms.auth.services import create_reset_token

    return f"/reset/{create_reset_token(user, created_by=None)}"


def test_password_reset_of_a_two_factor_account_still_asks_for_the_code(app, hub):
    secret = pyotp.random_base32()
    target = make_user(hub, roles=("coordinator",))
    target.totp_secret = secret
    db.session.commit()
    link = _reset_link(target)
    client = app.test_client()
    response = client.post(link, data={"password": "brand new phrase", "confirm": "brand new phrase"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 302  # the new password alone is not a login
    assert client.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/dashboard").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, target.id).check_password("brand new phrase")


def test_password_reset_without_two_factor_logs_in(app, hub):
    target = make_user(hub)
    link = _reset_link(target)
    client = app.test_client()
    response = client.post(link, data={"password": "brand new phrase", "confirm": "brand new phrase"})
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


# ---- redirects

EVIL = ("////evil.example", "///evil.example", "//evil.example", "https://evil.example/", "/\\evil.example")


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_stays_on_site(client, target):
    response = client.post("/language", data={"lang": "ru", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/", target


@pytest.mark.parametrize("target", EVIL)
def test_reauth_stays_on_site(client, target):
    login(client, make_user(None))
    response = client.post(f"/reauth?next={target}", data={"password": PASSWORD})
    assert response.headers["Location"].endswith("/dashboard"), target


def test_two_factor_step_stays_on_site(app):
    secret = pyotp.random_base32()
    user = make_user(None)
    user.totp_secret = secret
    db.session.commit()
    client = app.test_client()
    client.post("/login?next=////evil.example", data={"login": user.email, "password": PASSWORD})
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"].endswith("/dashboard")


def test_a_safe_next_still_works(client):
    login(client, make_user(None))
    client.post("/logout")
    user = make_user(None)
    response = client.post("/login?next=/courses", data={"login": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/courses"


# ---- files

def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite file is what is checked")
def test_sqlite_database_and_its_journal_are_private(app, tmp_path):
    make_user(None)  # a write: the WAL file exists now
    database = tmp_path / "test.sqlite3"
    assert _mode(database) == 0o600
    for journal in (tmp_path / "test.sqlite3-wal", tmp_path / "test.sqlite3-shm"):
        if journal.exists():
            assert _mode(journal) == 0o600, journal


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    from lms.private_files import private_sqlite_file

    database = tmp_path / "old.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    private_sqlite_file(f"sqlite:///{database}")
    assert _mode(database) == 0o600


@pytest.mark.skipif(bool(PG_URL), reason="pg_dump is exercised in tests/integration/test_backup.py")
def test_backup_file_is_private(app, runner, tmp_path):
    make_user(None)
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600


def test_secret_key_file_is_private(tmp_path):
    from lms.config import _instance_secret_key

    key = _instance_secret_key(str(tmp_path))
    assert len(key) == 64 and _mode(tmp_path / "secret_key") == 0o600


def test_badge_signing_key_is_private(app, tmp_path):
    from lms.certificates import badges

    app.instance_path = str(tmp_path / "instance")
    app.extensions.pop("lms_badge_key", None)
    badges.signing_key()
    assert [_mode(p) for p in (tmp_path / "instance").iterdir()] == [0o600]



def test_role_changes_are_logged_with_actor_and_target(app, hub, caplog):
    admin, volunteer = make_user(hub, roles=("admin",)), make_user(hub)
    client = app.test_client()
    login(client, admin)
    with caplog.at_level(logging.INFO, logger="lms.security"):
        response = client.post(f"/admin/users/{volunteer.id}",
                               data={"roles": ["volunteer", "trainer"], "hub_id": str(hub.id), "active": "y"})
    assert response.status_code == 302
    lines = [r.getMessage() for r in caplog.records if r.name == "lms.security"]
    assert any(line.startswith(f"user.access actor={admin.id} target=user:{volunteer.id}") and '"trainer"' in line
               for line in lines), lines


def test_a_proxy_that_is_not_configured_is_reported_once(make_app, caplog, monkeypatch):
    from lms import public_url

    monkeypatch.setattr(public_url, "_warned", set())
    app = make_app(PUBLIC_URL=PUBLIC)  # PROXY_FIX_HOPS left at 0 behind nginx: a mistake
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="lms"):
        for _ in range(3):
            client.get("/healthz", base_url="http://learn.example.kz", headers=through_nginx())
    warnings = [r for r in caplog.records if "PROXY_FIX_HOPS is 0" in r.getMessage()]
    assert len(warnings) == 1
