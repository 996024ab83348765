"""`flask demo` seeds a hub worth opening: volunteers at every stage, through the real services."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.certificates import services
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shipped_courses(app):
    from lms.courses.importer import import_tree
    from lms.domain.course_format import load_tree

    tree, problems = load_tree(ROOT / "courses", display_root=ROOT)
    assert problems == []
    import_tree(tree)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def password_of(output: str, email: str) -> str:
    return next(line for line in output.splitlines() if email in line).split()[2]


def test_demo_seeds_every_stage_in_the_coordinators_hub(app, runner, shipped_courses):
    started = time.monotonic()
    result = runner.invoke(args=["demo"])
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "demo volunteers: 18 seeded" in result.output
    assert seconds < 20, seconds  # a few seconds on a quiet machine; generous for a loaded CI
    hub = db.session.scalar(select(Hub).where(Hub.slug == "kokshetau"))
    today = date.today()
    certs = db.session.scalars(select(Certificate).where(Certificate.hub_id == hub.id)).all()
    valid = [c for c in certs if c.revoked_at is None and c.expires_on > today]
    assert any(c.expires_on > today + timedelta(days=60) for c in valid)
    assert any(c.expires_on <= today + timedelta(days=60) for c in valid)  # expiring soon
    revoked = [c for c in certs if c.revoked_at is not None]
    assert len(revoked) == 1 and revoked[0].revoke_category == "conduct"
    assert db.session.scalar(select(CertificationHold).where(CertificationHold.certificate_id == revoked[0].id))
    queue = {entry.volunteer.name for entry in services.ready_queue(hub.id)}
    assert {"Ерлан Абенов", "Алина Петрова"} <= queue
    deliveries = db.session.scalars(select(LessonDelivery).where(LessonDelivery.hub_id == hub.id)).all()
    assert {d.status for d in deliveries} == {"confirmed", "pending", "rejected"}
    people = {u.name: u for u in db.session.scalars(select(User).where(User.hub_id == hub.id))}
    stuck = people["Жанар Туякова"]
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == stuck.id)).all()
    assert attempts and not any(a.passed for a in attempts)
    reading = people["Дмитрий Соколов"]
    assert db.session.scalar(select(func.count()).select_from(LessonProgress).where(LessonProgress.user_id == reading.id))
    assert db.session.scalar(select(Enrolment.passed_at).where(Enrolment.user_id == reading.id)) is None
    phone_only = people["Даулет Сапаров"]
    assert phone_only.email is None and phone_only.phone == "+77015550102"
    demo_volunteer = people["Demo Volunteer"]
    assert any(c.user_id == demo_volunteer.id for c in valid)
    # Bells are not empty: notices of events (issued, revoked, lesson confirmed or rejected) and reminders.
    from lms.notices.models import Notice

    kinds = set(db.session.scalars(select(Notice.kind)))
    assert {"certificate_issued", "certificate_revoked", "lesson_confirmed", "lesson_rejected"} <= kinds
    assert any("expir" in kind for kind in kinds) and any("digest" in kind for kind in kinds), kinds
    # Other hubs have people too, so the national dashboard has several rows.
    assert db.session.scalar(select(func.count(func.distinct(User.hub_id))).where(User.roles_text == "volunteer")) >= 4


def test_demo_twice_adds_nobody_and_empty_seeds_accounts_only(app, runner, shipped_courses):
    empty = runner.invoke(args=["demo", "--empty"])
    assert empty.exit_code == 0 and "demo volunteers" not in empty.output
    assert count(User) == 4 and count(Certificate) == 0
    first = runner.invoke(args=["demo"])
    assert "18 seeded" in first.output
    from lms.notices.models import Notice

    models = (User, Certificate, LessonDelivery, Enrolment, QuizAttempt, CertificationHold, Notice)
    counts = [count(model) for model in models]
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already seeded" in second.output and "demo-" not in second.output
    assert [count(model) for model in models] == counts


def test_demo_without_courses_says_how_to_get_volunteers(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "courses import" in result.output and count(User) == 4


def test_demo_coordinator_sees_a_populated_hub(app, runner, shipped_courses):
    output = runner.invoke(args=["demo"]).output
    hub = db.session.scalar(select(Hub).where(Hub.slug == "kokshetau"))
    client = app.test_client()
    client.post("/login", data={"login": "coordinator@demo.example.org",
                                "password": password_of(output, "coordinator@demo.example.org")})
    queue = client.get(f"/hubs/{hub.id}/certification").get_data(as_text=True)
    assert "Ерлан Абенов" in queue and "Мария Ким" in queue  # ready, and the revoked one awaiting a decision
    lessons = client.get(f"/hubs/{hub.id}/lessons-led").get_data(as_text=True)
    assert "School No. 12, Kokshetau" in lessons
    report = client.get(f"/reports/hub/{hub.id}").get_data(as_text=True)
    assert "Kokshetau" in report
