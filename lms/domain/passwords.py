"""Password policy: long enough, not on the common list. Pure, so it is testable alone."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 256  # long passphrases welcome; a bound keeps hashing cheap


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    )


def password_problems(password: str, *, identifiers: tuple[str, ...] = ()) -> list[str]:
    """Return the reasons (message ids) a password is refused; empty when acceptable.

    Unicode is kept exactly as typed (NFC-normalised so the same passphrase typed
    on two keyboards matches); length counts characters, not bytes.
    """
    normalised = unicodedata.normalize("NFC", password)
    problems = []
    if len(normalised) < MIN_LENGTH:
        problems.append("too_short")
    if len(normalised) > MAX_LENGTH:
        problems.append("too_long")
    lowered = normalised.lower()
    if lowered in common_passwords():
        problems.append("common")
    if any(ident and lowered == ident.lower() for ident in identifiers):
        problems.append("same_as_login")
    return problems


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)
