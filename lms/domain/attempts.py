"""Quiz attempt rules: drawing questions, attempt limits, cool-downs and time limits.

`now` and the random generator are parameters, so every rule is testable as is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

LATE_GRACE = timedelta(seconds=60)  # slow connections: a submission this late still counts


@dataclass(frozen=True)
class QuestionPick:
    question_id: int
    choice_order: tuple[int, ...]  # displayed position -> original choice index


def draw_questions(questions, pools: dict, *, shuffle_questions: bool, shuffle_answers: bool,
                   rng: random.Random) -> list[QuestionPick]:
    """Pick this attempt's questions. `questions`: (id, pool or None, number of choices), in course order."""
    fixed = [q for q in questions if q[1] is None]
    chosen = list(fixed)
    for pool_id, count in pools.items():
        members = [q for q in questions if q[1] == pool_id]
        chosen += rng.sample(members, min(count, len(members)))
    order = {q[0]: i for i, q in enumerate(questions)}
    chosen.sort(key=lambda q: order[q[0]])
    if shuffle_questions:
        rng.shuffle(chosen)
    picks = []
    for question_id, _pool, choices in chosen:
        indices = list(range(choices))
        if shuffle_answers:
            rng.shuffle(indices)
        picks.append(QuestionPick(question_id, tuple(indices)))
    return picks


@dataclass(frozen=True)
class PastAttempt:
    started_at: datetime
    submitted_at: datetime | None
    passed: bool


@dataclass(frozen=True)
class AttemptAllowance:
    allowed: bool
    used_in_round: int
    available_at: datetime | None = None  # when a cool-down ends
    exhausted: bool = False  # a hard limit (no cool-down) is reached


def attempt_allowance(past: list[PastAttempt], *, max_attempts: int, cooldown_hours: float,
                      now: datetime) -> AttemptAllowance:
    """May a new attempt start now?

    Attempts come in rounds of `max_attempts`. After a full round the learner waits
    `cooldown_hours` from the round's last submission, then gets a new round. With no
    cool-down, the limit is final.
    """
    if not max_attempts:
        return AttemptAllowance(True, len(past))
    cooldown = timedelta(hours=cooldown_hours or 0)
    used = 0
    last_end: datetime | None = None
    for attempt in sorted(past, key=lambda a: a.started_at):
        if used >= max_attempts and cooldown and last_end and attempt.started_at >= last_end + cooldown:
            used = 0
        used += 1
        last_end = attempt.submitted_at or attempt.started_at
    if used < max_attempts:
        return AttemptAllowance(True, used)
    if not cooldown:
        return AttemptAllowance(False, used, exhausted=True)
    available = last_end + cooldown
    if now >= available:
        return AttemptAllowance(True, 0)
    return AttemptAllowance(False, used, available_at=available)


@dataclass(frozen=True)
class AttemptCount:
    """"Attempt 2 of 3 · 1 left": where an attempt stands in its round."""

    number: int
    limit: int
    left: int  # attempts still possible in this round after this one


def attempt_count(allowance: AttemptAllowance, max_attempts: int) -> AttemptCount | None:
    """The position of the attempt being taken (or about to start) in its round; None
    when the quiz sets no limit or no attempt may start now."""
    if not max_attempts or not allowance.allowed:
        return None
    number = allowance.used_in_round + 1
    return AttemptCount(number, max_attempts, max(max_attempts - number, 0))


def unanswered(answers: list[list[str]]) -> list[int]:
    """Positions of the questions left without an answer (only spaces counts as none).

    A submission with some unanswered is graded only once the learner confirms it; one
    with none answered at all is never graded, so a slip of the thumb does not use an attempt.
    """
    return [index for index, values in enumerate(answers) if not any(value.strip() for value in values)]


def deadline_for(started_at: datetime, time_limit_minutes: float | None) -> datetime | None:
    return started_at + timedelta(minutes=time_limit_minutes) if time_limit_minutes else None


def is_late(deadline: datetime | None, now: datetime) -> bool:
    """A submission after the deadline plus a short grace is not graded (documented rule)."""
    return deadline is not None and now > deadline + LATE_GRACE


def reveal_answers(policy: str, passed: bool) -> bool:
    if policy == "always":
        return True
    if policy == "never":
        return False
    return passed
