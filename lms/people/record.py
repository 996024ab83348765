"""A volunteer's record as staff see it: courses, attempts, certificates with their
history, lessons led, and what the viewer may do there. A fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from lms.auth.models import User
from lms.certificates import services as certification
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.courses.models import Course, Quiz
from lms.domain import certification as rules
from lms.domain import duties
from lms.extensions import db
from lms.learning import queries
from lms.learning.models import Enrolment, QuizAttempt
from lms.notices import texts
from lms.notices.models import Notice, NoticeDelivery
from lms.people import activity

ATTEMPTS_SHOWN = 100
NOTICES_SHOWN = 50


@dataclass(frozen=True)
class CourseLine:
    card: queries.CourseCard
    enrolment: Enrolment


@dataclass(frozen=True)
class AttemptLine:
    attempt: QuizAttempt
    course_title: str
    quiz_title: str


@dataclass(frozen=True)
class CertificateLine:
    certificate: Certificate
    state: str  # rules.VALID, EXPIRED, REVOKED, NOT_YET
    holds: list[CertificationHold]
    may_revoke: bool


@dataclass(frozen=True)
class NoticeLine:
    notice: Notice
    text: texts.NoticeText
    email: str | None  # the email's state (pending, sent, skipped, failed), None when none was made


@dataclass(frozen=True)
class Record:
    person: User
    last_activity: datetime | None
    courses: list[CourseLine]
    attempts: list[AttemptLine]
    attempts_total: int
    certificates: list[CertificateLine]
    deliveries: list[LessonDelivery]
    children_reached: int  # confirmed lessons only
    notices: list[NoticeLine]
    may_reset_link: bool
    may_change_access: bool
    may_review_lessons: bool
    may_lift_holds: bool


def build(person: User, viewer: User, language: str, on: date | None = None) -> Record:
    on = on or certification.today()
    acting, subject = viewer.as_actor(), person.as_actor()

    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == person.id).order_by(Enrolment.enrolled_at)
    ).all()
    courses = db.session.scalars(select(Course).where(Course.id.in_([e.course_id for e in enrolments]))).all()
    texts = queries.course_texts(courses, language) if courses else {}
    progress = queries.progress_by_course(person.id, [c.id for c in courses])
    by_id = {c.id: c for c in courses}
    course_lines = [
        CourseLine(queries.CourseCard(by_id[e.course_id], texts[e.course_id].title, "", texts[e.course_id].language,
                                      by_id[e.course_id].languages.split(","), progress.get(e.course_id)), e)
        for e in enrolments if e.course_id in by_id
    ]

    attempt_rows = db.session.execute(
        select(QuizAttempt, Quiz, Course)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id).join(Course, Course.id == Quiz.course_id)
        .where(QuizAttempt.user_id == person.id)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(ATTEMPTS_SHOWN)
    ).all()
    all_titles = queries.course_texts({course for _a, _q, course in attempt_rows}, language) if attempt_rows else {}
    attempts = [
        AttemptLine(a, all_titles[course.id].title if course.id in all_titles else course.slug,
                    queries.quiz_title(quiz.titles, language, course.default_language))
        for a, quiz, course in attempt_rows
    ]
    attempts_total = len(attempts) if len(attempts) < ATTEMPTS_SHOWN else db.session.scalar(
        select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == person.id))

    certs = db.session.scalars(
        select(Certificate).where(Certificate.user_id == person.id).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()
    holds = db.session.scalars(
        select(CertificationHold).where(CertificationHold.user_id == person.id).order_by(CertificationHold.placed_at)
    ).all()
    cert_lines = [
        CertificateLine(c, rules.certificate_state(c.facts(), on), [h for h in holds if h.certificate_id == c.id],
                        c.revoked_at is None and duties.may_revoke_certificate(acting, subject, c.hub_id))
        for c in certs
    ]

    deliveries = db.session.scalars(
        select(LessonDelivery).where(LessonDelivery.user_id == person.id).order_by(LessonDelivery.led_on.desc())
    ).all()
    return Record(
        notices=notices_sent(person.id, language),
        person=person,
        last_activity=activity.last_activity(person.id),
        courses=course_lines,
        attempts=attempts,
        attempts_total=attempts_total,
        certificates=cert_lines,
        deliveries=deliveries,
        children_reached=sum(d.children for d in deliveries if d.status == "confirmed"),
        may_reset_link=duties.may_make_reset_link(acting, subject),
        may_change_access=duties.may_change_access(acting, subject),
        may_review_lessons=duties.may_review_lesson(acting, subject, person.hub_id),
        may_lift_holds=any(h.lifted_at is None and duties.may_lift_hold(acting, subject, h.hub_id) for h in holds),
    )


def notices_sent(user_id: int, language: str) -> list[NoticeLine]:
    """The person's latest notices, in the viewer's language, with what became of each email."""
    notices = db.session.scalars(
        select(Notice).where(Notice.user_id == user_id).order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(NOTICES_SHOWN)
    ).all()
    if not notices:
        return []
    emails = dict(db.session.execute(
        select(NoticeDelivery.notice_id, NoticeDelivery.state)
        .where(NoticeDelivery.notice_id.in_([n.id for n in notices]), NoticeDelivery.channel == "email")
    ).all())
    return [NoticeLine(n, texts.render(n.kind, n.data or {}, language), emails.get(n.id)) for n in notices]
