"""Lessons volunteers led at schools: logging them (only with a valid certificate in the
track on the lesson's day) and their review by the hub."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from lms import audit
from lms.auth.models import User
from lms.certificates import services
from lms.certificates.models import LessonDelivery
from lms.certificates.services import CertificationError, claim_form_key, today
from lms.courses.models import Track
from lms.domain import certification as rules
from lms.domain import duties
from lms.extensions import db
from lms.models_base import utcnow
from lms.notices import services as notices
from lms.transactions import write_transaction

OLDEST_LOGGED_LESSON_DAYS = 365


@dataclass(frozen=True)
class DeliveryInput:
    track_slug: str
    led_on: date
    school: str
    region: str
    online: bool
    children: int
    parents: int
    co_leader: str = ""
    notes: str = ""


def log_delivery(volunteer: User, data: DeliveryInput, *, on: date | None = None,
                 form_key: str | None = None) -> LessonDelivery:
    """Record a lesson led. Refused unless the volunteer held a valid certificate in the
    track on the lesson's date; checked here, whatever the form offered."""
    on = on or today()
    if data.led_on > on:
        raise CertificationError("future_date")
    if data.led_on < on - timedelta(days=OLDEST_LOGGED_LESSON_DAYS):
        raise CertificationError("too_old")
    with write_transaction():
        claim_form_key(form_key, volunteer, "delivery.log")
        track = db.session.scalar(select(Track).where(Track.slug == data.track_slug))
        certs = services.certificates_of(volunteer.id)
        valid = [c for c in certs if track is not None and c.track_id == track.id
                 and rules.certificate_state(c.facts(), data.led_on) == rules.VALID]
        if track is None or not valid:
            raise CertificationError("not_eligible")
        delivery = LessonDelivery(
            user_id=volunteer.id, hub_id=volunteer.hub_id, track_id=track.id, certificate_id=valid[0].id,
            led_on=data.led_on, school=data.school.strip(), region=data.region.strip(), online=data.online,
            children=data.children, parents=data.parents, co_leader=data.co_leader.strip(), notes=data.notes.strip(),
        )
        db.session.add(delivery)
    return delivery


def review_delivery(delivery: LessonDelivery, *, actor: User, confirm: bool, note: str = "",
                    form_key: str | None = None) -> None:
    """Confirm or reject a logged lesson: a coordinator of its hub or an admin, never its leader."""
    if not duties.may_review_lesson(actor.as_actor(), delivery.volunteer.as_actor(), delivery.hub_id):
        raise CertificationError("forbidden")
    with write_transaction():
        claim_form_key(form_key, actor, "delivery.review")
        db.session.execute(
            update(LessonDelivery).where(LessonDelivery.id == delivery.id).values(
                status="confirmed" if confirm else "rejected", reviewed_by_id=actor.id,
                reviewed_at=utcnow(), review_note=note.strip(),
            )
        )
        audit.record("delivery.confirm" if confirm else "delivery.reject", actor=actor, target=delivery,
                     hub_id=delivery.hub_id, subject=delivery.user_id, note=note.strip())
        notices.emit(delivery.user_id, "lesson_confirmed" if confirm else "lesson_rejected", delivery_id=delivery.id,
                     school=delivery.school, led_on=delivery.led_on.isoformat(), reason=note.strip())
    db.session.refresh(delivery)
