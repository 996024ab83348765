"""The sender job: claim due outbox rows with a lease, send each, mark it sent.

Exactly-once in practice, at-least-once in the worst case (docs/notifications.md):
- Two runs never send the same row: a row is claimed in its own short write transaction
  (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE serialises claims) and the
  claim is a conditional UPDATE that only succeeds where no live lease exists.
- A run killed before the server accepted a message leaves a lease that expires; the
  next run after that takes the row again and sends it.
- The one window for a duplicate is between the SMTP server's "250 accepted" and the
  commit that marks the row sent (a few milliseconds). A crash exactly there resends the
  message after the lease expires, with the same Message-ID (written with the row), so
  mail clients and the tests can recognise it. We chose this over at-most-once because a
  lost certificate or expiry notice costs more than a rare duplicate.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from lms.auth.models import User
from lms.domain import notices as rules
from lms.extensions import db
from lms.models_base import utcnow
from lms.notices import services, texts
from lms.notices.models import Notice, NoticeDelivery
from lms.notices.senders import (
    Outgoing,
    PermanentFailure,
    Sender,
    ServerUnavailable,
    TemporaryFailure,
    available_senders,
)
from lms.transactions import write_transaction

DEFAULT_LEASE_SECONDS = 300
# Test hook for the crash tests: pause (to be killed) right after the first message was
# accepted ("accept") or after it was marked sent ("mark"). Unset in production.
PAUSE_ENV = "LMS_NOTICES_PAUSE_AFTER"


@dataclass
class RunReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"[:64]


def claim_next(worker: str, lease_seconds: int) -> int | None:
    """Take the oldest due row for `worker` until the lease ends; None when nothing is due."""
    with write_transaction():
        now = utcnow()
        free = or_(NoticeDelivery.claimed_until.is_(None), NoticeDelivery.claimed_until < now)
        row_id = db.session.scalar(
            select(NoticeDelivery.id).where(NoticeDelivery.state == "pending", free)
            .order_by(NoticeDelivery.id).limit(1).with_for_update(skip_locked=True)
        )
        if row_id is None:
            return None
        taken = db.session.execute(
            update(NoticeDelivery).where(NoticeDelivery.id == row_id, NoticeDelivery.state == "pending", free)
            .values(claimed_by=worker, claimed_until=now + timedelta(seconds=lease_seconds),
                    tries=NoticeDelivery.tries + 1)
        ).rowcount
    return row_id if taken else claim_next(worker, lease_seconds)


def _finish(row_id: int, worker: str, **values) -> bool:
    """Record the outcome, only while the claim is still ours."""
    with write_transaction():
        return bool(db.session.execute(
            update(NoticeDelivery).where(NoticeDelivery.id == row_id, NoticeDelivery.claimed_by == worker,
                                         NoticeDelivery.state == "pending")
            .values(**values)
        ).rowcount)


def _pause_for_test(stage: str) -> None:
    if os.environ.get(PAUSE_ENV) == stage:
        print(f"paused after {stage}", flush=True)
        sys.stdout.flush()
        time.sleep(3600)


def compose(delivery: NoticeDelivery, notice: Notice, user: User, address: str) -> Outgoing:
    """The message in the user's language, with its one-click unsubscribe link (RFC 8058)."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    topic = rules.topic_of(notice.kind)
    with force_locale(locale):
        text = texts.render(notice.kind, notice.data, locale, external=True)
        unsubscribe = texts.link_for("notices.unsubscribe", True, token=services.unsubscribe_token(user.id, topic))
        settings = texts.link_for("notices.preferences", True)
        from flask_babel import gettext as _

        footer = [
            "",
            "--",
            _("You get this email because of your notification settings."),
            _("Stop emails like this one: %(url)s", url=unsubscribe),
            _("Choose which emails you get: %(url)s", url=settings),
        ]
    body = "\n\n".join(text.lines) + "\n\n" + text.link + "\n" + "\n".join(footer) + "\n"
    return Outgoing(
        to=address, subject=text.title, body=body, message_id=delivery.message_id, language=locale,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _skip_reason(sender: Sender | None, notice: Notice, user: User | None) -> str | None:
    if sender is None:
        return "no sender for this channel (mail not configured)"
    if user is None or not user.is_active:
        return "account inactive"
    if sender.address_of(user) is None:
        return "no address on this channel"
    if rules.topic_of(notice.kind) in services.opted_out(user.id):
        return "the user turned these off"
    return None


def deliver_one(row_id: int, worker: str, senders: dict[str, Sender], report: RunReport) -> bool:
    """Deliver one claimed row; False when the channel's server is unreachable (stop the run)."""
    delivery = db.session.get(NoticeDelivery, row_id, populate_existing=True)
    notice = db.session.get(Notice, delivery.notice_id)
    user = db.session.get(User, notice.user_id)
    sender = senders.get(delivery.channel)
    db.session.commit()  # end the read; the send happens outside any transaction
    reason = _skip_reason(sender, notice, user)
    if reason:
        _finish(row_id, worker, state="skipped", last_error=reason, claimed_until=None)
        report.skipped += 1
        report.skipped_reasons[reason] = report.skipped_reasons.get(reason, 0) + 1
        return True
    message = compose(delivery, notice, user, sender.address_of(user))
    try:
        sender.send(message)
    except PermanentFailure as error:
        _finish(row_id, worker, state="failed", last_error=str(error)[:300], claimed_until=None)
        report.failed += 1
        return True
    except TemporaryFailure as error:
        retry_at = rules.next_try_after(delivery.tries, utcnow())
        if retry_at is None:
            _finish(row_id, worker, state="failed", last_error=str(error)[:300], claimed_until=None)
            report.failed += 1
        else:
            _finish(row_id, worker, claimed_by=None, claimed_until=retry_at, last_error=str(error)[:300])
            report.retrying += 1
        current_app.logger.warning("notice delivery %s: will retry: %s", row_id, error)
        return not isinstance(error, ServerUnavailable)
    _pause_for_test("accept")
    # The duplicate window closes here: one short UPDATE right after the server's reply.
    _finish(row_id, worker, state="sent", sent_at=utcnow(), claimed_until=None, last_error="")
    report.sent += 1
    _pause_for_test("mark")
    return True


def send_due(*, limit: int | None = None, lease_seconds: int = DEFAULT_LEASE_SECONDS,
             senders: dict[str, Sender] | None = None) -> RunReport:
    """Send every due outbox row (at most `limit`), each by exactly one run."""
    worker = worker_name()
    senders = available_senders(current_app.config) if senders is None else senders
    report = RunReport()
    handled = 0
    try:
        while limit is None or handled < limit:
            row_id = claim_next(worker, lease_seconds)
            if row_id is None:
                break
            handled += 1
            if not deliver_one(row_id, worker, senders, report):
                break  # the server is down: the other rows wait, unclaimed, for a later run
    finally:
        for sender in senders.values():
            sender.close()
    return report
