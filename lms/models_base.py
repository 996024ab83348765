"""Helpers shared by every feature's models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: SQLite and PostgreSQL `timestamp` columns then behave alike."""
    return datetime.now(UTC).replace(tzinfo=None)
