"""The volunteer record: one page per person for the staff who look after them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from lms.admin.forms import ROLE_LABELS
from lms.auth.models import User
from lms.certificates.forms import REVOCATION_LABELS, RevokeForm
from lms.certificates.routes import localised
from lms.domain import regions
from lms.domain.roles import can_manage_hub_members
from lms.extensions import db
from lms.i18n import current_locale
from lms.people import record as records
from lms.permissions import coordinator_required

bp = Blueprint("people", __name__)


def may_see_record(person) -> bool:
    """Coordinators of the person's hub and admins (the rule of the hub's people page)."""
    return current_user.is_authenticated and can_manage_hub_members(current_user.as_actor(), person.hub_id)


@bp.app_template_global()
def person_url(person) -> str | None:
    """The record's address where the viewer may open it, else None (the name stays plain text)."""
    if person is None or not may_see_record(person):
        return None
    return url_for("people.record", user_id=person.id)


@bp.app_template_filter("region")
def region_name(value: str | None) -> str:
    return regions.name(value, current_locale())


@bp.app_template_filter("hub_name")
def hub_name(hub) -> str:
    return hub.display_name(current_locale()) if hub is not None else ""


@bp.route("/people/<int:user_id>")
@coordinator_required
def record(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    if not may_see_record(person):
        abort(403)
    return render_template(
        "people/record.html", r=records.build(person, current_user, current_locale()), role_labels=ROLE_LABELS,
        revoke_form=RevokeForm(), revocation_labels=REVOCATION_LABELS, localised=localised,
    )
