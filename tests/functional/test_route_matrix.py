"""Every route, every role: the access matrix is generated from the app's URL map.

A new route without an entry in ACCESS fails `test_every_route_has_an_access_rule`.
Access classes: public (anyone), anonymous-ok forms, login (any logged-in user),
staff (trainer, coordinator, admin), coordinator (coordinator of the hub, or admin),
admin. Object routes (attempts, certificates) are checked by their own tests as well.
"""

from __future__ import annotations

import pytest

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user

ACCESS = {
    "main.index": "public", "main.healthz": "public", "main.set_language": "public", "static": "public",
    "auth.login": "public", "auth.login_code": "public", "auth.register": "public", "auth.reset_request": "public",
    "auth.reset_with_token": "public", "auth.logout": "public",
    "learning.catalogue": "public", "learning.course": "public", "courses.media": "public",
    # Kits: volunteers only with a valid certificate in the track (tests/functional/test_kits_and_safeguarding_route.py).
    "courses.kit": "login",
    "certificates.verify": "public", "certificates.verify_json": "public", "certificates.verify_form": "public",
    "certificates.jwks": "public", "assets.asset": "public", "assets.manifest": "public", "assets.favicon": "public",
    "main.dashboard": "login", "auth.account": "login", "auth.change_password": "login", "auth.reauth": "login",
    "auth.logout_everywhere": "login", "auth.two_factor": "login", "auth.two_factor_off": "login",
    "learning.enrol": "login", "learning.print_course": "login", "learning.offline_manifest": "login",
    "learning.sync_lesson_done": "login", "main.service_worker": "public", "learning.lesson": "login", "learning.lesson_done": "login", "learning.lesson_undo": "login",
    "learning.quiz": "login", "learning.start_quiz": "login", "learning.attempt": "login", "learning.attempt_result": "login",
    "certificates.mine": "login", "certificates.lessons_led": "login", "certificates.pdf": "login",
    "certificates.credential": "login",
    "teaching.courses": "staff", "teaching.course": "staff",
    "hubs.my_hub": "coordinator", "hubs.members": "coordinator", "hubs.new_volunteer": "coordinator",
    "hubs.import_volunteers": "coordinator", "hubs.reset_link": "coordinator", "hubs.settings": "coordinator",
    "certificates.hub_certification": "coordinator", "certificates.hub_deliveries": "coordinator",
    "certificates.issue": "coordinator", "certificates.issue_in_person": "coordinator",
    "certificates.revoke": "coordinator", "certificates.review": "coordinator",
    "certificates.lift_hold": "coordinator", "certificates.status_list_credential": "public",
    "audit.log": "coordinator", "audit.export": "coordinator",
    # Notices: a user's own (other users' ids change nothing: tests/functional/test_notices.py);
    # unsubscribe links work without login, the signed token is the proof.
    "notices.index": "login", "notices.read_all": "login", "notices.read_one": "login",
    "notices.preferences": "login", "notices.unsubscribe": "public",
    "reports.hub": "coordinator", "reports.hub_csv": "coordinator", "reports.national": "admin",
    "reports.national_csv": "admin", "reports.courses": "staff", "reports.items": "staff", "reports.my_record": "login",
    "admin.hubs": "admin", "admin.new_hub": "admin", "admin.edit_hub": "admin", "admin.users": "admin",
    "admin.edit_user": "admin",
    # The volunteer record: coordinators of the person's hub and admins (tests/functional/test_people.py).
    "people.record": "coordinator",
    # Authoring: trainers and admins; a course's own routes need its owner, a co-author or an
    # admin, and this matrix's trainer authors nothing (tests/functional/test_authoring.py has the rest).
    "authoring.index": "author", "authoring.new_course": "author", "authoring.import_zip": "author",
    **{f"authoring.{name}": "course-author" for name in (
        "workspace", "start_draft", "publish", "discard", "versions", "compare", "restore", "export_zip",
        "add_author", "remove_author", "retire", "edit_file", "new_lesson", "new_file", "move_lesson",
        "hide_lesson", "delete_file", "upload_image", "draft_media")},
}
ALLOWED = {
    "public": {"anonymous", "volunteer", "trainer", "coordinator", "admin"},
    "login": {"volunteer", "trainer", "coordinator", "admin"},
    "staff": {"trainer", "coordinator", "admin"},
    "coordinator": {"coordinator", "admin"},
    "admin": {"admin"},
    "author": {"trainer", "admin"},
    "course-author": {"admin"},
}
# Routes that only change state answer GET with 405: state changes are POST only.
POST_ONLY = {
    "auth.logout", "auth.logout_everywhere", "auth.two_factor_off", "main.set_language", "learning.enrol",
    "learning.lesson_done", "learning.lesson_undo", "learning.start_quiz", "certificates.issue",
    "certificates.issue_in_person", "certificates.revoke", "certificates.review", "hubs.reset_link",
    "certificates.lift_hold",
    "notices.read_all", "notices.read_one",
    *(f"authoring.{name}" for name in ("start_draft", "publish", "discard", "restore", "add_author", "remove_author",
                                       "retire", "new_lesson", "new_file", "move_lesson", "hide_lesson",
                                       "delete_file", "upload_image")),
}


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add the new routes to ACCESS with who may use them"
    assert set(ACCESS) - endpoints == set(), "ACCESS names routes that no longer exist"


