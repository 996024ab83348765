"""Pages marked `reads_user_only` get the user as a read-only `LightUser` (one lean query);
every check that the full `User` passes or fails must come out the same."""

from __future__ import annotations

import itertools

import pytest
from flask import request_finished
from flask_login import current_user

from lms import security
from lms.auth.models import LightUser, User
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_hub, make_user

ROLE_SETS = [("volunteer",), ("trainer",), ("coordinator",), ("admin",), ("volunteer", "coordinator"), ()]


def test_lesson_page_reads_a_light_user_and_a_write_gets_the_full_user(app, client, hub, make_course):
    course = make_course(lessons=2)
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    seen = []

    def record(sender, response, **extra):
        seen.append(type(current_user._get_current_object()))

    with request_finished.connected_to(record, app):
        client.get(f"/courses/{course.slug}/lessons/lesson-1")
        client.post(f"/courses/{course.slug}/lessons/lesson-1/done")
    assert seen == [LightUser, User]


@pytest.mark.parametrize("roles", ROLE_SETS)
@pytest.mark.parametrize("active", [True, False])
def test_light_user_answers_like_the_full_user(app, hub, roles, active):
    contact = {"email": None, "phone": "77010000000"} if not roles else {}
    user = make_user(hub, roles=roles, active=active, **contact)
    with app.test_request_context("/"):
        light = LightUser(db.session.connection().execute(security._LIGHT_USER.statement, {"id": user.id}).first())
    full = db.session.get(User, user.id)
    assert light.roles == full.roles and light.is_active == full.is_active
    assert light.get_id() == full.get_id() and light.as_actor() == full.as_actor()
    assert (light.hub_id, light.locale, light.login_name, light.totp_secret) == (
        full.hub_id, full.locale, full.login_name, full.totp_secret)
    for size in (1, 2):
        for asked in itertools.combinations(("volunteer", "trainer", "coordinator", "admin"), size):
            assert light.has_role(*asked) == full.has_role(*asked), asked
    assert (light.is_authenticated, light.is_anonymous) == (full.is_authenticated, full.is_anonymous)


def test_light_user_refuses_writes(app, hub):
    user = make_user(hub)
    with app.test_request_context("/"):
        light = LightUser(db.session.connection().execute(security._LIGHT_USER.statement, {"id": user.id}).first())
    with pytest.raises(AttributeError):
        light.locale = "kk"


def test_lesson_page_refuses_a_deactivated_user(client, hub, make_course):
    course = make_course(lessons=2)
    user = make_user(hub)
    login(client, user)
    assert client.get(f"/courses/{course.slug}/lessons/lesson-1").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get(f"/courses/{course.slug}/lessons/lesson-1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_lesson_page_refuses_a_session_from_before_a_version_bump(client, hub, make_course):
    course = make_course(lessons=2)
    user = make_user(hub)
    login(client, user)
    user.session_version += 1  # what logging out everywhere or a password change does
    db.session.commit()
    response = client.get(f"/courses/{course.slug}/lessons/lesson-1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_lesson_page_sends_staff_without_two_factor_to_set_it_up(make_app, make_course):
    app = make_app(REQUIRE_2FA_FOR_STAFF=True)
    hub = make_hub("aktau")  # after make_app: on PostgreSQL it empties the tables
    course = make_course(lessons=2)
    coordinator = app.test_client()
    login(coordinator, make_user(hub, roles=("coordinator",)))
    response = coordinator.get(f"/courses/{course.slug}/lessons/lesson-1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    volunteer = app.test_client()
    login(volunteer, make_user(hub))
    assert volunteer.get(f"/courses/{course.slug}/lessons/lesson-1").status_code == 200


def test_lesson_page_menu_follows_the_roles(client, hub, make_course):
    course = make_course(lessons=2)
    login(client, make_user(hub, roles=("admin",)))
    assert 'href="/admin/' in client.get(f"/courses/{course.slug}/lessons/lesson-1").get_data(as_text=True)
    volunteer = client.application.test_client()
    login(volunteer, make_user(hub))
    assert 'href="/admin/' not in volunteer.get(f"/courses/{course.slug}/lessons/lesson-1").get_data(as_text=True)


def test_lesson_page_fills_hub_placeholders_from_the_viewers_hub(app, client, hub, make_course):
    course = make_course(lessons=2, body="Call {hub:helpline} or write to {hub:contact} at {hub:name}.\n")
    hub.helpline, hub.contact = "150 <free>", "hub@example.kz"
    db.session.commit()
    login(client, make_user(hub))
    page = client.get(f"/courses/{course.slug}/lessons/lesson-1").get_data(as_text=True)
    assert "Call 150 &lt;free&gt; or write to hub@example.kz at Kokshetau Hub." in page
    without_hub = app.test_client()
    login(without_hub, make_user(None))
    page = without_hub.get(f"/courses/{course.slug}/lessons/lesson-1").get_data(as_text=True)
    assert "Call ask your hub coordinator or write to ask your hub coordinator" in page


def test_lesson_page_gives_its_connection_back(client, hub, make_course):
    course = make_course(lessons=2)
    login(client, make_user(hub))
    for _ in range(3):
        assert client.get(f"/courses/{course.slug}/lessons/lesson-1").status_code == 200
    db.session.remove()  # the test's own session, so only the requests' connections could remain
    assert db.engine.pool.checkedout() == 0
