"""Reminders that come due with time rather than with an event: certificate expiry
(60, 30 and 7 days before), a quiz open again after its cool-down, and the coordinators'
weekly digest. Each carries a dedupe key, so every run may ask and each is made once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.courses.models import Course, Quiz
from lms.domain import notices as rules
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import QuizAttempt
from lms.notices import services
from lms.notices.models import Notice
from lms.transactions import write_transaction

RETRY_REMINDER_MAX_AGE = timedelta(days=7)  # a cool-down that ended long ago is not news


def _new_keys(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    existing = set()
    for start in range(0, len(keys), 500):
        existing |= set(db.session.scalars(select(Notice.dedupe_key).where(Notice.dedupe_key.in_(keys[start:start + 500]))))
    return set(keys) - existing


def _emit_once(user_id: int, kind: str, key: str, **data) -> bool:
    """Emit unless another run made this reminder first (the unique key decides)."""
    try:
        with write_transaction():
            services.emit(user_id, kind, dedupe_key=key, **data)
    except IntegrityError:
        return False
    return True


def expiry_reminders(now: datetime) -> int:
    today = now.date()
    renewed = aliased(Certificate)
    rows = db.session.execute(
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), Certificate.expires_on > today,
               Certificate.expires_on <= today + timedelta(days=max(rules.EXPIRY_STAGES)),
               User.active.is_(True), ~exists().where(renewed.renews_id == Certificate.id))
    ).scalars().all()
    due = {}
    for cert in rows:
        stage = rules.expiry_stage(cert.expires_on, today)
        if stage is not None:
            due[rules.expiry_key(cert.id, stage)] = (cert, stage)
    made = 0
    for key in sorted(_new_keys(list(due))):
        cert, stage = due[key]
        made += _emit_once(cert.user_id, rules.CERTIFICATE_EXPIRING, key, certificate_id=cert.id, serial=cert.serial,
                           track=cert.track.title, expires_on=cert.expires_on.isoformat(), days=stage)
    db.session.commit()
    return made


def retry_reminders(now: datetime) -> int:
    quizzes = {q.id: q for q in db.session.scalars(select(Quiz).where(Quiz.removed.is_(False)))
               if q.settings.get("cooldown_hours") and q.settings.get("max_attempts")}
    if not quizzes:
        return 0
    longest = max(float(q.settings["cooldown_hours"]) for q in quizzes.values())
    since = now - timedelta(hours=longest) - RETRY_REMINDER_MAX_AGE
    # Learners whose last round may have ended in the window and who have not passed yet.
    passed = select(QuizAttempt.user_id, QuizAttempt.quiz_id).where(QuizAttempt.passed.is_(True))
    recent = (
        select(QuizAttempt.user_id, QuizAttempt.quiz_id)
        .where(QuizAttempt.quiz_id.in_(list(quizzes)), QuizAttempt.submitted_at >= since)
        .where(tuple_(QuizAttempt.user_id, QuizAttempt.quiz_id).not_in(passed))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
    ).subquery()
    attempts: dict[tuple[int, int], list[rules.Submission]] = {}
    for user_id, quiz_id, started, submitted in db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.started_at, QuizAttempt.submitted_at)
        .join(recent, and_(recent.c.user_id == QuizAttempt.user_id, recent.c.quiz_id == QuizAttempt.quiz_id))
        .join(User, User.id == QuizAttempt.user_id)
        .where(User.active.is_(True))
    ):
        attempts.setdefault((user_id, quiz_id), []).append(rules.Submission(started, submitted))
    due = {}
    for (user_id, quiz_id), past in attempts.items():
        quiz = quizzes[quiz_id]
        opened = rules.retry_opened_at(past, max_attempts=int(quiz.settings["max_attempts"]),
                                       cooldown_hours=float(quiz.settings["cooldown_hours"]), now=now)
        if opened is not None and opened >= now - RETRY_REMINDER_MAX_AGE:
            due[rules.retry_key(user_id, quiz_id, opened)] = (user_id, quiz)
    made = 0
    slugs = dict(db.session.execute(select(Course.id, Course.slug)).all()) if due else {}
    for key in sorted(_new_keys(list(due))):
        user_id, quiz = due[key]
        made += _emit_once(user_id, rules.RETRY_AVAILABLE, key, quiz_id=quiz.id, quiz=quiz.titles,
                           course_slug=slugs.get(quiz.course_id, ""), quiz_slug=quiz.slug)
    db.session.commit()
    return made


def hub_counts(hub_id: int, coordinator: User, now: datetime) -> dict[str, int]:
    from lms.certificates.services import ready_queue

    today = now.date()
    return {
        "ready": len(ready_queue(hub_id, today, actor=coordinator)),
        "holds": db.session.scalar(select(func.count()).select_from(CertificationHold).where(
            CertificationHold.hub_id == hub_id, CertificationHold.lifted_at.is_(None))) or 0,
        "lessons": db.session.scalar(select(func.count()).select_from(LessonDelivery).where(
            LessonDelivery.hub_id == hub_id, LessonDelivery.status == "pending")) or 0,
        "expiring": db.session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.hub_id == hub_id, Certificate.revoked_at.is_(None), Certificate.expires_on > today,
            Certificate.expires_on <= today + timedelta(days=60))) or 0,
    }


def weekly_digests(now: datetime) -> int:
    """One digest per coordinator per ISO week, made by the first run of the week that finds
    something for them: a week with nothing to issue, lift, review or renew sends nothing
    (an empty digest teaches people to ignore the next one); a later run that week that finds
    something sends it then."""
    coordinators = db.session.scalars(
        select(User).where(User.active.is_(True), User.hub_id.is_not(None),
                           or_(User.roles_text == "coordinator", User.roles_text.like("%coordinator%")))
    ).all()
    wanted = {rules.digest_key(c.id, now.date()): c for c in coordinators if "coordinator" in c.roles}
    made = 0
    for key in sorted(_new_keys(list(wanted))):
        coordinator = wanted[key]
        hub = db.session.get(Hub, coordinator.hub_id)
        counts = hub_counts(coordinator.hub_id, coordinator, now)
        if not any(counts.values()):
            continue
        made += _emit_once(coordinator.id, rules.WEEKLY_DIGEST, key, hub=hub.name if hub else "", counts=counts)
    db.session.commit()
    return made


def enqueue_due(now: datetime) -> dict[str, int]:
    return {"expiry": expiry_reminders(now), "retry": retry_reminders(now), "digest": weekly_digests(now)}
