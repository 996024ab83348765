"""After a revocation: the volunteer/track pair waits for a decision, and the decision.

A revocation is a decision about a person, so the next passed quiz must not undo it.
services.revoke places the hold; here a coordinator of the hub (not the holder) or an
admin lifts it with a reason, choosing what the volunteer must do before a new
certificate (lms.domain.certification.LIFT_REQUIREMENTS).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from lms import audit
from lms.auth.models import User
from lms.certificates.models import CertificationHold
from lms.certificates.services import CertificationError, auto_issue, claim_form_key
from lms.domain import certification as rules
from lms.domain import duties
from lms.extensions import db
from lms.models_base import utcnow
from lms.transactions import write_transaction


@dataclass(frozen=True)
class AwaitingDecision:
    hold: CertificationHold
    may_decide: bool  # False where the viewer is the holder


def awaiting_decision(hub_id: int, viewer: User) -> list[AwaitingDecision]:
    """The hub's holds nobody has lifted yet, newest first, with who revoked and why."""
    holds = db.session.scalars(
        select(CertificationHold)
        .where(CertificationHold.hub_id == hub_id, CertificationHold.lifted_at.is_(None))
        .order_by(CertificationHold.placed_at.desc())
    ).all()
    acting = viewer.as_actor()
    return [AwaitingDecision(h, duties.may_lift_hold(acting, h.holder.as_actor(), h.hub_id)) for h in holds]


def lift(hold: CertificationHold, *, actor: User, reason: str, requirement: str,
         form_key: str | None = None) -> list:
    """Lift a hold with a reason; returns certificates issued at once as a result.

    With REINSTATE the volunteer's earlier passes count again: a track that issues
    automatically issues now, a reviewed track puts them back in the hub's queue. With
    RETRAIN they must pass the track's courses again (attempts after this moment).
    """
    if not duties.may_lift_hold(actor.as_actor(), hold.holder.as_actor(), hold.hub_id):
        raise CertificationError("forbidden")
    if not reason.strip():
        raise CertificationError("reason_required")
    if requirement not in rules.LIFT_REQUIREMENTS:
        raise CertificationError("requirement_required")
    with write_transaction():
        claim_form_key(form_key, actor, "certificate.hold_lift")
        done = db.session.execute(
            update(CertificationHold)
            .where(CertificationHold.id == hold.id, CertificationHold.lifted_at.is_(None))
            .values(lifted_at=utcnow(), lifted_by_id=actor.id, lift_reason=reason.strip(), requirement=requirement)
        ).rowcount
        if not done:
            raise CertificationError("already_decided")
        audit.record("certificate.hold_lift", actor=actor, target=hold, hub_id=hold.hub_id, subject=hold.user_id,
                     track=hold.track.slug, requirement=requirement, reason=reason.strip())
    db.session.refresh(hold)
    if hold.track.rule.get("issuance") == "auto":
        return [c for c in auto_issue(hold.holder) if c.track_id == hold.track_id]
    return []