def test_state_changes_are_post_only(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in POST_ONLY:
            assert "GET" not in rule.methods, rule.endpoint


def sample_url(rule, ids) -> str:
    values = {"hub_id": ids["hub"], "user_id": ids["volunteer"], "cert_id": ids["cert"], "delivery_id": 999999,
              "attempt_id": 999999, "hold_id": 999999, "notice_id": 999999, "list_id": 1, "slug": "test-course", "lesson_slug": "lesson-1", "quiz_slug": "final",
              "code": "AAAA-BBBB-CCCC-DDDD", "table": "courses", "token": "x" * 43, "path": "images/none.png", "filename": "css/site.css", "number": 1}
    url = rule.rule
    for name in rule.arguments:
        url = url.replace(f"<int:{name}>", str(values[name])).replace(f"<path:{name}>", str(values[name]))
        url = url.replace(f"<{name}>", str(values[name]))
    return url


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "trainer", "coordinator", "admin"])
def test_route_matrix(app, hub, make_course, role):
    make_course()
    volunteer = make_user(hub)
    cert = Certificate(serial="VH-T-1", code="AAAA-BBBB-CCCC-DDDE", user_id=volunteer.id, track_id=1, hub_id=hub.id,
                       holder_name="x", course_versions={}, issued_on=__import__("datetime").date.today(),
                       expires_on=__import__("datetime").date.today())
    db.session.add(cert)
    db.session.commit()
    ids = {"hub": hub.id, "volunteer": volunteer.id, "cert": cert.id}
    client = app.test_client()
    if role != "anonymous":
        login(client, make_user(hub, roles=(role,)))
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.logout", "auth.logout_everywhere"):
            continue  # would end this client's session; covered by the account tests
        url = sample_url(rule, ids)
        kind = ACCESS[rule.endpoint]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={})
        if role != "anonymous" and client.get("/dashboard").status_code != 200:
            raise AssertionError(f"{url} logged the client out")
        allowed = role in ALLOWED[kind]
        if not allowed and role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], (url, response.status_code)
        elif not allowed:
            assert response.status_code == 403, (role, url, response.status_code)
        else:
            assert response.status_code not in (401, 403), (role, url, response.status_code)


def test_coordinator_scope_is_their_own_hub(app, hub, other_hub):
    client = app.test_client()
    login(client, make_user(hub, roles=("coordinator",)))
    stranger = make_user(other_hub)
    for url in (f"/hubs/{other_hub.id}/members", f"/hubs/{other_hub.id}/certification",
                f"/hubs/{other_hub.id}/lessons-led", f"/hubs/{other_hub.id}/settings"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/users/{stranger.id}/reset-link").status_code == 403
    assert client.get(f"/people/{stranger.id}").status_code == 403
