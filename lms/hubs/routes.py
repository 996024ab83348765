"""Coordinators' pages: their hub's volunteers, adding them, reset links, hub settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms.admin.forms import ROLE_LABELS
from lms.auth.models import PasswordHelpRequest, User
from lms.domain.contacts import normalise_email, normalise_phone
from lms.extensions import db
from lms.hubs import services
from lms.hubs.forms import HubSettingsForm, VolunteerCsvForm, VolunteerForm
from lms.hubs.models import Hub
from lms.models_base import utcnow
from lms.people import activity
from lms.people import search as people_search
from lms.permissions import coordinator_required, ensure_can_manage_hub, ensure_may_make_reset_link

bp = Blueprint("hubs", __name__)

PAGE_SIZE = 50


def _hub_or_404(hub_id: int) -> Hub:
    ensure_can_manage_hub(hub_id)
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        abort(404)
    return hub


@bp.route("/hub")
@coordinator_required
def my_hub():
    if current_user.hub_id is None:
        return redirect(url_for("admin.hubs"))
    return redirect(url_for("hubs.members", hub_id=current_user.hub_id))


@bp.route("/hubs/<int:hub_id>/members")
@coordinator_required
def members(hub_id: int):
    hub = _hub_or_404(hub_id)
    query = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    # ?show=inactive: the coordinator inbox's "inactive for 30 days" list
    show_inactive = request.args.get("show") == "inactive"
    # ?show=reset: people who asked for a new password and no email can reach
    show_reset = request.args.get("show") == "reset"
    stmt = select(User).where(User.hub_id == hub.id)
    found = people_search.matches(query)
    if found is not None:
        stmt = stmt.where(found)
    if show_inactive:
        stmt = stmt.where(activity.inactive_since(activity.cutoff(utcnow())))
    if show_reset:
        stmt = stmt.where(User.id.in_(select(PasswordHelpRequest.user_id).where(PasswordHelpRequest.resolved_at.is_(None))))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    people = db.session.scalars(
        stmt.order_by(User.name).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "hubs/members.html", hub=hub, people=people, query=query, page=page, total=total,
        page_size=PAGE_SIZE, show_inactive=show_inactive, show_reset=show_reset, inactive_days=activity.INACTIVE_DAYS, role_labels=ROLE_LABELS,
    )


@bp.route("/hubs/<int:hub_id>/members/new", methods=["GET", "POST"])
@coordinator_required
def new_volunteer(hub_id: int):
    hub = _hub_or_404(hub_id)
    form = VolunteerForm()
    if form.validate_on_submit():
        try:
            account = services.create_volunteer(
                actor=current_user,
                hub=hub,
                name=form.name.data,
                email=normalise_email(form.email.data or ""),
                phone=normalise_phone(form.phone.data or ""),
                locale=form.locale.data,
            )
        except services.accounts.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            return render_template("hubs/links.html", hub=hub, accounts=[account])
    return render_template("hubs/new_volunteer.html", hub=hub, form=form)


@bp.route("/hubs/<int:hub_id>/members/import", methods=["GET", "POST"])
@coordinator_required
def import_volunteers(hub_id: int):
    hub = _hub_or_404(hub_id)
    form = VolunteerCsvForm()
    errors: list[str] = []
    if form.validate_on_submit():
        accounts, errors = services.import_volunteers(
            actor=current_user, hub=hub, data=form.file.data.read()
        )
        if not errors:
            flash(_("%(n)s volunteers added.", n=len(accounts)), "success")
            return render_template("hubs/links.html", hub=hub, accounts=accounts)
    return render_template("hubs/import.html", hub=hub, form=form, errors=errors)


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@coordinator_required
def reset_link(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    ensure_may_make_reset_link(user)
    token = services.accounts.create_reset_token(user, created_by=current_user, commit=False)
    services.accounts.resolve_help_requests(user.id)
    db.session.commit()
    account = services.NewAccount(user, token)
    return render_template("hubs/links.html", hub=user.hub, accounts=[account])


@bp.route("/hubs/<int:hub_id>/settings", methods=["GET", "POST"])
@coordinator_required
def settings(hub_id: int):
    hub = _hub_or_404(hub_id)
    form = HubSettingsForm(obj=hub)
    if form.validate_on_submit():
        hub.helpline = form.helpline.data.strip()
        hub.contact = form.contact.data.strip()
        hub.safeguarding = form.safeguarding.data.strip()
        hub.emergency = form.emergency.data.strip()
        db.session.commit()
        flash(_("Hub settings saved."), "success")
        return redirect(url_for("hubs.settings", hub_id=hub.id))
    return render_template("hubs/settings.html", hub=hub, form=form)
