"""The volunteer record (/people/<id>): who may open it, what it shows, and that it
offers only the actions the rules allow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.courses.models import Quiz, Track
from lms.extensions import db
from lms.learning.models import Enrolment, QuizAttempt
from lms.models_base import utcnow
from tests.conftest import login
from tests.factories import make_user
from tests.functional.test_homes import certificate, pending_lesson


@pytest.fixture
def record_of(app, hub, make_course):
    """A volunteer with a course, two attempts, a revoked and a valid certificate, a lesson."""
    course = make_course()
    track = db.session.scalar(select(Track))
    person = make_user(hub, name="Айгерім Сәтбаева", phone="+77015550000")
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    db.session.add(Enrolment(user_id=person.id, course_id=course.id, passed_at=utcnow()))
    for percent, ok in ((40, False), (100, True)):
        db.session.add(QuizAttempt(user_id=person.id, quiz_id=quiz.id, course_revision=1, language="en", status="graded",
                                   submitted_at=utcnow(), started_at=utcnow() - timedelta(minutes=percent),
                                   pass_mark=80, snapshot=[], percent=percent, passed=ok))
    db.session.commit()
    old = certificate(person, track, revoked=True, issued_days_ago=400)
    old.revoke_category, old.revoke_reason = "conduct", "Complaint upheld after review"
    db.session.commit()
    valid = certificate(person, track, issued_days_ago=2)
    lesson = pending_lesson(person, track, valid)
    lesson.notes, lesson.co_leader = "Pupils asked many questions", "Дана"
    db.session.commit()
    return person, old, valid


def client_of(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_coordinator_of_the_hub_sees_courses_attempts_certificates_with_history_and_lessons(app, hub, record_of):
    person, old, valid = record_of
    page = client_of(app, make_user(hub, roles=("coordinator",))).get(f"/people/{person.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Айгерім Сәтбаева" in html and "+77015550000" in html
    assert "Course test-course" in html  # the course, with progress
    assert "40% · " in html and "100% · " in html and "not passed" in html  # both attempts
    assert old.serial in html and valid.serial in html
    assert "Revoked on" in html and "Conduct" in html and "Complaint upheld after review" in html
    assert "Waiting for the hub&#39;s decision" in html or "Waiting for the hub's decision" in html
    assert "School 5" in html and "Ақмола облысы" not in html and "Akmola region" in html  # region in the UI language
    assert "Pupils asked many questions" in html and "Дана" in html
    assert "waiting for confirmation" in html


def test_record_actions_are_only_those_the_rules_allow(app, hub, record_of):
    person, old, valid = record_of
    html = client_of(app, make_user(hub, roles=("coordinator",))).get(f"/people/{person.id}").get_data(as_text=True)
    assert f'action="/users/{person.id}/reset-link"' in html  # a plain volunteer of their hub
    assert f'action="/certificates/{valid.id}/revoke"' in html
    assert f'action="/certificates/{old.id}/revoke"' not in html  # already revoked
    assert "Decide on a revoked certificate" in html and "Confirm the lessons waiting" in html
    assert f"/admin/users/{person.id}" not in html  # access changes are an admin's

    # A fellow coordinator's record: no reset link (coordinators act on plain volunteers only).
    peer = make_user(hub, roles=("coordinator",))
    html = client_of(app, make_user(hub, roles=("coordinator",))).get(f"/people/{peer.id}").get_data(as_text=True)
    assert "reset-link" not in html


def test_own_record_offers_no_action_on_oneself(app, hub, record_of):
    me = make_user(hub, roles=("coordinator", "volunteer"))
    track = db.session.scalar(select(Track))
    mine = certificate(me, track)
    html = client_of(app, me).get(f"/people/{me.id}").get_data(as_text=True)
    assert f"/certificates/{mine.id}/revoke" not in html and "reset-link" not in html
    assert "Nothing here for you" in html


def test_admin_sees_any_record_and_may_change_access(app, hub, other_hub, record_of):
    person, _old, _valid = record_of
    html = client_of(app, make_user(other_hub, roles=("admin",))).get(f"/people/{person.id}").get_data(as_text=True)
    assert f"/admin/users/{person.id}" in html and "reset-link" in html


@pytest.mark.parametrize("role", ["volunteer", "trainer"])
def test_record_refused_to_volunteers_and_trainers(app, hub, record_of, role):
    person, _old, _valid = record_of
    assert client_of(app, make_user(hub, roles=(role,))).get(f"/people/{person.id}").status_code == 403


def test_record_refused_to_a_coordinator_of_another_hub_and_to_the_person(app, other_hub, record_of):
    person, _old, _valid = record_of
    assert client_of(app, make_user(other_hub, roles=("coordinator",))).get(f"/people/{person.id}").status_code == 403
    assert client_of(app, person).get(f"/people/{person.id}").status_code == 403


def test_record_of_nobody_is_404(app, hub):
    assert client_of(app, make_user(hub, roles=("admin",))).get("/people/999999").status_code == 404


def test_names_link_to_the_record_on_the_hub_pages(app, hub, record_of):
    person, _old, _valid = record_of
    client = client_of(app, make_user(hub, roles=("coordinator",)))
    link = f'href="/people/{person.id}"'
    assert link in client.get(f"/hubs/{hub.id}/members").get_data(as_text=True)
    assert link in client.get(f"/hubs/{hub.id}/certification").get_data(as_text=True)
    assert link in client.get(f"/hubs/{hub.id}/lessons-led").get_data(as_text=True)


def test_members_page_shows_roles_in_words(app, hub):
    make_user(hub, roles=("coordinator",), name="Coordinator Two")
    html = client_of(app, make_user(hub, roles=("coordinator",))).get(f"/hubs/{hub.id}/members").get_data(as_text=True)
    assert "Hub coordinator" in html and "<td>coordinator</td>" not in html


def test_record_lists_notices_sent_with_the_emails_state(app, hub, record_of):
    from lms.notices import services as notices

    person, _old, valid = record_of
    notices.emit(person.id, "certificate_issued", track={"en": "Prevention"}, serial=valid.serial,
                 expires_on=valid.expires_on.isoformat())
    db.session.commit()
    html = client_of(app, make_user(hub, roles=("coordinator",))).get(f"/people/{person.id}").get_data(as_text=True)
    assert 'id="notices"' in html
    assert "Your certificate is ready: Prevention" in html and "not read yet" in html and "waiting to be sent" in html


def test_staff_without_the_volunteer_role_keep_their_own_learning_folded(app, hub):
    html = client_of(app, make_user(hub, roles=("coordinator",))).get("/dashboard").get_data(as_text=True)
    assert '<details class="own-learning"><summary>Your own learning</summary>' in html
    assert html.index('id="inbox"') < html.index("own-learning")


def test_audit_log_names_link_to_the_record(app, hub, record_of):
    from lms import audit

    person, _old, _valid = record_of
    coordinator = make_user(hub, roles=("coordinator",))
    audit.record("certificate.revoke", actor=coordinator, target=person, hub_id=hub.id, reason="test")
    db.session.commit()
    html = client_of(app, coordinator).get("/audit").get_data(as_text=True)
    assert f'href="/people/{person.id}"' in html and f'href="/people/{coordinator.id}"' in html
