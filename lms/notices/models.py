"""A notice shown in the app, its deliveries by email (the outbox), and email opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models_base import utcnow


class Notice(db.Model):
    """Something a user should hear about, shown under the bell until read."""

    __tablename__ = "notices"
    # The bell counts a user's unread notices on most pages: one index answers it.
    __table_args__ = (Index("ix_notices_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # lms.domain.notices.KINDS
    data: Mapped[dict] = mapped_column(JSON)  # what the text needs: ids, serial, dates, reason
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Reminders the job makes (expiry stage, retry, weekly digest) carry a key, so two
    # overlapping runs cannot make the same reminder twice. Event notices have none.
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    user = relationship("User")


class NoticeDelivery(db.Model):
    """The outbox: one row per notice and channel, claimed by a sender run with a lease,
    then marked sent (or skipped, or failed). See docs/notifications.md."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (Index("ix_notice_deliveries_state_claimed_until", "state", "claimed_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | skipped | failed
    # Fixed when the row is written, before any send: a resend after a crash carries the
    # same Message-ID, so the duplicate is recognisable (and tests count distinct ones).
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    tries: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # While claimed: the lease's end. Released after a temporary failure: the next try's time.
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice = relationship("Notice")


class NoticeOptOut(db.Model):
    """A topic (lms.domain.notices.TOPICS) a user does not want by email. No row: wanted."""

    __tablename__ = "notice_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
