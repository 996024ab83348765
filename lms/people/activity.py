"""When a volunteer was last active, from what the app records.

Nothing stores a "last login" yet (users.last_seen_at exists but is never written), so
activity is the latest of: a lesson marked done, a quiz started, an enrolment, a
logged lesson. Recorded facts only; page views are not tracked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from lms.auth.models import User
from lms.certificates.models import LessonDelivery
from lms.extensions import db
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt

INACTIVE_DAYS = 30


def _is_volunteer():
    return ("," + User.roles_text + ",").like("%,volunteer,%")


def inactive_since(cutoff: datetime) -> ColumnElement[bool]:
    """Active accounts of volunteers who joined before `cutoff` and did nothing recorded since."""
    recent = [
        exists().where(LessonProgress.user_id == User.id, LessonProgress.completed_at >= cutoff),
        exists().where(QuizAttempt.user_id == User.id, QuizAttempt.started_at >= cutoff),
        exists().where(Enrolment.user_id == User.id, Enrolment.enrolled_at >= cutoff),
        exists().where(LessonDelivery.user_id == User.id, LessonDelivery.created_at >= cutoff),
    ]
    return and_(
        User.active.is_(True), _is_volunteer(), User.created_at < cutoff,
        or_(User.last_seen_at.is_(None), User.last_seen_at < cutoff),
        ~or_(*recent),
    )


def cutoff(now: datetime, days: int = INACTIVE_DAYS) -> datetime:
    return now - timedelta(days=days)


def last_activity(user_id: int) -> datetime | None:
    """The latest recorded action of one person (one query)."""
    parts = [
        select(func.max(LessonProgress.completed_at)).where(LessonProgress.user_id == user_id),
        select(func.max(QuizAttempt.started_at)).where(QuizAttempt.user_id == user_id),
        select(func.max(Enrolment.enrolled_at)).where(Enrolment.user_id == user_id),
        select(func.max(LessonDelivery.created_at)).where(LessonDelivery.user_id == user_id),
    ]
    values = db.session.execute(select(*(p.scalar_subquery() for p in parts))).one()
    found = [v for v in values if v is not None]
    return max(found) if found else None
