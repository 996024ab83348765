"""Dashboards show the state as it is now: a revocation, a confirmed lesson or a new
certificate changes the hub and national pages on the very next request (issue 21)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Track
from lms.extensions import db
from tests.conftest import login
from tests.factories import form_key, make_hub, make_user

TODAY = date.today()


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
    return {"may_lead": int(facts["May lead lessons now"]), "lessons": int(lessons),
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
