from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.domain.passwords import normalise_password
from lms.domain.roles import Actor, format_roles, parse_roles
from lms.extensions import db
from lms.models_base import utcnow


def password_hash_method() -> str:
    """PASSWORD_HASH_METHOD: scrypt (werkzeug's default) unless configured. The test suite
    sets a cheap method: scrypt costs 0.16 s a hash here, and the suite makes thousands."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


class UserFacts(UserMixin):
    """What a user is allowed to do, read from the row's columns: shared by the ORM `User`
    and the read-only `LightUser`, so role and session checks cannot drift apart."""

    @property
    def roles(self) -> frozenset[str]:
        return parse_roles(self.roles_text)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        # The version makes a copied cookie useless once the user logs out
        # everywhere or changes the password.
        return f"{self.id}:{self.session_version}"

    def as_actor(self) -> Actor:
        return Actor(id=self.id, hub_id=self.hub_id, roles=self.roles, is_active=self.is_active)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.roles.intersection(roles))

    @property
    def login_name(self) -> str:
        return self.email or self.phone or ""


class User(UserFacts, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased and phone numbers digits-only (see domain.contacts),
    # so plain unique constraints catch duplicates.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)
    # Comma-separated, fixed order (see domain.roles): loading a user stays one query.
    roles_text: Mapped[str] = mapped_column("roles", String(100), default="volunteer")
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere and password change; sessions carry it.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    # TOTP two-factor login: the shared secret, and the last time step accepted
    # (a code is accepted once: replaying it, even within its 30 s, is refused).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]

    # Loaded when used: the hot pages do not need it.
    hub = relationship("Hub")

    @UserFacts.roles.setter
    def roles(self, value) -> None:
        self.roles_text = format_roles(value)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(normalise_password(password), method=password_hash_method())

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, normalise_password(password))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login_name}>"


class HubSettings(NamedTuple):
    """A hub's values that course texts show through {hub:name}, {hub:helpline}, {hub:contact},
    {hub:safeguarding} and {hub:emergency}."""

    name: str
    helpline: str
    contact: str
    safeguarding: str = ""
    emergency: str = ""


class LightUser(UserFacts):
    """The current user's row as plain values, for views that only read the user.

    One lean query instead of an ORM load on the hottest pages. Read-only: a view that
    changes the user, or passes it to code that stores it, must not opt in (see
    `lms.security.reads_user_only`); a write raises instead of being silently lost.
    """

    COLUMNS = ("id", "name", "email", "phone", "hub_id", "roles_text", "locale", "active", "session_version",
               "totp_secret")

    def __init__(self, row) -> None:
        """`row`: the COLUMNS, then the hub's name, helpline and contact (NULL without a hub)."""
        values = dict(zip(self.COLUMNS, row[: len(self.COLUMNS)], strict=True))
        values["_roles"] = parse_roles(values["roles_text"])  # parsed once: templates ask often
        # Course texts' {hub:...} placeholders need these; reading them with the user's row
        # saves the lesson page a query.
        values["hub_settings"] = HubSettings(*row[len(self.COLUMNS):]) if values["hub_id"] is not None else None
        self.__dict__.update(values)

    @property
    def roles(self) -> frozenset[str]:
        return self._roles

    def __setattr__(self, name, value):
        raise AttributeError(f"LightUser is read-only (tried to set {name!r}); this view must load the full User")

    @property
    def hub(self):
        from lms.hubs.models import Hub

        return db.session.get(Hub, self.hub_id) if self.hub_id is not None else None

    def __repr__(self) -> str:
        return f"<LightUser {self.id} {self.login_name}>"


class PasswordResetToken(db.Model):
    """A one-time link to set a password. Only a hash of the token is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])


class ThrottleCounter(db.Model):
    """Events (failed logins, registrations, reset requests) counted for one key in a window,
    and the lock they earned. Shared by every worker and server through the database.

    The key is a purpose and a hash of the account or address: no plain emails here.
    """

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    events: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class PasswordHelpRequest(db.Model):
    """Someone asked for a new password and no email can reach them (no mail server, or a
    phone-only account): their hub coordinator sees it in their inbox and hands out a link."""

    __tablename__ = "password_help_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
