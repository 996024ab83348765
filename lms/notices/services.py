"""Writing notices (inside the caller's transaction), reading them, and email preferences.

`emit` adds the notice and its outbox row to the transaction the event itself runs in:
the certificate and the news of it are committed together or not at all, and the sender
job (lms.notices.delivery) finds the outbox row afterwards.
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select, update

from lms.domain import notices as rules
from lms.extensions import db
from lms.models_base import utcnow
from lms.notices.models import Notice, NoticeDelivery, NoticeOptOut
from lms.transactions import write_transaction

PAGE_SIZE = 50


def new_message_id() -> str:
    """An RFC 5322 Message-ID on the sending domain, random so rows never collide."""
    sender = current_app.config.get("MAIL_FROM") or ""
    domain = sender.rpartition("@")[2].strip(" >") or "lms.localhost"
    return f"<notice.{secrets.token_hex(12)}@{domain}>"


def emit(user_id: int, kind: str, *, dedupe_key: str | None = None, **data) -> Notice:
    """Add a notice and its email outbox row to the current write transaction (the caller commits).

    Whether the email is wanted (an address, the user's choice) is decided when sending,
    so a later unsubscribe or a phone-only account is respected then.
    """
    if kind not in rules.KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    notice = Notice(user_id=user_id, kind=kind, data=data, dedupe_key=dedupe_key, created_at=utcnow())
    db.session.add(notice)
    db.session.flush()
    db.session.add(NoticeDelivery(notice_id=notice.id, channel="email", message_id=new_message_id()))
    db.session.info["lms_notices_emitted"] = True  # lms.notices.queue wakes a worker after commit
    return notice


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
    ) or 0


def notices_of(user_id: int, limit: int = PAGE_SIZE) -> list[Notice]:
    return db.session.scalars(
        select(Notice).where(Notice.user_id == user_id).order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)
    ).all()


def mark_read(user_id: int, notice_id: int | None = None) -> int:
    """Mark one notice (or all) of this user read; another user's notice id changes nothing."""
    with write_transaction():
        query = update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
        if notice_id is not None:
            query = query.where(Notice.id == notice_id)
        return db.session.execute(query.values(read_at=utcnow())).rowcount


# ---- email preferences

def opted_out(user_id: int) -> set[str]:
    return set(db.session.scalars(select(NoticeOptOut.topic).where(NoticeOptOut.user_id == user_id)))


def set_email_topics(user_id: int, wanted: set[str]) -> None:
    """Keep email for exactly the `wanted` topics; unknown topic names are ignored."""
    unwanted = set(rules.TOPICS) - set(wanted)
    with write_transaction():
        db.session.execute(delete(NoticeOptOut).where(NoticeOptOut.user_id == user_id))
        for topic in sorted(unwanted):
            db.session.add(NoticeOptOut(user_id=user_id, topic=topic))


def unsubscribe(user_id: int, topic: str) -> bool:
    """Turn one topic off for email. True when it was on (a repeat click changes nothing)."""
    if topic not in rules.TOPICS:
        return False
    with write_transaction():
        exists = db.session.get(NoticeOptOut, (user_id, topic))
        if exists is not None:
            return False
        db.session.add(NoticeOptOut(user_id=user_id, topic=topic))
    return True


# ---- one-click unsubscribe links

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="lms.notices.unsubscribe")


def unsubscribe_token(user_id: int, topic: str) -> str:
    """Signed, no expiry: a link in a two-year-old email must still work (RFC 8058)."""
    return _serializer().dumps([user_id, topic])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, topic = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or topic not in rules.TOPICS:
        return None
    return user_id, topic
