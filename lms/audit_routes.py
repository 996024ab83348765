"""The audit log screen: who did what to whom, when and why. Admins see every hub,
coordinators their own; filter by action and person; the same rows download as CSV."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from lms.audit import AuditEvent
from lms.auth.models import User
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.hubs.models import Hub
from lms.permissions import coordinator_required, ensure_can_manage_hub
from lms.reports.exports import Column, Table, download

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100
CSV_LIMIT = 50_000


@cache
def _people():
    """Two aliases of User (who acted, to whom). Made on first use: aliasing configures every
    mapper, which needs all models imported, and at import time of this module they may not be."""
    return aliased(User), aliased(User)


@dataclass(frozen=True)
class AuditFilter:
    hub_id: int | None  # None: every hub (admins only)
    action: str
    person: str
    page: int

    @classmethod
    def from_request(cls) -> AuditFilter:
        admin = ADMIN in current_user.roles
        hub_id = request.args.get("hub", type=int) if admin else current_user.hub_id
        if hub_id is not None or not admin:
            ensure_can_manage_hub(hub_id)  # a coordinator sees their own hub only, never "all"
        return cls(hub_id, request.args.get("action", "").strip()[:64], request.args.get("person", "").strip()[:200],
                   max(request.args.get("page", 1, type=int), 1))

    def query(self) -> Select:
        Actor, Subject = _people()  # noqa: N806  (classes, named as such)
        stmt = (select(AuditEvent, Actor, Subject)
                .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
                .outerjoin(Subject, Subject.id == AuditEvent.subject_id))
        if self.hub_id is not None:
            stmt = stmt.where(AuditEvent.hub_id == self.hub_id)
        if self.action:
            stmt = stmt.where(AuditEvent.action == self.action)
        if self.person:
            like = f"%{self.person.lower()}%"
            stmt = stmt.where(or_(*(cond for who in (Actor, Subject) for cond in (
                func.lower(who.name).like(like), func.lower(who.email).like(like), who.phone.like(like)))))
        return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())

    def args(self) -> dict:
        return {k: v for k, v in (("hub", self.hub_id if ADMIN in current_user.roles else None),
                                  ("action", self.action), ("person", self.person)) if v}


def _detail(event: AuditEvent) -> dict:
    try:
        return json.loads(event.detail or "{}")
    except ValueError:
        return {}


@bp.route("/audit")
@coordinator_required
def log():
    chosen = AuditFilter.from_request()
    rows = db.session.execute(chosen.query().limit(PAGE_SIZE + 1).offset((chosen.page - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all() if ADMIN in current_user.roles else []
    return render_template("audit/log.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, chosen=chosen,
                           actions=actions, hubs=hubs, detail=_detail)


@bp.route("/audit.csv")
@bp.route("/audit.xlsx")  # the same view; links to it swap the suffix (templates/audit/log.html)
@coordinator_required
def export():
    """The filtered log as CSV or XLSX, headers in the reader's language."""
    fmt = "xlsx" if request.path.endswith(".xlsx") else "csv"
    chosen = AuditFilter.from_request()
    rows = db.session.execute(chosen.query().limit(CSV_LIMIT)).all()
    hub_names = dict(db.session.execute(select(Hub.id, Hub.name)).all())

    def table():
        for event, actor, subject in rows:
            detail = _detail(event)
            yield (event.at, event.action, actor.name if actor else _("(system)"), subject.name if subject else "",
                   hub_names.get(event.hub_id, ""), f"{event.target_type}:{event.target_id or ''}",
                   detail.get("reason") or detail.get("note") or "", json.dumps(detail, ensure_ascii=False))

    columns = [Column(_l("When"), "datetime"), Column(_l("Action")), Column(_l("Who")), Column(_l("To whom")),
               Column(_l("Hub")), Column(_l("Record")), Column(_l("Why")), Column(_l("Details"))]
    return download(Table(_("Audit log"), columns, table()), fmt, "audit-log")
