"""The permission layer: every route's role and hub checks go through here."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from lms.domain import duties
from lms.domain import roles as R


def roles_required(*allowed: str):
    """Logged in and holding one of `allowed` roles; otherwise 401 (redirect) / 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not R.has_any_role(current_user.as_actor(), *allowed):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator


admin_required = roles_required(R.ADMIN)
coordinator_required = roles_required(R.COORDINATOR, R.ADMIN)


def ensure_may_make_reset_link(target) -> None:
    """403 unless the current user may hand out a set-password link for `target`."""
    if not duties.may_make_reset_link(current_user.as_actor(), target.as_actor()):
        abort(403)


def ensure_can_manage_hub(hub_id: int | None) -> None:
    if not R.can_manage_hub_members(current_user.as_actor(), hub_id):
        abort(403)


def may_make_reset_link(target) -> bool:
    """For templates: show the action only where the server would allow it."""
    return current_user.is_authenticated and duties.may_make_reset_link(current_user.as_actor(), target.as_actor())


def init_app(app) -> None:
    app.jinja_env.globals["may_make_reset_link"] = may_make_reset_link
