"""The lock rules for failed logins, registrations and reset requests (no app, no database)."""

from __future__ import annotations

import pytest

from lms.domain.throttle import ACCOUNT_LOGIN, ADDRESS_LOGIN, ThrottlePolicy, lock_seconds, minutes_to_wait

POLICY = ThrottlePolicy(free=3, window=600, first_lock=60, max_lock=900)


def test_no_lock_before_the_free_events_are_used():
    assert [lock_seconds(POLICY, n) for n in range(3)] == [0, 0, 0]


def test_the_lock_doubles_with_each_further_event_up_to_the_cap():
    assert [lock_seconds(POLICY, n) for n in range(3, 9)] == [60, 120, 240, 480, 900, 900]


def test_a_huge_count_does_not_overflow():
    assert lock_seconds(POLICY, 10**9) == 900


@pytest.mark.parametrize(("seconds", "minutes"), [(0.2, 1), (59, 1), (60, 1), (61, 2), (3599, 60)])
def test_wait_is_said_in_whole_minutes_rounded_up(seconds, minutes):
    assert minutes_to_wait(seconds) == minutes


def test_an_address_gets_far_more_tries_than_an_account():
    """A school lab or a hub office shares one address."""
    assert ADDRESS_LOGIN.free >= 10 * ACCOUNT_LOGIN.free
