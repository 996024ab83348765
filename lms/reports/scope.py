"""What a report covers (hub or region, period, track) and the conditions that express it.

Shared by the dashboard figures (queries.py) and the trainers' view (trainers.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Index, or_, select

from lms.auth.models import User
from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Course, CourseText
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import LessonProgress, QuizAttempt

EXPIRY_WINDOW_DAYS = 60
NO_HUB = -1  # the key under which people without a hub are counted (hub ids are positive)

# "Active in the last 30 days" asks, per volunteer, for one recent lesson mark or quiz
# submission: one probe into each of these indexes instead of reading the country's recent
# activity (measured: a third of the time for a hub, half for the whole country). Declared
# here, beside the query that needs them, so they go if the reports go (migration 0015).
Index("ix_lesson_progress_user_completed", LessonProgress.user_id, LessonProgress.completed_at)
Index("ix_quiz_attempts_user_submitted", QuizAttempt.user_id, QuizAttempt.submitted_at)
# Lessons led in a period, read from the index alone without visiting the table (whose rows
# carry notes): the country's pass, best of 9, 0.055-0.058 s -> 0.046-0.048 s CPU on SQLite (migration 0017).
Index("ix_lesson_deliveries_report", LessonDelivery.status, LessonDelivery.led_on, LessonDelivery.user_id,
      LessonDelivery.track_id, LessonDelivery.school, LessonDelivery.online, LessonDelivery.children,
      LessonDelivery.parents)


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date
    hub_id: int | None = None
    region: str | None = None
    track_id: int | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time.min)


def is_volunteer():
    """True for users holding the volunteer role (roles are stored comma-separated).

    The same test as `("," || roles || ",") LIKE "%,volunteer,%"`, spelt on the bare
    column: PostgreSQL estimates a pattern on a column from its statistics, but not on
    an expression, which it guessed at 1 row of 10,000 and so planned 10,000 index
    lookups where one scan and a hash join take a third of the time.
    """
    roles = User.roles_text
    return or_(roles.like("volunteer"), roles.like("volunteer,%"), roles.like("%,volunteer"), roles.like("%,volunteer,%"))


def hub_conditions(scope: Scope) -> list:
    """Conditions on User.hub_id for the scope's hub and region (none: everyone)."""
    conditions = []
    if scope.hub_id is not None:
        conditions.append(User.hub_id == scope.hub_id)
    if scope.region:
        conditions.append(User.hub_id.in_(select(Hub.id).where(Hub.region == scope.region)))
    return conditions


def hub_key(hub_id: int | None) -> int:
    return NO_HUB if hub_id is None else hub_id


def in_hubs(hubs: Collection[int]) -> list:
    """Conditions on User.hub_id for these hub keys (NO_HUB: people without a hub)."""
    condition = User.hub_id.in_(sorted(hub for hub in hubs if hub != NO_HUB))
    if NO_HUB in hubs:
        condition = or_(condition, User.hub_id.is_(None))
    return [condition]


def hub_keys(scope: Scope) -> tuple[int, ...]:
    """The hubs a scope covers, as keys: the scope's figures are the sum of theirs.

    Every figure but "active" counts people, and each person is in one hub (or none), so
    a page's figures add up from one part per hub; a write then moves only its hub's part."""
    if scope.hub_id is not None and not scope.region:
        return (scope.hub_id,)
    stmt = select(Hub.id)
    if scope.hub_id is not None:
        stmt = stmt.where(Hub.id == scope.hub_id)
    if scope.region:
        stmt = stmt.where(Hub.region == scope.region)
    keys = tuple(sorted(db.session.execute(stmt).scalars()))
    return keys if scope.hub_id is not None or scope.region else (NO_HUB, *keys)


def people(scope: Scope):
    """The volunteers in scope, as a subquery of ids."""
    return select(User.id).where(is_volunteer(), *hub_conditions(scope))


def courses_in_track(scope: Scope):
    stmt = select(Course.id)
    if scope.track_id is not None:
        stmt = stmt.where(Course.track_id == scope.track_id)
    return stmt


def deliveries(scope: Scope) -> list:
    """Confirmed lessons led by volunteers in scope, within the period (and track)."""
    conditions = [
        LessonDelivery.status == "confirmed",
        LessonDelivery.led_on >= scope.date_from,
        LessonDelivery.led_on <= scope.date_to,
        LessonDelivery.user_id.in_(people(scope)),
    ]
    if scope.track_id is not None:
        conditions.append(LessonDelivery.track_id == scope.track_id)
    return conditions


def valid_certificates(scope: Scope, today: date) -> list:
    conditions = [
        Certificate.revoked_at.is_(None), Certificate.issued_on <= today, Certificate.expires_on > today,
        Certificate.user_id.in_(people(scope)),
    ]
    if scope.track_id is not None:
        conditions.append(Certificate.track_id == scope.track_id)
    return conditions


def course_titles(language: str) -> dict[int, str]:
    """Each course's title in `language`, else in the course's own default language."""
    rows = db.session.execute(select(CourseText.course_id, CourseText.language, CourseText.title, Course.default_language)
                              .join(Course, Course.id == CourseText.course_id)).all()
    titles: dict[int, str] = {}
    for course_id, lang, title, default in rows:
        if lang == language or (lang == default and course_id not in titles):
            titles[course_id] = title
    return titles
