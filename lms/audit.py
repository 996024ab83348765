"""Append-only audit log of security-relevant actions: who did what to whom, when, why."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.extensions import db
from lms.models_base import utcnow

security_log = logging.getLogger("lms.security")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None]
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)
    # The person acted upon (a certificate's holder, a lesson's leader, an account), so
    # the log answers "what was done to whom" without reading `detail`.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")


def record(action: str, *, actor=None, target=None, hub_id=None, subject=None, **detail) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    Living in the caller's transaction means an action and its record land together
    or not at all.
    """
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        hub_id=hub_id,
        subject_id=_subject_id(target, subject),
        detail=json.dumps(detail, ensure_ascii=False, default=str),
    )
    db.session.add(event)
    # json.dumps escapes newlines, so user input cannot forge extra log lines.
    security_log.info(
        "%s actor=%s target=%s:%s %s",
        action,
        event.actor_id,
        event.target_type,
        event.target_id,
        event.detail,
    )
    return event


def _subject_id(target, subject) -> int | None:
    if subject is not None:
        return getattr(subject, "id", subject)
    if type(target).__name__ == "User":
        return target.id
    return getattr(target, "user_id", None)


@event.listens_for(Session, "before_flush")
def _audit_log_is_append_only(session, _context, _instances):
    """The audit log only grows: an update or delete of a record is a bug, so it fails."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("audit events cannot be changed or deleted")
