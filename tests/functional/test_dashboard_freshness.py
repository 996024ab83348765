"""Dashboards show the state as it is now: a revocation, a confirmed lesson, a new
certificate, an enrolment, a lesson mark, a pass, a move to another hub or a role change
moves the hub and national pages on the very next request (issue 21), although each
worker keeps the figures between two views (lms/reports/freshness.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Lesson, Track
from lms.extensions import db
from tests.clock import read_per_test
from tests.conftest import login
from tests.factories import form_key, make_hub, make_user

TODAY = date.today()  # read again before each test (tests/clock.py)
_clock = read_per_test(__name__)


@pytest.fixture
def hub_world(app, make_course):
    make_course("alpha", lessons=2, questions=5)
    track = db.session.scalar(select(Track))
    hub = make_hub("hub-a", name="Hub A", region="North")
    leader, newcomer = make_user(hub, name="Leader"), make_user(hub, name="Newcomer")
    cert = Certificate(serial="S1", code="AAAA-AAAA-AAAA-AAA1", user_id=leader.id, track_id=track.id, hub_id=hub.id,
                       holder_name="Leader", course_versions={}, issued_on=TODAY - timedelta(days=9),
                       expires_on=TODAY + timedelta(days=700))
    db.session.add(cert)
    db.session.flush()
    delivery = LessonDelivery(user_id=leader.id, hub_id=hub.id, track_id=track.id, certificate_id=cert.id,
                              led_on=TODAY - timedelta(days=1), school="School 7", region="Akmola", children=24, parents=3)
    db.session.add(delivery)
    db.session.commit()
    coordinator, admin = app.test_client(), app.test_client()
    login(coordinator, make_user(hub, roles=("coordinator",)))
    login(admin, make_user(None, roles=("admin",)))
    return {"hub": hub, "track": track, "cert": cert, "delivery": delivery, "newcomer": newcomer,
            "coordinator": coordinator, "admin": admin}


def figures(client, path: str) -> dict:
    """The figures a reader sees: the facts list, the lead sentence and the track table row."""
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([\d,  ]+)</dd>", page))
    lessons = re.search(r"Lessons led: (\d+)", page).group(1)
    track_row = re.search(r"<td>Prevention of violence and bullying</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page)
    return {"may_lead": int(facts["May lead lessons now"]), "active": int(facts["Active in the last 30 days"]),
            "lessons": int(lessons),
            "track_may_lead": int(track_row.group(2))}


def both_pages(world) -> tuple[dict, dict]:
    return figures(world["coordinator"], f"/reports/hub/{world['hub'].id}"), figures(world["admin"], "/reports/national")


def test_revocation_shows_at_once_on_hub_and_national_dashboards(hub_world):
    hub_page, national_page = both_pages(hub_world)
    assert (hub_page["may_lead"], hub_page["track_may_lead"]) == (1, 1)
    assert (national_page["may_lead"], national_page["track_may_lead"]) == (1, 1)
    response = hub_world["coordinator"].post(f"/certificates/{hub_world['cert'].id}/revoke", data={
        "reason": "Conduct complaint upheld", "category": "conduct", "form_key": form_key()})
    assert response.status_code == 302
    hub_page, national_page = both_pages(hub_world)
    assert (hub_page["may_lead"], hub_page["track_may_lead"]) == (0, 0)
    assert (national_page["may_lead"], national_page["track_may_lead"]) == (0, 0)
    national = hub_world["admin"].get("/reports/national").get_data(as_text=True)
    assert "<td>Hub A</td><td>North</td><td>2</td><td>0</td>" in national  # the hub row: 2 volunteers, none may lead


def test_confirmed_lesson_counts_at_once(hub_world):
    assert [page["lessons"] for page in both_pages(hub_world)] == [0, 0]  # pending lessons are not counted
    response = hub_world["coordinator"].post(f"/lessons-led/{hub_world['delivery'].id}/review", data={
        "decision": "confirm", "note": "", "form_key": form_key()})
    assert response.status_code == 302
    assert [page["lessons"] for page in both_pages(hub_world)] == [1, 1]
    page = hub_world["coordinator"].get(f"/reports/hub/{hub_world['hub'].id}").get_data(as_text=True)
    assert "children reached: 24, parents reached: 3" in page


def test_new_certificate_counts_at_once(hub_world):
    assert [page["may_lead"] for page in both_pages(hub_world)] == [1, 1]
    response = hub_world["coordinator"].post(f"/hubs/{hub_world['hub'].id}/certificates/in-person", data={
        "volunteer_id": hub_world["newcomer"].id, "track": hub_world["track"].slug,
        "note": "Forum in Kokshetau, assessed by a trainer", "form_key": form_key()})
    assert response.status_code == 302
    assert db.session.scalar(select(Certificate).where(Certificate.user_id == hub_world["newcomer"].id)) is not None
    assert [page["may_lead"] for page in both_pages(hub_world)] == [2, 2]
    assert [page["track_may_lead"] for page in both_pages(hub_world)] == [2, 2]


def funnel_step(client, path: str, step: str) -> int:
    page = client.get(path).get_data(as_text=True)
    return int(re.search(rf"<td>{step}</td><td>(\d+)</td>", page).group(1))


def test_enrolment_progress_and_pass_count_at_once(hub_world, make_course):
    course = make_course("solo", lessons=1, questions=0)
    lesson = db.session.scalar(select(Lesson.slug).where(Lesson.course_id == course.id))
    hub_path = f"/reports/hub/{hub_world['hub'].id}"
    coordinator = hub_world["coordinator"]
    assert figures(coordinator, hub_path)["active"] == 0
    assert [funnel_step(coordinator, hub_path, s) for s in ("enrolled in a course", "passed a course")] == [0, 0]
    learner = coordinator.application.test_client()
    login(learner, hub_world["newcomer"])
    assert learner.post(f"/courses/{course.slug}/enrol").status_code == 302
    assert funnel_step(coordinator, hub_path, "enrolled in a course") == 1
    assert funnel_step(hub_world["admin"], "/reports/national", "enrolled in a course") == 1
    assert learner.post(f"/courses/{course.slug}/lessons/{lesson}/done").status_code == 302  # the only lesson: a pass
    assert figures(coordinator, hub_path)["active"] == 1
    assert funnel_step(coordinator, hub_path, "passed a course") == 1
    assert funnel_step(hub_world["admin"], "/reports/national", "passed a course") == 1


def test_hub_move_and_role_change_count_at_once(hub_world):
    other = make_hub("hub-b", name="Hub B", region="South")
    admin, newcomer = hub_world["admin"], hub_world["newcomer"]
    national = admin.get("/reports/national").get_data(as_text=True)
    assert "<td>Hub A</td><td>North</td><td>2</td>" in national and "<td>Hub B</td><td>South</td><td>0</td>" in national
    hub_path = f"/reports/hub/{hub_world['hub'].id}"
    assert funnel_step(hub_world["coordinator"], hub_path, "registered") == 2
    response = admin.post(f"/admin/users/{newcomer.id}", data={"roles": ["volunteer"], "hub_id": other.id, "active": "y"})
    assert response.status_code == 302
    national = admin.get("/reports/national").get_data(as_text=True)
    assert "<td>Hub A</td><td>North</td><td>1</td>" in national and "<td>Hub B</td><td>South</td><td>1</td>" in national
    assert funnel_step(hub_world["coordinator"], hub_path, "registered") == 1
    leader = db.session.scalar(select(Certificate.user_id))
    response = admin.post(f"/admin/users/{leader}", data={"roles": ["trainer"], "hub_id": hub_world["hub"].id, "active": "y"})
    assert response.status_code == 302
    assert funnel_step(hub_world["coordinator"], hub_path, "registered") == 0  # no longer a volunteer
    assert figures(hub_world["coordinator"], hub_path)["may_lead"] == 0
