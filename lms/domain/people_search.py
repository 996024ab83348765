"""What a people-search box means: a piece of a name or email, or a phone number in
any of the ways people write one ("8 701 000 00 00", "+7 (701) 000-00-00", "701 000")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.domain.contacts import normalise_phone

_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]+$")
MIN_PHONE_DIGITS = 3  # fewer digits would match most numbers


@dataclass(frozen=True)
class PeopleQuery:
    text: str  # lower-cased, matched inside names and emails
    phone_patterns: tuple[str, ...]  # LIKE patterns for stored numbers ("+77010000000")

    @property
    def name_pattern(self) -> str:
        return f"%{escape_like(self.text)}%"


def escape_like(value: str) -> str:
    r"""Escape LIKE's wildcards so "50%" or "a_b" are searched as typed (escape char: \)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse(raw: str) -> PeopleQuery | None:
    """None for an empty box. Case is folded with str.lower, as the database's lower()
    does (PostgreSQL's, and the Unicode-aware one installed on SQLite connections)."""
    text = (raw or "").strip()[:200]
    if not text:
        return None
    return PeopleQuery(text.lower(), _phone_patterns(text))


def _phone_patterns(text: str) -> tuple[str, ...]:
    if not _PHONE_LIKE.match(text):
        return ()
    full = normalise_phone(text)
    if full:  # a whole number: the stored form exactly
        return (full,)
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return ()
    patterns = [f"%{digits}%"]
    if digits.startswith("8") and not text.startswith("+"):
        # "8 701 ..." is the domestic way to write +7 701 ...
        patterns.append(f"+7{digits[1:]}%")
    return tuple(patterns)
