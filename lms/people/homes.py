"""Which home each person gets, and the volunteer's part of it: next steps and the
lessons they led. Staff see their work first (lms.people.inbox, lms.people.trainer_home)
and their own learning below it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.authoring.access import authored_slugs
from lms.certificates.models import LessonDelivery
from lms.domain import next_steps as steps
from lms.domain.roles import ADMIN, COORDINATOR, TRAINER
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.dashboard import VolunteerDashboard
from lms.models_base import utcnow
from lms.people import inbox as inbox_queries
from lms.people import trainer_home as trainer_queries


@dataclass(frozen=True)
class LessonsLed:
    confirmed: int
    pending: int
    children: int  # reached in confirmed lessons
    by_track: dict[int, int]  # track id -> lessons logged (any status)


@dataclass(frozen=True)
class Home:
    inbox: inbox_queries.Inbox | None
    trainer: trainer_queries.TrainerHome | None
    next_steps: list[steps.NextStep]
    lessons: LessonsLed


def lessons_led(user_id: int) -> LessonsLed:
    rows = db.session.execute(
        select(LessonDelivery.track_id, LessonDelivery.status, func.count(), func.sum(LessonDelivery.children))
        .where(LessonDelivery.user_id == user_id).group_by(LessonDelivery.track_id, LessonDelivery.status)
    ).all()
    by_track: dict[int, int] = {}
    confirmed = pending = children = 0
    for track_id, status, n, kids in rows:
        by_track[track_id] = by_track.get(track_id, 0) + n
        if status == "confirmed":
            confirmed += n
            children += kids or 0
        elif status == "pending":
            pending += n
    return LessonsLed(confirmed, pending, children, by_track)


def home_for(user, board: VolunteerDashboard, standings: dict, language: str) -> Home:
    """`standings`: track id -> lms.certificates.services.TrackStanding of this user."""
    now = utcnow()
    inbox = None
    if user.has_role(COORDINATOR, ADMIN) and user.hub_id is not None:
        hub = db.session.get(Hub, user.hub_id)
        inbox = inbox_queries.coordinator_inbox(hub, user, now) if hub is not None else None
    trainer = None
    if user.has_role(TRAINER):
        trainer = trainer_queries.trainer_home(authored_slugs(user) if not user.has_role(ADMIN) else None, language, now)
    lessons = lessons_led(user.id)
    enrolled = {card.course.slug for card in board.in_progress} | {card.course.slug for card, _e in board.passed}
    facts = []
    for t in board.tracks:
        s = standings.get(t.track.id)
        facts.append(steps.TrackFacts(
            slug=t.track.slug, title=t.title, required=tuple(t.required),
            certified=bool(s and s.eligible), can_be_issued=bool(s and s.can_be_issued), on_hold=bool(s and s.on_hold),
            lessons_logged=lessons.by_track.get(t.track.id, 0),
        ))
    return Home(inbox, trainer, steps.next_steps(facts, enrolled), lessons)
