"""A coordinator's home: what waits for them in their hub, as counts that link to the queues.

A fixed number of queries whatever the hub's size (tests/functional/test_homes.py
counts them): every figure is one COUNT, except the certification queue, which is
ready_queue's own fixed set of queries (its rules are not expressible as one COUNT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from lms.auth.models import PasswordHelpRequest, User
from lms.certificates import services as certification
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.domain import duties
from lms.domain.roles import VOLUNTEER, Actor
from lms.extensions import db
from lms.hubs.models import Hub
from lms.people import activity

EXPIRY_DAYS = 60
# The hub settings courses show volunteers; an empty one leaves them "not set: ask your coordinator".
HUB_SETTINGS = ("helpline", "contact", "safeguarding", "emergency")


@dataclass(frozen=True)
class Inbox:
    hub: Hub
    ready: int  # volunteer/track pairs this viewer may certify now
    awaiting_decision: int  # revoked pairs waiting for a decision this viewer may take
    lessons_to_confirm: int
    expiring: int  # valid certificates ending within EXPIRY_DAYS, not yet renewed
    inactive: int  # volunteers with nothing recorded for activity.INACTIVE_DAYS
    reset_requests: int = 0  # people who asked for a new password that no email can bring
    missing_settings: list[str] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return self.ready + self.awaiting_decision + self.lessons_to_confirm + self.reset_requests


def _someone_else(hub_id: int) -> Actor:
    """A stand-in volunteer of the hub: "may this viewer act on this hub's people at all?"."""
    return Actor(id=-1, hub_id=hub_id, roles=frozenset({VOLUNTEER}))


def coordinator_inbox(hub: Hub, viewer: User, now: datetime, on: date | None = None) -> Inbox:
    on = on or now.date()
    acting = viewer.as_actor()
    other = _someone_else(hub.id)

    ready = len(certification.ready_queue(hub.id, on, actor=viewer))

    awaiting = 0
    if duties.may_lift_hold(acting, other, hub.id):
        awaiting = db.session.scalar(
            select(func.count()).select_from(CertificationHold)
            .where(CertificationHold.hub_id == hub.id, CertificationHold.lifted_at.is_(None),
                   CertificationHold.user_id != viewer.id)
        )

    lessons = 0
    if duties.may_review_lesson(acting, other, hub.id):
        # Their own lessons are confirmed by someone else (duties.may_review_lesson).
        lessons = db.session.scalar(
            select(func.count()).select_from(LessonDelivery)
            .where(LessonDelivery.hub_id == hub.id, LessonDelivery.status == "pending",
                   LessonDelivery.user_id != viewer.id)
        )

    later = aliased(Certificate)
    renewed = exists().where(later.user_id == Certificate.user_id, later.track_id == Certificate.track_id,
                             later.revoked_at.is_(None), later.expires_on > Certificate.expires_on)
    expiring = db.session.scalar(
        select(func.count()).select_from(Certificate).join(User, User.id == Certificate.user_id)
        .where(User.hub_id == hub.id, Certificate.revoked_at.is_(None), Certificate.issued_on <= on,
               Certificate.expires_on > on, Certificate.expires_on <= on + timedelta(days=EXPIRY_DAYS), ~renewed)
    )

    inactive = db.session.scalar(
        select(func.count()).select_from(User)
        .where(and_(User.hub_id == hub.id, activity.inactive_since(activity.cutoff(now))))
    )
    resets = 0
    if duties.may_make_reset_link(acting, other):
        resets = db.session.scalar(
            select(func.count()).select_from(PasswordHelpRequest)
            .where(PasswordHelpRequest.hub_id == hub.id, PasswordHelpRequest.resolved_at.is_(None),
                   PasswordHelpRequest.user_id != viewer.id)
        )
    missing = [name for name in HUB_SETTINGS if not (getattr(hub, name) or "").strip()]
    return Inbox(hub, ready, awaiting, lessons, expiring, inactive, resets, missing)
