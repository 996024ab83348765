"""Dashboards and exports. Coordinators see their hub only; admins see every hub."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.courses.models import Course, Track
from lms.domain.roles import ADMIN, COORDINATOR, TRAINER
from lms.extensions import db
from lms.hubs.models import Hub
from lms.i18n import current_locale
from lms.permissions import admin_required, coordinator_required, ensure_can_manage_hub, roles_required
from lms.reports import exports, freshness, queries, tables
from lms.reports.charts import bar_chart

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _date(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def _scope(hub_id: int | None, *, allow_hub_filter: bool) -> queries.Scope:
    today = date.today()
    date_to = _date("to", today)
    date_from = _date("from", date_to - timedelta(days=365))
    track = db.session.scalar(select(Track).where(Track.slug == request.args.get("track", "")))
    region = request.args.get("region") or None if allow_hub_filter else None
    if allow_hub_filter and request.args.get("hub", type=int):
        hub_id = request.args.get("hub", type=int)
    return queries.Scope(date_from, date_to, hub_id, region, track.id if track else None)


def _dashboard(scope: queries.Scope, *, hub: Hub | None, national: bool):
    # One pass per table (queries.dashboard), reused until a write moves a figure (freshness.py).
    figures = freshness.dashboard(scope, date.today(), current_locale(), national=national)
    months = figures.months
    all_hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all() if national else []
    return render_template(
        "reports/dashboard.html", hub=hub, national=national, scope=scope,
        headline=figures.headline, funnel=figures.funnel, courses=figures.courses, tracks=figures.tracks,
        months=months, hub_rows=figures.hub_rows, region_rows=figures.region_rows,
        month_chart=bar_chart([m["month"] for m in months], [m["lessons"] for m in months], title="lessons"),
        all_tracks=db.session.scalars(select(Track).order_by(Track.position)).all(),
        all_hubs=all_hubs, regions=sorted({h.region for h in all_hubs}),
    )


@bp.route("/hub/<int:hub_id>")
@coordinator_required
def hub(hub_id: int):
    ensure_can_manage_hub(hub_id)
    hub = db.session.get(Hub, hub_id) or abort(404)
    return _dashboard(_scope(hub.id, allow_hub_filter=False), hub=hub, national=False)


@bp.route("/national")
@admin_required
def national():
    return _dashboard(_scope(None, allow_hub_filter=True), hub=None, national=True)


def _export(scope: queries.Scope, filename: str, tables_allowed: tuple[str, ...], name: str) -> Response:
    """`filename` is the table and the format, as in the link: lessons.csv, lessons.xlsx."""
    table, _dot, fmt = filename.rpartition(".")
    if table not in tables_allowed or fmt not in exports.FORMATS:
        abort(404)
    rows = tables.report_table(table, scope, current_locale(), date.today())
    return exports.download(rows, fmt, f"{name}-{table}-{scope.date_from.isoformat()}-{scope.date_to.isoformat()}")


# One URL argument carries the table and the format (courses.csv, courses.xlsx): one rule
# and one endpoint serve both formats (the endpoint keeps its first name).
@bp.route("/hub/<int:hub_id>/<table>")
@coordinator_required
def hub_csv(hub_id: int, table: str):
    """A table of the hub dashboard as CSV or XLSX."""
    ensure_can_manage_hub(hub_id)
    hub = db.session.get(Hub, hub_id) or abort(404)
    return _export(_scope(hub.id, allow_hub_filter=False), table, tables.HUB_TABLES, hub.slug)


@bp.route("/national/<table>")
@admin_required
def national_csv(table: str):
    return _export(_scope(None, allow_hub_filter=True), table, tables.NATIONAL_TABLES, "national")


def _staff_scope() -> queries.Scope:
    """Trainers and admins: every hub; coordinators: their own."""
    if current_user.has_role(ADMIN, TRAINER):
        return _scope(None, allow_hub_filter=True)
    if current_user.hub_id is None:
        abort(403)
    return _scope(current_user.hub_id, allow_hub_filter=False)


@bp.route("/courses")
@roles_required(TRAINER, COORDINATOR, ADMIN)
def courses():
    scope = _staff_scope()
    return render_template("reports/courses.html", rows=queries.course_completion(scope, current_locale()), scope=scope)


@bp.route("/courses/<slug>/items")
@roles_required(TRAINER, COORDINATOR, ADMIN)
def items(slug: str):
    course = db.session.scalar(select(Course).where(Course.slug == slug)) or abort(404)
    scope = _staff_scope()
    rows = queries.item_analysis(course.id, scope)
    fmt = request.args.get("format")
    if fmt in exports.FORMATS:
        title = queries._course_titles(current_locale()).get(course.id, slug)
        return exports.download(tables.items_table(rows, title), fmt, f"{slug}-items")
    return render_template("reports/items.html", course=course, rows=rows, scope=scope)


@bp.route("/me.json")
@login_required
def my_record():
    """A volunteer's own record, portable: profile, courses, attempts, certificates, lessons led."""
    from lms.certificates.models import Certificate, LessonDelivery
    from lms.learning.models import Enrolment, QuizAttempt

    user = current_user
    enrolments = db.session.execute(
        select(Course.slug, Enrolment.enrolled_at, Enrolment.passed_at, Enrolment.passed_revision)
        .join(Course, Course.id == Enrolment.course_id).where(Enrolment.user_id == user.id)).all()
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id).order_by(QuizAttempt.id)).all()
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    deliveries = db.session.scalars(select(LessonDelivery).where(LessonDelivery.user_id == user.id)).all()
    iso = lambda value: value.isoformat() if value else None  # noqa: E731
    record = {
        "exported_at": iso(date.today()),
        "profile": {"name": user.name, "email": user.email, "phone": user.phone,
                    "hub": user.hub.name if user.hub else None, "language": user.locale},
        "courses": [{"course": slug, "enrolled_at": iso(e), "passed_at": iso(p), "passed_revision": r} for slug, e, p, r in enrolments],
        "quiz_attempts": [{"quiz_id": a.quiz_id, "started_at": iso(a.started_at), "submitted_at": iso(a.submitted_at),
                           "status": a.status, "percent": a.percent, "passed": a.passed, "answers": a.answers} for a in attempts],
        "certificates": [{"serial": c.serial, "code": c.code, "track": c.track.slug, "issued_on": iso(c.issued_on),
                          "expires_on": iso(c.expires_on), "revoked_at": iso(c.revoked_at), "revoke_reason": c.revoke_reason}
                         for c in certificates],
        "lessons_led": [{"date": iso(d.led_on), "track": d.track.slug, "school": d.school, "region": d.region,
                         "online": d.online, "children": d.children, "parents": d.parents, "status": d.status}
                        for d in deliveries],
    }
    response = current_app.json.response(record)
    response.headers["Content-Disposition"] = 'attachment; filename="my-volunteer-record.json"'
    return response
