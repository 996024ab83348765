"""Registration, login, logout, passwords and reset links over HTTP."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.auth.models import PasswordResetToken, User
from lms.domain.contacts import normalise_phone
from lms.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def register(client, hub, **overrides):
    data = {
        "name": "Айгерим Сапарова",
        "email": "aigerim@example.kz",
        "phone": "",
        "hub_id": str(hub.id),
        "locale": "kk",
        "password": "тау мен дала 2026",
        "confirm": "тау мен дала 2026",
    }
    data.update(overrides)
    return client.post("/register", data=data)


def test_register_creates_volunteer_then_asks_to_log_in(client, hub):
    response = register(client, hub)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.roles == {"volunteer"} and user.hub_id == hub.id and user.locale == "kk"
    assert user.password_hash != "тау мен дала 2026"
    assert user.check_password("тау мен дала 2026")
    assert client.get("/dashboard").status_code == 302  # not logged in by registering
    login_page = client.get("/login").get_data(as_text=True)
    assert 'value="aigerim@example.kz"' in login_page  # the login is filled in
    client.post("/login", data={"login": "aigerim@example.kz", "password": "тау мен дала 2026"})
    assert client.get("/dashboard").status_code == 200


def _answer(response, client) -> tuple:
    """What a visitor can see of a registration's outcome: status, target, message, logged in or not."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    message = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', page, re.S)
    return response.status_code, response.headers["Location"], message and message.group(1).strip(), \
        client.get("/dashboard").status_code


def test_register_answers_the_same_for_a_taken_email(app, hub):
    make_user(hub, email="taken@example.kz")
    new, taken = app.test_client(), app.test_client()
    answer_new = _answer(register(new, hub, email="fresh@example.kz"), new)
    answer_taken = _answer(register(taken, hub, email="Taken@Example.KZ"), taken)
    assert answer_new == answer_taken
    assert answer_new[2] and "coordinator" in answer_new[2]
    assert db.session.scalar(select(func.count(User.id))) == 2  # the taken one was not duplicated


def test_register_answers_the_same_for_a_taken_phone(app, hub):
    make_user(hub, email=None, phone=normalise_phone("8 701 234 56 78"))
    new, taken = app.test_client(), app.test_client()
    answer_new = _answer(register(new, hub, email="", phone="+7 702 000 00 00"), new)
    answer_taken = _answer(register(taken, hub, email="", phone="8 701 234 56 78"), taken)
    assert answer_new == answer_taken
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_register_with_a_taken_email_mails_its_owner(app, hub, monkeypatch):
    sent = []
    monkeypatch.setattr("lms.auth.routes.send_mail", lambda to, subject, body: sent.append((to, body)))
    make_user(hub, email="taken@example.kz")
    register(app.test_client(), hub, email="taken@example.kz")
    assert [to for to, _body in sent] == ["taken@example.kz"]
    assert "http://lms.test/reset" in sent[0][1]


def test_register_refuses_short_and_common_passwords(client, hub):
    short = register(client, hub, password="abc123", confirm="abc123")
    assert "at least 8 characters" in short.get_data(as_text=True)
    common = register(client, hub, password="password123", confirm="password123")
    assert "too common" in common.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_needs_email_or_phone(client, hub):
    response = register(client, hub, email="", phone="")
    assert "Give an email or a phone number" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_with_kazakh_phone_then_login_with_other_spelling(client, hub):
    assert register(client, hub, email="", phone="8 701 234 56 78").status_code == 302
    response = client.post("/login", data={"login": "+77012345678", "password": "тау мен дала 2026"})
    assert response.status_code == 302


def test_login_and_logout(client, hub):
    user = make_user(hub)
    assert client.get("/dashboard").status_code == 302  # to the login page
    login(client, user)
    page = client.get("/dashboard")
    assert page.status_code == 200 and user.name in page.get_data(as_text=True)
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_login_wrong_password_is_refused(client, hub):
    user = make_user(hub)
    response = client.post("/login", data={"login": user.email, "password": "wrong wrong wrong"})
    assert response.status_code == 200
    assert "Wrong login or password" in response.get_data(as_text=True)


def test_login_refuses_deactivated_account(client, hub):
    user = make_user(hub, active=False)
    response = client.post("/login", data={"login": user.email, "password": PASSWORD})
    assert response.status_code == 200


def test_login_refuses_open_redirect(client, hub):
    user = make_user(hub)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "////evil.example",
                   "///evil.example/x", "/\t/evil.example"):
        response = client.post(
            f"/login?next={target}", data={"login": user.email, "password": PASSWORD}
        )
        assert response.headers["Location"].endswith("/dashboard"), target
        client.post("/logout")


def test_change_password_ends_other_sessions(app, hub):
    user = make_user(hub)
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    response = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "password": "a new long passphrase", "confirm": "a new long passphrase"},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302  # the old session no longer works


def test_password_reset_link_is_single_use(client, app, hub):
    coordinator = make_user(hub, roles=("coordinator",))
    volunteer = make_user(hub)
    login(client, coordinator)
    page = client.post(f"/users/{volunteer.id}/reset-link").get_data(as_text=True)
    link = re.search(r"http://lms\.test(/reset/[\w-]+)", page).group(1)
    client.post("/logout")
    fresh = app.test_client()
    assert fresh.get(link).status_code == 200
    response = fresh.post(link, data={"password": "brand new phrase", "confirm": "brand new phrase"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).check_password("brand new phrase")
    assert app.test_client().get(link).status_code == 404  # used once: gone


def test_reset_request_gives_same_answer_for_unknown_account(client, hub):
    make_user(hub, email="known@example.org")
    known = client.post("/reset", data={"login": "known@example.org"}, follow_redirects=True)
    unknown = client.post("/reset", data={"login": "nobody@example.org"}, follow_redirects=True)
    text_known = known.get_data(as_text=True)
    assert "your hub coordinator now sees your request" in text_known
    assert "your hub coordinator now sees your request" in unknown.get_data(as_text=True)
    # without SMTP nothing can be mailed: no token nobody receives; the coordinator is asked instead
    assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 0
    from lms.auth.models import PasswordHelpRequest

    assert db.session.scalar(select(func.count(PasswordHelpRequest.id))) == 1


def test_post_without_csrf_token_is_rejected(app):
    hub_user = make_user(None)
    client = app.test_client()
    client.csrf = False  # this test is about the missing token
    response = client.post("/login", data={"login": hub_user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302  # not logged in


def test_post_with_a_wrong_csrf_token_is_rejected(app):
    user = make_user(None)
    client = app.test_client()
    client.get("/login")
    for token in ("not-a-token", app.test_client().csrf_token()):  # garbage; another session's token
        response = client.post("/login", data={"login": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 400, token
    assert client.get("/dashboard").status_code == 302


def test_post_with_the_forms_csrf_token_is_accepted(app):
    user = make_user(None)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"login": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_csrf_protection_is_on_in_the_test_suite(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_session_is_renewed_at_login(client, hub):
    user = make_user(hub)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
