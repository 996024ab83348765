"""Coordinators' operations on their hub's people."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms import audit
from lms.auth import services as accounts
from lms.auth.models import User
from lms.domain.volunteer_csv import CsvResult, parse_volunteer_csv
from lms.extensions import db
from lms.hubs.models import Hub


@dataclass(frozen=True)
class NewAccount:
    user: User
    token: str


def create_volunteer(*, actor: User, hub: Hub, name, email, phone, locale) -> NewAccount:
    """One volunteer, with a one-time link to set their password."""
    user = accounts.create_user(
        name=name, email=email, phone=phone, hub_id=hub.id, locale=locale, actor=actor, commit=False
    )
    token = accounts.create_reset_token(user, created_by=actor)
    return NewAccount(user, token)


CSV_MESSAGES = {
    "not_utf8": lambda v: _("the file is not UTF-8 text; save it as \"CSV UTF-8\""),
    "empty": lambda v: _("the file has no volunteers"),
    "missing_column": lambda v: _("missing column: %(v)s", v=v),
    "unknown_column": lambda v: _("unknown column: %(v)s (known: name, email, phone, language)", v=v),
    "need_email_or_phone_column": lambda v: _("the file needs an email or a phone column"),
    "too_many_rows": lambda v: _("more than %(v)s rows; split the file", v=v),
    "wrong_field_count": lambda v: _("this row has %(v)s fields, the header has a different number", v=v),
    "missing_name": lambda v: _("the name is empty"),
    "name_too_long": lambda v: _("the name is too long: %(v)s", v=v),
    "bad_email": lambda v: _("not a valid email: %(v)s", v=v),
    "email_taken": lambda v: _("an account with %(v)s already exists", v=v),
    "email_repeated": lambda v: _("%(email)s is repeated (first on line %(line)s)", email=v.rsplit(":", 1)[0], line=v.rsplit(":", 1)[1]),
    "bad_phone": lambda v: _("not a valid phone number: %(v)s", v=v),
    "phone_taken": lambda v: _("an account with %(v)s already exists", v=v),
    "phone_repeated": lambda v: _("%(phone)s is repeated (first on line %(line)s)", phone=v.rsplit(":", 1)[0], line=v.rsplit(":", 1)[1]),
    "missing_contact": lambda v: _("give an email or a phone number"),
    "bad_language": lambda v: _("unknown language %(v)s (use kk, ru or en)", v=v),
}


def describe_csv_errors(result: CsvResult) -> list[str]:
    return [
        _("Line %(line)s: %(message)s", line=line, message=CSV_MESSAGES[code](value))
        for line, code, value in result.errors
    ]


def import_volunteers(*, actor: User, hub: Hub, data: bytes) -> tuple[list[NewAccount], list[str]]:
    """Create every volunteer in the CSV, or none: ([accounts], []) or ([], [errors])."""
    existing_emails = set(db.session.scalars(select(User.email).where(User.email.is_not(None))))
    existing_phones = set(db.session.scalars(select(User.phone).where(User.phone.is_not(None))))
    result = parse_volunteer_csv(
        data,
        languages=tuple(current_app.config["LANGUAGES"]),
        existing_emails=existing_emails,
        existing_phones=existing_phones,
    )
    if not result.ok:
        return [], describe_csv_errors(result)
    created: list[NewAccount] = []
    try:
        for row in result.rows:
            user = accounts.create_user(
                name=row.name,
                email=row.email,
                phone=row.phone,
                hub_id=hub.id,
                locale=row.language,
                actor=actor,
                commit=False,
            )
            created.append(NewAccount(user, accounts.create_reset_token(user, created_by=actor, commit=False)))
        audit.record("hub.bulk_import", actor=actor, hub_id=hub.id, count=len(created))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return created, []
