"""Notice rules: expiry stages, retry after a cool-down, reminder keys and retry delays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lms.domain import notices as rules

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 12, 0)


@pytest.mark.parametrize("days_left, stage", [
    (90, None), (61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (1, 7), (0, None), (-3, None),
])
def test_expiry_stage_is_the_nearest_stage_whose_day_has_come(days_left, stage):
    assert rules.expiry_stage(TODAY + timedelta(days=days_left), TODAY) == stage


def test_every_kind_has_an_email_topic_and_topics_are_the_preferences():
    assert set(rules.EMAIL_TOPICS) == set(rules.KINDS)
    assert set(rules.EMAIL_TOPICS.values()) == set(rules.TOPICS)


def sub(hours_ago: float, minutes: int = 10) -> rules.Submission:
    started = NOW - timedelta(hours=hours_ago)
    return rules.Submission(started, started + timedelta(minutes=minutes))


def test_retry_opens_a_cool_down_after_the_rounds_last_submission():
    past = [sub(30), sub(26)]
    opened = rules.retry_opened_at(past, max_attempts=2, cooldown_hours=24, now=NOW)
    assert opened == NOW - timedelta(hours=26) + timedelta(minutes=10) + timedelta(hours=24)


def test_no_retry_notice_while_waiting_with_attempts_left_or_without_a_cool_down():
    assert rules.retry_opened_at([sub(3), sub(2)], max_attempts=2, cooldown_hours=24, now=NOW) is None  # waiting
    assert rules.retry_opened_at([sub(30)], max_attempts=2, cooldown_hours=24, now=NOW) is None  # one left
    assert rules.retry_opened_at([sub(30), sub(29)], max_attempts=2, cooldown_hours=0, now=NOW) is None  # final
    assert rules.retry_opened_at([], max_attempts=2, cooldown_hours=24, now=NOW) is None


def test_an_attempt_in_the_new_round_means_the_learner_already_came_back():
    past = [sub(60), sub(59), sub(10)]  # the third started after the cool-down: a new round, one used
    assert rules.retry_opened_at(past, max_attempts=2, cooldown_hours=24, now=NOW) is None


def test_keys_name_one_reminder_each():
    assert rules.expiry_key(5, 30) != rules.expiry_key(5, 7)
    assert rules.digest_key(1, date(2026, 11, 23)) == rules.digest_key(1, date(2026, 11, 29))  # same ISO week
    assert rules.digest_key(1, date(2026, 11, 29)) != rules.digest_key(1, date(2026, 11, 30))
    assert rules.retry_key(1, 2, NOW) != rules.retry_key(1, 2, NOW + timedelta(days=1))


def test_temporary_failures_back_off_then_give_up():
    delays = [rules.next_try_after(n, NOW) - NOW for n in range(1, 5)]
    assert delays == sorted(delays) and delays[0] == timedelta(minutes=5)
    assert rules.next_try_after(5, NOW) is None
