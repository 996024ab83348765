"""Certificate rules: readiness, expiry, state and eligibility to lead lessons.

One definition, used by every page and check. A certificate's expiry date is the
first day it no longer counts: it is valid up to and including the day before.
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass
from datetime import date, datetime

VALID, EXPIRED, REVOKED, NOT_YET = "valid", "expired", "revoked", "not_yet"
# Crockford's base32: no I, L, O, U, so codes read aloud or typed from paper survive.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4  # 16 characters x 5 bits = 80 bits


@dataclass(frozen=True)
class CertificateFacts:
    track: str
    issued_on: date
    expires_on: date
    revoked_at: datetime | None = None


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_date(issued_on: date, valid_months: int) -> date:
    return add_months(issued_on, valid_months)


def certificate_state(cert: CertificateFacts, on_date: date) -> str:
    """The state on a given day. A revocation counts from its day on: lessons led
    before it were led with a valid certificate."""
    if cert.revoked_at is not None and cert.revoked_at.date() <= on_date:
        return REVOKED
    if on_date < cert.issued_on:
        return NOT_YET
    if on_date >= cert.expires_on:
        return EXPIRED
    return VALID


def eligibility(certificates, track: str, on_date: date) -> bool:
    """May the holder of `certificates` lead lessons in `track` on `on_date`?"""
    return any(c.track == track and certificate_state(c, on_date) == VALID for c in certificates)


def days_left(cert: CertificateFacts, on_date: date) -> int:
    return (cert.expires_on - on_date).days


@dataclass(frozen=True)
class Readiness:
    ready: bool
    passed: tuple[str, ...]
    missing: tuple[str, ...]


def readiness(required_courses, passed_courses) -> Readiness:
    passed = set(passed_courses)
    required = tuple(required_courses)
    missing = tuple(c for c in required if c not in passed)
    return Readiness(bool(required) and not missing, tuple(c for c in required if c in passed), missing)


def new_verification_code(randbelow=secrets.randbelow) -> str:
    chars = [CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH)]
    return "-".join("".join(chars[i : i + CODE_GROUP_LENGTH]) for i in range(0, len(chars), CODE_GROUP_LENGTH))


def normalise_code(text: str) -> str | None:
    """Accept a code typed by hand: any case, spaces or dashes, O for 0, I or L for 1."""
    raw = "".join(ch for ch in (text or "").upper() if ch not in " -\t")
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(raw) != CODE_GROUPS * CODE_GROUP_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))
