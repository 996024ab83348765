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
# A volunteer/track pair after a revocation: on hold until a coordinator decides; then
# either clear, or waiting for the volunteer to pass the track's courses again.
ON_HOLD, RETRAIN_NEEDED, CLEAR = "on_hold", "retrain_needed", "clear"
# What lifting a hold asks of the volunteer before a new certificate.
RETRAIN, REINSTATE = "retrain", "reinstate"
LIFT_REQUIREMENTS = (RETRAIN, REINSTATE)
# Shown publicly instead of the free-text reason, which may name people.
REVOCATION_CATEGORIES = ("conduct", "safeguarding", "dishonesty", "issued_in_error", "withdrawn", "other")
# Crockford's base32: no I, L, O, U, so codes read aloud or typed from paper survive.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4  # 16 characters x 5 bits = 80 bits


@dataclass(frozen=True)
class CertificateFacts:
    track: str
    issued_on: date
    expires_on: date
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class HoldFacts:
    """A revocation's hold on a volunteer/track pair and the decision that lifted it."""

    track: str
    placed_at: datetime
    lifted_at: datetime | None = None
    requirement: str | None = None  # RETRAIN or REINSTATE, once lifted


def latest_hold(holds, track: str) -> HoldFacts | None:
    """The hold that decides for `track`: the most recently placed one."""
    mine = [h for h in holds if h.track == track]
    return max(mine, key=lambda h: h.placed_at) if mine else None


def hold_state(hold: HoldFacts | None, retrained_since_lift: bool) -> str:
    """CLEAR, ON_HOLD (no decision yet) or RETRAIN_NEEDED (lifted, courses to pass again).

    `retrained_since_lift`: the volunteer passed every quiz of the track's courses with
    an attempt submitted after the hold was lifted.
    """
    if hold is None:
        return CLEAR
    if hold.lifted_at is None:
        return ON_HOLD
    if hold.requirement == RETRAIN and not retrained_since_lift:
        return RETRAIN_NEEDED
    return CLEAR


def issuance_refusal(*, kind: str, ready: bool, eligible: bool, renewal_ready: bool, hold: str) -> str | None:
    """Why a certificate may not be issued now (a refusal code), or None when it may.

    `kind`: "courses" (by the track's rule, by a coordinator or automatically) or
    "in_person" (a coordinator's own assessment, with a note). A hold stops both: a
    revocation is undone only by a decision, never by the next quiz or form.
    """
    if hold == ON_HOLD:
        return "on_hold"
    if eligible and not renewal_ready:
        return "already_certified"
    if kind == "in_person" or renewal_ready:
        return None
    if hold == RETRAIN_NEEDED:
        return "retrain_needed"
    return None if ready else "not_ready"


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
