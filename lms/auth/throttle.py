"""Counting failed logins, registrations and reset requests in a store every worker and
server shares: the database by default, Redis when THROTTLE_STORAGE_URI names one.

An in-process counter (Flask-Limiter's `memory://`) lets each gunicorn worker count on
its own, so four workers allow four times the guesses; these counters do not.
The rules (how many, how long) are in `lms.domain.throttle`.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.auth.models import ThrottleCounter
from lms.domain.throttle import ThrottlePolicy, lock_seconds
from lms.extensions import db
from lms.models_base import utcnow
from lms.transactions import write_transaction


def throttle_key(purpose: str, value: str) -> str:
    """A fixed-length key that names the purpose but stores no email or address in plain."""
    digest = hashlib.sha256(f"{purpose}\0{value.strip().lower()}".encode()).hexdigest()
    return f"{purpose[:15]}:{digest[:48]}"


class DatabaseStore:
    """Counters in the `throttle_counters` table; each change is one atomic statement."""

    def locked_for(self, keys: list[str], now: datetime) -> float:
        until = db.session.scalar(
            select(ThrottleCounter.locked_until).where(ThrottleCounter.key.in_(keys), ThrottleCounter.locked_until > now)
            .order_by(ThrottleCounter.locked_until.desc()).limit(1)
        )
        return (until - now).total_seconds() if until else 0.0

    def hit(self, key: str, policy: ThrottlePolicy, now: datetime) -> int:
        """Count one event; lock the key as the policy says. Returns the lock in seconds."""
        table = ThrottleCounter.__table__
        cutoff = now - timedelta(seconds=policy.window)
        stale = table.c.window_started_at < cutoff
        insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)
        statement = (
            insert.values(key=key, events=1, window_started_at=now, locked_until=None)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "events": case((stale, 1), else_=table.c.events + 1),
                    "window_started_at": case((stale, now), else_=table.c.window_started_at),
                },
            )
            .returning(table.c.events)
        )
        with write_transaction():
            events = db.session.execute(statement).scalar_one()
            seconds = lock_seconds(policy, events)
            if seconds:
                db.session.execute(
                    update(table).where(table.c.key == key).values(locked_until=now + timedelta(seconds=seconds))
                )
            if random.random() < 0.02:  # noqa: S311  (housekeeping, not security)
                # Old counters are worthless: drop them now and then so the table stays small.
                day_ago = now - timedelta(days=1)
                db.session.execute(
                    delete(table).where(
                        table.c.window_started_at < day_ago,
                        (table.c.locked_until.is_(None)) | (table.c.locked_until < now),
                    )
                )
        return seconds

    def clear(self, key: str) -> None:
        with write_transaction():
            db.session.execute(delete(ThrottleCounter.__table__).where(ThrottleCounter.key == key))


class RedisStore:
    """Counters in Redis, for sites that already run it; keys expire by themselves."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def locked_for(self, keys: list[str], now: datetime) -> float:
        pipe = self.redis.pipeline()
        for key in keys:
            pipe.pttl(f"lms:lock:{key}")
        return max([ms / 1000 for ms in pipe.execute() if ms and ms > 0], default=0.0)

    def hit(self, key: str, policy: ThrottlePolicy, now: datetime) -> int:
        counter = f"lms:count:{key}"
        pipe = self.redis.pipeline()
        pipe.incr(counter)
        pipe.expire(counter, policy.window, nx=True)  # the window starts with the first event
        events = pipe.execute()[0]
        seconds = lock_seconds(policy, events)
        if seconds:
            self.redis.set(f"lms:lock:{key}", "1", ex=seconds)
        return seconds

    def clear(self, key: str) -> None:
        self.redis.delete(f"lms:count:{key}", f"lms:lock:{key}")


def store():
    """The configured store, one per app (a Redis client keeps its connection pool)."""
    stores = current_app.extensions.setdefault("lms_throttle", {})
    if "store" not in stores:
        uri = current_app.config.get("THROTTLE_STORAGE_URI") or ""
        stores["store"] = RedisStore(uri) if uri.startswith(("redis://", "rediss://", "unix://")) else DatabaseStore()
    return stores["store"]


def locked_for(keys: list[str]) -> float:
    """Seconds until every one of these keys is free again (0: none locked)."""
    if not current_app.config.get("THROTTLE_ENABLED", True):
        return 0.0
    return store().locked_for(keys, utcnow())


def hit(key: str, policy: ThrottlePolicy) -> int:
    if not current_app.config.get("THROTTLE_ENABLED", True):
        return 0
    return store().hit(key, policy, utcnow())


def clear(key: str) -> None:
    if current_app.config.get("THROTTLE_ENABLED", True):
        store().clear(key)
