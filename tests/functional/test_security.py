"""Security protections, one test per risk; each fails when its protection is removed."""

from __future__ import annotations

import io
import logging
import time

import pyotp
import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.courses.models import Track
from lms.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, form_key, make_user


def test_copied_session_cookie_is_rejected_after_logout(app, hub):
    user = make_user(hub)
    browser = app.test_client()
    login(browser, user)
    stolen = browser.get_cookie("session", domain="lms.test").value
    browser.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", stolen, domain="lms.test")
    assert attacker.get("/dashboard").status_code == 302


def test_idle_session_expires(app, hub):
    client = app.test_client()
    login(client, make_user(hub))
    with client.session_transaction() as session:
        session["_seen_at"] = int(time.time()) - app.config["SESSION_IDLE_SECONDS"] - 5
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/dashboard").status_code == 302


def test_absolute_session_lifetime(app, hub):
    client = app.test_client()
    login(client, make_user(hub))
    with client.session_transaction() as session:
        session["_auth_at"] = int(time.time()) - app.config["SESSION_ABSOLUTE_SECONDS"] - 5
    assert client.get("/dashboard").status_code == 302


def enable_two_factor(client, user_secret_holder: dict):
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as session:
        secret = session["_2fa_setup"]
    code = pyotp.TOTP(secret).now()
    assert client.post("/account/two-factor", data={"code": code}).status_code == 302
    user_secret_holder["secret"] = secret
    return code


def test_two_factor_login_and_replayed_code_refused(app, hub):
    user = make_user(hub, roles=("coordinator",))
    client = app.test_client()
    login(client, user)
    holder = {}
    enable_two_factor(client, holder)
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == holder["secret"]

    fresh = app.test_client()
    response = fresh.post("/login", data={"login": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    assert fresh.get("/dashboard").status_code == 302  # the password alone is not enough
    totp = pyotp.TOTP(holder["secret"])
    code = totp.at(time.time() + 30)  # the next step: the setup used the current one
    assert fresh.post("/login/code", data={"code": "000000" if code != "000000" else "111111"}).status_code == 200
    assert fresh.post("/login/code", data={"code": code}).status_code == 302
    assert fresh.get("/dashboard").status_code == 200

    replay = app.test_client()
    replay.post("/login", data={"login": user.email, "password": PASSWORD})
    refused = replay.post("/login/code", data={"code": code})
    assert refused.status_code == 200 and "already used" in refused.get_data(as_text=True)
    assert replay.get("/dashboard").status_code == 302


def test_staff_must_set_up_two_factor_when_required(make_app, hub):
    app = make_app(REQUIRE_2FA_FOR_STAFF=True)
    from tests.factories import make_hub

    own_hub = make_hub("aktau")
    coordinator = app.test_client()
    login(coordinator, make_user(own_hub, roles=("coordinator",)))
    response = coordinator.get(f"/hubs/{own_hub.id}/members")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    volunteer = app.test_client()
    login(volunteer, make_user(own_hub))
    assert volunteer.get("/dashboard").status_code == 200


def test_issuing_after_remember_me_login_asks_for_password(app, hub, make_course):
    course = make_course()
    volunteer = make_user(hub)
    from lms.courses.models import Course
    from lms.learning.models import Enrolment
    from lms.models_base import utcnow

    db.session.add(Enrolment(user_id=volunteer.id, course_id=db.session.scalar(select(Course.id)), passed_at=utcnow(), passed_revision=1))
    db.session.commit()
    client = app.test_client()
    login(client, make_user(hub, roles=("coordinator",)))
    with client.session_transaction() as session:
        session["_fresh"] = False  # as after a login restored from the remember-me cookie
    track = db.session.scalar(select(Track))
    response = client.post(f"/hubs/{hub.id}/certificates/issue", data={"pick": f"{volunteer.id}:{track.id}"})
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    client.post("/reauth", data={"password": PASSWORD})
    client.post(f"/hubs/{hub.id}/certificates/issue", data={"pick": f"{volunteer.id}:{track.id}", "form_key": form_key()})
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert course.slug


def test_mass_assignment_on_register_is_ignored(client, hub):
    client.post("/register", data={
        "name": "Eve", "email": "eve@example.org", "hub_id": str(hub.id), "locale": "en",
        "password": "a long enough phrase", "confirm": "a long enough phrase",
        "role": "admin", "roles": "admin", "roles_text": "admin,coordinator", "active": "y", "session_version": "9",
    })
    user = db.session.scalar(select(User).where(User.email == "eve@example.org"))
    assert user.roles == {"volunteer"} and user.session_version == 1


@pytest.mark.parametrize("payload", ["' OR 1=1--", "\" OR \"\"=\"", "1; DROP TABLE users;--", "%' UNION SELECT password_hash FROM users--"])
def test_sql_injection_strings_in_searches_and_filters(app, hub, payload):
    make_user(hub, name="Only Person")
    admin = app.test_client()
    login(admin, make_user(hub, roles=("admin",)))
    for url in ("/admin/users?q=", f"/hubs/{hub.id}/members?q=", "/admin/users?role=", "/courses?language=",
                "/teach/?hub=", "/verify?code="):
        response = admin.get(url + payload)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        assert "scrypt:" not in response.get_data(as_text=True) and "pbkdf2:" not in response.get_data(as_text=True)
    assert "Only Person" not in admin.get("/admin/users?q=" + payload).get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_names_with_html_are_escaped(app, hub):
    make_user(hub, name="<script>alert(1)</script>")
    admin = app.test_client()
    login(admin, make_user(hub, roles=("admin",)))
    page = admin.get(f"/hubs/{hub.id}/members").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_oversized_upload_is_refused_with_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    from tests.factories import make_hub

    own_hub = make_hub("semey")
    client = app.test_client()
    login(client, make_user(own_hub, roles=("coordinator",)))
    big = io.BytesIO(b"name,email\n" + b"a,b@example.org\n" * 500)
    response = client.post(f"/hubs/{own_hub.id}/members/import", data={"file": (big, "v.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_newlines_in_user_input_cannot_forge_log_lines(app, hub, caplog):
    from lms import audit

    volunteer = make_user(hub)
    with caplog.at_level(logging.INFO, logger="lms.security"):
        audit.record("certificate.revoke", actor=volunteer, target=volunteer, reason="cheating\nlogin.ok user=1")
    messages = [record.getMessage() for record in caplog.records if record.name == "lms.security"]
    assert len(messages) == 1 and "\n" not in messages[0] and "cheating\\nlogin.ok" in messages[0]
    db.session.rollback()


def test_forbidden_requests_are_logged_with_the_actor(app, hub, caplog):
    volunteer = make_user(hub)
    client = app.test_client()
    login(client, volunteer)
    with caplog.at_level(logging.WARNING, logger="lms.security"):
        assert client.get("/admin/users").status_code == 403
    assert any(f"access.denied user={volunteer.id} GET '/admin/users'" in r.getMessage() for r in caplog.records)
