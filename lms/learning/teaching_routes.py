"""Trainers' and coordinators' view of learning. Coordinators see only their hub."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from lms.domain.roles import ADMIN, COORDINATOR, TRAINER
from lms.extensions import db
from lms.hubs.models import Hub
from lms.i18n import current_locale
from lms.learning import insights, queries
from lms.permissions import ensure_can_manage_hub, roles_required
from lms.reports.queries import Scope, item_analysis

bp = Blueprint("teaching", __name__, url_prefix="/teach")


def _hub_scope() -> int | None:
    """None means every hub. Coordinators are held to their own hub whatever they ask for."""
    asked = request.args.get("hub", type=int)
    if current_user.has_role(ADMIN, TRAINER):
        return asked
    if asked is not None:
        ensure_can_manage_hub(asked)
    if current_user.hub_id is None:
        abort(403)
    return current_user.hub_id


@bp.route("/")
@roles_required(TRAINER, COORDINATOR, ADMIN)
def courses():
    hub_id = _hub_scope()
    rows = insights.course_summaries(hub_id)
    texts = queries.course_texts([c for c, _e, _p in rows], current_locale()) if rows else {}
    hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all() if current_user.has_role(ADMIN, TRAINER) else []
    return render_template("learning/teach_courses.html", rows=rows, texts=texts, hub_id=hub_id, hubs=hubs)


@bp.route("/courses/<slug>")
@roles_required(TRAINER, COORDINATOR, ADMIN)
def course(slug: str):
    course = queries.course_by_slug(slug) or abort(404)
    hub_id = _hub_scope()
    sort = request.args.get("sort", "name")
    people = insights.learners(course, hub_id, sort)
    # The same per-question figures as the course results report, over all time.
    items = item_analysis(course.id, Scope(date(2000, 1, 1), date.today(), hub_id))
    text = queries.course_text(course, current_locale())
    hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all() if current_user.has_role(ADMIN, TRAINER) else []
    return render_template(
        "learning/teach_course.html", course=course, title=text.title, people=people, items=items,
        hub_id=hub_id, sort=sort, hubs=hubs,
    )
