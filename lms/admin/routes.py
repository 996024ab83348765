"""Admin pages: hubs, and roles and hubs of every account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms import audit
from lms.admin.forms import ROLE_LABELS, UserAccessForm
from lms.auth.models import User
from lms.domain.duties import may_change_access
from lms.domain.roles import ALL_ROLES
from lms.extensions import db
from lms.hubs.forms import HubForm
from lms.hubs.models import Hub
from lms.people import search as people_search
from lms.permissions import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/hubs")
@admin_required
def hubs():
    counts = dict(
        db.session.execute(select(User.hub_id, func.count()).group_by(User.hub_id)).all()
    )
    all_hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all()
    return render_template("admin/hubs.html", hubs=all_hubs, counts=counts)


@bp.route("/hubs/new", methods=["GET", "POST"])
@admin_required
def new_hub():
    return _edit_hub(Hub())


@bp.route("/hubs/<int:hub_id>", methods=["GET", "POST"])
@admin_required
def edit_hub(hub_id: int):
    hub = db.session.get(Hub, hub_id) or abort(404)
    return _edit_hub(hub)


def _edit_hub(hub: Hub):
    form = HubForm(obj=hub)
    if form.validate_on_submit():
        clash = db.session.scalar(select(Hub.id).where(Hub.slug == form.slug.data, Hub.id != hub.id))
        if clash:
            form.slug.errors.append(_("Another hub has this short name."))
        else:
            form.populate_obj(hub)
            is_new = hub.id is None
            db.session.add(hub)
            db.session.flush()
            audit.record("hub.create" if is_new else "hub.update", actor=current_user, target=hub, hub_id=hub.id)
            db.session.commit()
            flash(_("Hub saved."), "success")
            return redirect(url_for("admin.hubs"))
    return render_template("admin/hub_form.html", form=form, hub=hub)


@bp.route("/users")
@admin_required
def users():
    query = request.args.get("q", "").strip()
    hub_id = request.args.get("hub", type=int)
    role = request.args.get("role", "")
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(User)
    found = people_search.matches(query)
    if found is not None:
        stmt = stmt.where(found)
    if hub_id:
        stmt = stmt.where(User.hub_id == hub_id)
    if role in ALL_ROLES:
        # roles are stored as "a,b,c"; match the whole word
        stmt = stmt.where(("," + User.roles_text + ",").like(f"%,{role},%"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    people = db.session.scalars(
        stmt.order_by(User.name).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    all_hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all()
    return render_template(
        "admin/users.html", people=people, hubs=all_hubs, query=query, hub_id=hub_id,
        role=role, page=page, total=total, page_size=PAGE_SIZE, role_labels=ROLE_LABELS,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserAccessForm(obj=user)
    form.hub_id.choices = [(0, "—")] + [
        (h.id, h.name) for h in db.session.scalars(select(Hub).order_by(Hub.name))
    ]
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.hub_id.data = user.hub_id or 0
        form.active.data = user.active
    if form.validate_on_submit():
        new_roles = set(form.roles.data)
        if not may_change_access(current_user.as_actor(), user.as_actor()):
            # Nobody grants themselves a role (or removes their own admin access).
            form.roles.errors.append(_("You cannot change your own access: another admin does it."))
        else:
            before = {"roles": sorted(user.roles), "hub_id": user.hub_id, "active": user.active}
            user.roles = new_roles
            user.hub_id = form.hub_id.data or None
            if user.active and not form.active.data:
                user.session_version += 1  # a deactivated user is logged out everywhere
            user.active = form.active.data
            after = {"roles": sorted(user.roles), "hub_id": user.hub_id, "active": user.active}
            audit.record("user.access", actor=current_user, target=user, hub_id=user.hub_id, before=before, after=after)
            db.session.commit()
            flash(_("Access for %(name)s saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)
