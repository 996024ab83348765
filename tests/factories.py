"""Plain factory functions for test data."""

from __future__ import annotations

import itertools
import secrets

from lms.auth.models import User
from lms.extensions import db
from lms.hubs.models import Hub

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_hub(slug: str | None = None, **overrides) -> Hub:
    n = next(_counter)
    hub = Hub(slug=slug or f"hub-{n}", name=overrides.pop("name", f"Hub {n}"), **overrides)
    db.session.add(hub)
    db.session.commit()
    return hub


def make_user(hub: Hub | None = None, roles=("volunteer",), password: str = PASSWORD, **overrides) -> User:
    n = next(_counter)
    user = User(
        name=overrides.pop("name", f"Person {n}"),
        email=overrides.pop("email", f"person{n}@example.org"),
        hub_id=hub.id if hub else None,
        **overrides,
    )
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def form_key() -> str:
    """A fresh one-time form key, as each of our forms that records something carries."""
    return secrets.token_urlsafe(24)
