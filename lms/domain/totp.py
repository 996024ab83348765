"""Checking time-based one-time codes (RFC 6238) with replay protection. Pure: `now` is a parameter."""

from __future__ import annotations

import pyotp

STEP_SECONDS = 30
WINDOW = 1  # accept the previous and next 30-second step: phone clocks drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def matching_step(secret: str, code: str, now: float, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is right, recent and newer than `last_step`."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            if last_step is not None and step <= last_step:
                return None  # already used (or older than a used one)
            return step
    return None
