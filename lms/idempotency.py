"""One-time form keys for records that matter (a lesson logged, a certificate issued or
revoked, a lesson confirmed): the same form sent twice (double tap, resend after a
timeout) changes nothing the second time, and says so.

Each form carries a fresh random key. The action claims the key in its own write
transaction, so the record and the claim land together or not at all; the key's
primary key settles a race between two copies of one submission.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import request
from sqlalchemy import ForeignKey, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models_base import utcnow

FIELD = "form_key"


class FormSubmission(db.Model):
    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateSubmission(Exception):
    """This form was already sent and acted on."""


class MissingFormKey(Exception):
    """A POST without a usable key: not from our form (or from a page cached before keys)."""


def new_key() -> str:
    return secrets.token_urlsafe(24)


def submitted_key() -> str:
    key = (request.form.get(FIELD) or "").strip()
    if not 16 <= len(key) <= 64:
        raise MissingFormKey()
    return key


def claim(key: str, *, user_id: int, action: str) -> None:
    """Record the key in the caller's write transaction; DuplicateSubmission if seen before."""
    if db.session.get(FormSubmission, key) is not None:
        raise DuplicateSubmission()
    db.session.add(FormSubmission(key=key, user_id=user_id, action=action))
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form, sent twice at once
        raise DuplicateSubmission() from error


def init_app(app) -> None:
    app.jinja_env.globals["new_form_key"] = new_key
