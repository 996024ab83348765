"""Dashboard figures kept per worker, under the version of the data they were computed from.

Reading the figures costs 0.1-0.3 s at 10,000 volunteers (bench/report_bench.py); most of
it re-reads enrolments and lessons led that have not changed since the last view. Each
hub has a version row (report_versions), raised in the same transaction as any write that
can move one of its figures: a person joining, leaving, changing hub or role; an
enrolment or a pass; a certificate issued, revoked, renewed or held; a lesson led reported
or reviewed. Key 0 is everything (courses, tracks, hubs, and writes whose hub is not known
here); key -1 is people without a hub. A page's figures are reused only while the versions
it read, the day (certificates expire by date) and its filters are the same, so a
revocation shows on the very next request. "Active in the last 30 days" moves with every
lesson mark, so it is never kept: it is read fresh each time, and lesson progress and
quiz attempts raise no version (no row every mark would have to lock).

Hub-wide rows rather than one counter: on PostgreSQL a raised row stays locked until
the writer commits, and the raise is the last statement before COMMIT, so only writers of
the same hub wait, for one commit's time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace

from flask import current_app
from sqlalchemy import Integer, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.auth.models import User
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.courses.models import Course, CourseText, Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import Enrolment

EVERYTHING, NO_HUB = 0, -1
CACHE_ENTRIES = 64  # per worker: a few KB each, so the cache stays well under 1 MB
CACHE_SECONDS = 120  # a safety net for a write made outside this app; the versions do the real work


class ReportVersion(db.Model):
    """How many times the figures of one hub (0: all, -1: no hub) may have changed."""

    __tablename__ = "report_versions"
    hub_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)


# Writes to these move a figure of the hub of the person they belong to.
_PERSONAL = (Enrolment, Certificate, CertificationHold, LessonDelivery)
# Writes to these may move any page.
_SHARED = (Hub, Track, Course, CourseText)
_WATCHED_TABLES = frozenset(m.__table__.name for m in (*_PERSONAL, *_SHARED, User))
# A change of these columns of a person moves no figure (last seen, password, sessions...).
_USER_FIGURE_COLUMNS = ("hub_id", "roles_text", "created_at")


def _pending(session: Session) -> dict:
    return session.info.setdefault("report_changes", {"hubs": set(), "people": set()})


_UNKNOWN = object()


def _loaded(obj, name: str):
    """An attribute as the object holds it, never loaded from the database (a deleted row is gone)."""
    return inspect(obj).dict.get(name, _UNKNOWN)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context) -> None:
    hubs, people = set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _SHARED):
            hubs.add(EVERYTHING)
        elif isinstance(obj, _PERSONAL):
            person = _loaded(obj, "user_id")
            if person is _UNKNOWN:
                hubs.add(EVERYTHING)
            people.add(person)
            people.update(inspect(obj).attrs["user_id"].history.deleted or ())  # moved to someone else
        elif isinstance(obj, User):
            state = inspect(obj)
            if obj in session.dirty and not any(state.attrs[name].history.has_changes() for name in _USER_FIGURE_COLUMNS):
                continue
            hub = _loaded(obj, "hub_id")
            hubs.add(EVERYTHING if hub is _UNKNOWN else NO_HUB if hub is None else hub)
            hubs.update(NO_HUB if old is None else old for old in state.attrs["hub_id"].history.deleted or ())
    if hubs or people:
        changes = _pending(session)
        changes["hubs"] |= hubs
        changes["people"] |= people - {_UNKNOWN}


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    """Inserts, updates and deletes sent as statements (a revocation, bulk loads)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name not in _WATCHED_TABLES:
        return
    if table.name == User.__tablename__ and state.is_update:
        values = getattr(state.statement, "_values", None) or {}
        names = {getattr(column, "key", column) for column in values}
        if names and not names & {"hub_id", "roles", "roles_text", "created_at"}:
            return
    _pending(state.session)["hubs"].add(EVERYTHING)  # which hubs a statement touched is not known here


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    if "report_changes" not in session.info and not (session.new or session.dirty or session.deleted):
        return  # nothing written, or nothing a figure depends on
    session.flush()  # the last changes are noted by after_flush before the versions move
    changes = session.info.pop("report_changes", None)
    if not changes or not (changes["hubs"] or changes["people"]):
        return
    hubs = set(changes["hubs"])
    people = [p for p in changes["people"] if p is not None]
    if people:
        found = session.execute(select(User.hub_id).where(User.id.in_(people))).scalars().all()
        hubs.update(NO_HUB if hub is None else hub for hub in found)
        if len(found) < len(people):
            hubs.add(EVERYTHING)  # someone is gone: which hub they were in is not known here
    table = ReportVersion.__table__
    upsert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    # Sorted, so two writers lock the rows in the same order (no deadlock on PostgreSQL).
    stmt = upsert.values([{"hub_key": key, "version": 1} for key in sorted(hubs)]).on_conflict_do_update(
        index_elements=[table.c.hub_key], set_={"version": table.c.version + 1})
    session.connection().execute(stmt)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("report_changes", None)


def versions(hub_id: int | None) -> tuple:
    """The versions a page depends on: one hub's (and key 0), or every row for the country."""
    table = ReportVersion.__table__
    stmt = select(table.c.hub_key, table.c.version).order_by(table.c.hub_key)
    if hub_id is not None:
        stmt = stmt.where(table.c.hub_key.in_((EVERYTHING, hub_id)))
    return tuple(db.session.connection().execute(stmt).all())


class _Kept:
    """A small least-recently-used store per worker process, safe across threads."""

    def __init__(self, size: int, seconds: float) -> None:
        self.size, self.seconds = size, seconds
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.seconds:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _kept() -> _Kept:
    """The app's store: one per app (so per worker), never shared between two apps in one process."""
    store = current_app.extensions.get("report_figures")
    if store is None:
        store = current_app.extensions["report_figures"] = _Kept(CACHE_ENTRIES, CACHE_SECONDS)
    return store


def dashboard(scope, today, language: str, *, national: bool):
    """queries.dashboard, reused while nothing it shows has changed; "active" read every time."""
    from lms.reports import queries

    key = (national, scope, today, language, versions(None if national or scope.hub_id is None else scope.hub_id))
    store = _kept()
    figures = store.get(key)
    if figures is None:
        figures = queries.dashboard(scope, today, language, national=national, with_active=False)
        store.put(key, figures)
    active = queries.active_volunteers(scope, today)
    return replace(figures, headline=replace(figures.headline, active_30_days=active))
