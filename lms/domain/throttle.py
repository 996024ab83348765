"""How many failures are allowed before a lock, and for how long: pure rules.

Failed logins are counted per account and per client address. An account gets a few
free tries, then a lock that doubles with each further failure (1, 2, 4 ... minutes,
capped), so guessing a password is slow while a volunteer who mistypes a few times
waits a minute. An address gets far more free tries: a school's lab or a hub office
shares one address (and behind a proxy without PROXY_FIX_HOPS, everyone does).
Successful logins are never counted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    """`free` events within `window` seconds pass; each one after that locks for
    `first_lock` seconds, doubled per extra event, at most `max_lock`."""

    free: int
    window: int
    first_lock: int
    max_lock: int


def lock_seconds(policy: ThrottlePolicy, count: int) -> int:
    """Seconds to lock after the `count`-th event in the window (0: no lock)."""
    if count < policy.free:
        return 0
    doublings = min(count - policy.free, 30)  # bounded: no huge powers of two
    return min(policy.first_lock * 2**doublings, policy.max_lock)


def minutes_to_wait(seconds: float) -> int:
    """What the message says: whole minutes, rounded up, at least one."""
    return max(1, int(-(-seconds // 60)))


# Limits per purpose. Registration and reset requests lock the address for the rest of
# the window; a lab registering a class at once fits inside the free count.
ACCOUNT_LOGIN = ThrottlePolicy(free=5, window=15 * 60, first_lock=60, max_lock=60 * 60)
ADDRESS_LOGIN = ThrottlePolicy(free=50, window=15 * 60, first_lock=60, max_lock=15 * 60)
ACCOUNT_CODE = ThrottlePolicy(free=5, window=15 * 60, first_lock=60, max_lock=60 * 60)
ADDRESS_REGISTER = ThrottlePolicy(free=40, window=60 * 60, first_lock=60 * 60, max_lock=60 * 60)
ADDRESS_RESET = ThrottlePolicy(free=10, window=60 * 60, first_lock=60 * 60, max_lock=60 * 60)
ACCOUNT_RESET = ThrottlePolicy(free=3, window=60 * 60, first_lock=60 * 60, max_lock=60 * 60)
