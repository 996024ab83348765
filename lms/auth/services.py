"""Account operations. The only place in auth that commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from lms import audit
from lms.auth import throttle
from lms.auth.models import PasswordHelpRequest, PasswordResetToken, User, password_hash_method
from lms.domain import throttle as limits
from lms.domain.contacts import classify_login
from lms.extensions import db
from lms.models_base import utcnow
from lms.transactions import write_transaction

# Checked when no account matches, so a missing account takes as long as a wrong password
# (made once per hashing method, with that method's cost).
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = password_hash_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


class AccountError(Exception):
    """A user-facing problem with an account operation; `field` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def find_by_login(login: str) -> User | None:
    kind = classify_login(login)
    if kind is None:
        return None
    column = User.email if kind[0] == "email" else User.phone
    return db.session.scalar(select(User).where(column == kind[1]))


def email_taken(email: str | None) -> bool:
    return bool(email) and db.session.scalar(select(User.id).where(User.email == email)) is not None


def phone_taken(phone: str | None) -> bool:
    return bool(phone) and db.session.scalar(select(User.id).where(User.phone == phone)) is not None


def _account_key(purpose: str, login: str) -> str:
    # The normalised login: "8 701 ..." and "+7701..." are one account, whether or not it exists.
    kind = classify_login(login)
    return throttle.throttle_key(purpose, kind[1] if kind else login)


def login_wait(login: str, address: str | None) -> float:
    """Seconds before this login may be tried again from this address (0: go ahead)."""
    return throttle.locked_for([_account_key("login-account", login), throttle.throttle_key("login-address", address or "")])


def login_failed(login: str, address: str | None) -> int:
    """Count a failed login against the account and the address; the lock it earned, in seconds."""
    return max(
        throttle.hit(_account_key("login-account", login), limits.ACCOUNT_LOGIN),
        throttle.hit(throttle.throttle_key("login-address", address or ""), limits.ADDRESS_LOGIN),
    )


def login_succeeded(login: str) -> None:
    """A right password ends the account's count (the address keeps its own)."""
    throttle.clear(_account_key("login-account", login))


def code_wait(user: User) -> float:
    return throttle.locked_for([throttle.throttle_key("login-code", str(user.id))])


def code_failed(user: User) -> int:
    return throttle.hit(throttle.throttle_key("login-code", str(user.id)), limits.ACCOUNT_CODE)


def registration_allowed(address: str | None) -> float:
    """Count a registration attempt from this address; seconds to wait if over the limit (0: go ahead)."""
    key = throttle.throttle_key("register", address or "")
    wait = throttle.locked_for([key])
    if wait:
        return wait
    throttle.hit(key, limits.ADDRESS_REGISTER)
    return 0.0


def reset_request_allowed(login: str, address: str | None) -> float:
    """Count a reset request for this login and address; seconds to wait if over the limit (0: go ahead)."""
    keys = [_account_key("reset-account", login), throttle.throttle_key("reset-address", address or "")]
    wait = throttle.locked_for(keys)
    if wait:
        return wait
    throttle.hit(keys[0], limits.ACCOUNT_RESET)
    throttle.hit(keys[1], limits.ADDRESS_RESET)
    return 0.0


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    if not user.is_active:
        return None
    return user


def create_user(
    *,
    name: str,
    email: str | None,
    phone: str | None,
    hub_id: int | None,
    roles=("volunteer",),
    locale: str | None = None,
    password: str | None = None,
    actor: User | None = None,
    commit: bool = True,
) -> User:
    """Create an account. Raises AccountError when the email or phone is taken."""
    if email_taken(email):
        raise AccountError("email", _("An account with this email already exists."))
    if phone_taken(phone):
        raise AccountError("phone", _("An account with this phone number already exists."))
    user = User(name=name.strip(), email=email, phone=phone, hub_id=hub_id, locale=locale)
    user.roles = roles
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=user, hub_id=hub_id, roles=sorted(user.roles))
    if commit:
        db.session.commit()
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.set_password(new_password)
    user.session_version += 1
    audit.record("user.password_change", actor=user, target=user, hub_id=user.hub_id)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    user.session_version += 1
    db.session.commit()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset_token(
    user: User, *, created_by: User | None, hours: int | None = None, commit: bool = True
) -> str:
    """A one-time token (256 bits); only its hash is stored. Earlier unused links die."""
    hours = hours or current_app.config["RESET_LINK_HOURS"]
    now = utcnow()
    for old in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_hash_token(token),
            created_by_id=created_by.id if created_by else None,
            expires_at=now + timedelta(hours=hours),
        )
    )
    audit.record(
        "user.reset_link", actor=created_by, target=user, hub_id=user.hub_id, hours=hours
    )
    if commit:
        db.session.commit()
    return token


def find_valid_token(token: str) -> PasswordResetToken | None:
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token))
    )
    if record is None or record.used_at is not None or record.expires_at < utcnow():
        return None
    if not record.user.is_active:
        return None
    return record


def use_reset_token(token: str, new_password: str) -> User | None:
    """Set the password through a reset link; the link works once."""
    record = find_valid_token(token)
    if record is None:
        return None
    # Mark used with a conditional UPDATE so two simultaneous uses cannot both succeed.
    claimed = db.session.execute(
        PasswordResetToken.__table__.update()
        .where(PasswordResetToken.id == record.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    user = record.user
    user.set_password(new_password)
    user.session_version += 1
    audit.record("user.password_reset", actor=user, target=user, hub_id=user.hub_id)
    resolve_help_requests(user.id)
    db.session.commit()
    return user


def accept_totp(user: User, code: str, now: float) -> bool:
    """Accept a two-factor code once. The step is recorded with a conditional UPDATE,
    so the same code sent twice at once is still accepted only once."""
    from sqlalchemy import or_, update

    from lms.domain.totp import matching_step

    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        return False
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount
    db.session.commit()
    if claimed:
        user.totp_last_step = step
    return bool(claimed)


def enable_totp(user: User, secret: str, code: str, now: float) -> bool:
    from lms.domain.totp import matching_step

    step = matching_step(secret, code, now, None)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    audit.record("user.2fa_on", actor=user, target=user, hub_id=user.hub_id)
    db.session.commit()
    return True


def disable_totp(user: User) -> None:
    user.totp_secret, user.totp_last_step = None, None
    audit.record("user.2fa_off", actor=user, target=user, hub_id=user.hub_id)
    db.session.commit()


def ask_hub_for_reset(user: User) -> None:
    """Record that `user` needs a reset link from their coordinator (once while it is open)."""
    with write_transaction():
        open_request = db.session.scalar(select(PasswordHelpRequest.id).where(
            PasswordHelpRequest.user_id == user.id, PasswordHelpRequest.resolved_at.is_(None)))
        if open_request is None:
            db.session.add(PasswordHelpRequest(user_id=user.id, hub_id=user.hub_id))


def resolve_help_requests(user_id: int) -> None:
    """A link was made or the password was set: the request is answered (caller commits)."""
    db.session.execute(PasswordHelpRequest.__table__.update().where(
        PasswordHelpRequest.user_id == user_id, PasswordHelpRequest.resolved_at.is_(None)).values(resolved_at=utcnow()))
