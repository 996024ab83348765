"""Rules for quizzes on cheap phones: which questions are unanswered, and where an attempt
stands in its round ("attempt 2 of 3 · 1 left")."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.domain.attempts import (
    AttemptAllowance,
    AttemptCount,
    PastAttempt,
    attempt_allowance,
    attempt_count,
    unanswered,
)

NOW = datetime(2026, 11, 29, 12, 0)


def test_blank_and_space_only_answers_are_unanswered():
    assert unanswered([["0"], [], ["  "], ["", "\t"], ["true"], ["54"]]) == [1, 2, 3]
    assert unanswered([[], []]) == [0, 1]
    assert unanswered([]) == []


def test_attempt_count_names_the_attempt_about_to_be_taken():
    assert attempt_count(AttemptAllowance(True, 0), 3) == AttemptCount(1, 3, 2)
    assert attempt_count(AttemptAllowance(True, 1), 3) == AttemptCount(2, 3, 1)
    assert attempt_count(AttemptAllowance(True, 2), 3) == AttemptCount(3, 3, 0)


def test_no_count_without_a_limit_or_when_no_attempt_may_start():
    assert attempt_count(AttemptAllowance(True, 5), 0) is None
    assert attempt_count(AttemptAllowance(False, 3, available_at=NOW), 3) is None


def test_count_starts_again_after_the_cool_down():
    past = [PastAttempt(NOW - timedelta(hours=30 - n), NOW - timedelta(hours=30 - n), False) for n in range(3)]
    permit = attempt_allowance(past, max_attempts=3, cooldown_hours=24, now=NOW)
    assert attempt_count(permit, 3) == AttemptCount(1, 3, 2)
