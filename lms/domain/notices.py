"""Notice rules: which kinds exist, which a user may turn off for email, when an expiry
or a retry reminder is due, and the keys that make each reminder happen once.

Pure functions: `today`/`now` are parameters, so the job's decisions are testable as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

CERTIFICATE_ISSUED = "certificate_issued"
CERTIFICATE_REVOKED = "certificate_revoked"
CERTIFICATE_EXPIRING = "certificate_expiring"
LESSON_CONFIRMED = "lesson_confirmed"
LESSON_REJECTED = "lesson_rejected"
RETRY_AVAILABLE = "retry_available"
WEEKLY_DIGEST = "weekly_digest"

KINDS = (CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, CERTIFICATE_EXPIRING, LESSON_CONFIRMED, LESSON_REJECTED,
         RETRY_AVAILABLE, WEEKLY_DIGEST)

# What a user chooses on the Account page: one switch per topic. A confirmed and a
# rejected lesson are one topic ("lessons I logged"), so the page has five-six switches, not seven.
EMAIL_TOPICS = {
    CERTIFICATE_ISSUED: "certificates",
    CERTIFICATE_REVOKED: "certificates",
    CERTIFICATE_EXPIRING: "expiry",
    LESSON_CONFIRMED: "lessons",
    LESSON_REJECTED: "lessons",
    RETRY_AVAILABLE: "retries",
    WEEKLY_DIGEST: "digest",
}
TOPICS = ("certificates", "expiry", "lessons", "retries", "digest")

EXPIRY_STAGES = (60, 30, 7)  # days before expiry a reminder is sent, once each


def topic_of(kind: str) -> str:
    return EMAIL_TOPICS[kind]


def expiry_stage(expires_on: date, today: date) -> int | None:
    """The reminder stage due for a certificate today: the smallest of 60/30/7 whose day has
    come, or None when none has (or it has expired). Running late sends only the nearest
    stage, so a job that was down for weeks does not send three reminders at once."""
    days_left = (expires_on - today).days
    if days_left <= 0:
        return None
    due = [stage for stage in EXPIRY_STAGES if days_left <= stage]
    return min(due) if due else None


def expiry_key(certificate_id: int, stage: int) -> str:
    return f"expiry:{certificate_id}:{stage}"


@dataclass(frozen=True)
class Submission:
    started_at: datetime
    submitted_at: datetime | None


def retry_opened_at(attempts: list[Submission], *, max_attempts: int, cooldown_hours: float,
                    now: datetime) -> datetime | None:
    """When a cool-down ended and a new round of attempts opened, if that happened and the
    learner has not started an attempt since; else None.

    Same rounds as lms.domain.attempts.attempt_allowance: `max_attempts` attempts, then a
    wait of `cooldown_hours` from the round's last submission.
    """
    if not max_attempts or not cooldown_hours or not attempts:
        return None
    cooldown = timedelta(hours=cooldown_hours)
    used, last_end = 0, None
    for attempt in sorted(attempts, key=lambda a: a.started_at):
        if used >= max_attempts and last_end and attempt.started_at >= last_end + cooldown:
            used = 0
        used += 1
        last_end = attempt.submitted_at or attempt.started_at
    if used < max_attempts:
        return None
    opened = last_end + cooldown
    return opened if opened <= now else None


def retry_key(user_id: int, quiz_id: int, opened_at: datetime) -> str:
    return f"retry:{user_id}:{quiz_id}:{opened_at:%Y%m%d%H%M%S}"


def digest_key(user_id: int, on: date) -> str:
    year, week, _day = on.isocalendar()
    return f"digest:{user_id}:{year}-W{week:02d}"


RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))


def next_try_after(tries: int, now: datetime) -> datetime | None:
    """After a temporary failure: when to try again, or None when the message is given up."""
    if tries > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[tries - 1]
