"""The people-search filter shared by a hub's people page and the admin's users page."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from lms.auth.models import User
from lms.domain import people_search


def matches(raw: str) -> ColumnElement[bool] | None:
    """A WHERE clause for the search box, or None when it is empty.

    lower() on both sides: PostgreSQL folds Cyrillic (Kazakh letters too) under a UTF-8
    ctype, and SQLite connections get a Unicode-aware lower() (lms.transactions).
    """
    query = people_search.parse(raw)
    if query is None:
        return None
    pattern = query.name_pattern
    conditions = [func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\")]
    conditions += [User.phone.like(p) for p in query.phone_patterns]
    return or_(*conditions)
