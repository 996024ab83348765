"""Normalising and checking the ways people log in: an email or a phone number."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_PHONE_CHARS = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"^\+?\d{10,15}$")


def normalise_email(value: str) -> str | None:
    """Lower-cased address, or None when it is not a valid email address."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        # No DNS look-up: volunteers may register while the network is down.
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def normalise_phone(value: str) -> str | None:
    """Digits with a leading +, or None when it does not look like a phone number.

    Kazakh numbers are often written 8 7xx ...; they are stored as +7 7xx ...
    so that both spellings find the same account.
    """
    compact = _PHONE_CHARS.sub("", (value or "").strip())
    if not _PHONE.match(compact):
        return None
    digits = compact.lstrip("+")
    if not compact.startswith("+") and len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return "+" + digits


def classify_login(value: str) -> tuple[str, str] | None:
    """('email', normalised) or ('phone', normalised) for a login field, else None."""
    if "@" in (value or ""):
        email = normalise_email(value)
        return ("email", email) if email else None
    phone = normalise_phone(value)
    return ("phone", phone) if phone else None
