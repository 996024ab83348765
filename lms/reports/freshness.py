"""Dashboard figures kept per worker, each part under the version of the data it was computed from.

Reading the figures costs 0.1-0.3 s at 10,000 volunteers (bench/report_bench.py); most of
it re-reads enrolments, certificates and lessons led that have not changed since the last
view. A page is the sum of per-hub parts in three sections (queries.py): enrolments
(people, enrolments and passes), lessons led, and certificates. Each (section, hub) has a
version row (report_versions), raised in the same transaction as any write that can move
that part: an enrolment or a pass moves its hub's enrolments; a lesson led reported or
reviewed, its lessons; a certificate issued, revoked, renewed or held, its certificates; a
person leaving, changing hub or role, every section of their hubs (joining: enrolments).
Hub key 0 is every hub of a section (a write sent as a statement, whose hub is not known
here), key -1 people without a hub. The "shared" row moves when a course or track comes or
goes or a course changes track, which every part may depend on (a course filters by track,
and its enrolments go with it); the "pages" row with what a page shows around its parts
(hub names and regions, course and track titles, a course retired or re-imported), so a
coordinator editing their hub's helpline or an author publishing a course re-reads no figure.

A part is reused only while its versions, the day (certificates expire by date), the period
and the track are the same, so a revocation shows on the very next request, and the first
view after an enrolment reads one hub's enrolment figures instead of the whole page. A whole
page is kept too, under every version it read. "Active in the last 30 days" moves with
every lesson mark, so it is never kept: it is read fresh each time, and lesson progress and
quiz attempts raise no version (no row every mark would have to lock).

Rows per hub and section rather than one counter: on PostgreSQL a raised row stays locked
until the writer commits, and the raise is the last statement before COMMIT, so only
writers of the same hub and section wait, for one commit's time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import replace

from flask import current_app
from sqlalchemy import Integer, String, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.auth.models import User
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.courses.models import Course, CourseText, Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import Enrolment
from lms.reports.scope import NO_HUB, hub_keys

EVERYTHING = 0
SHARED = "shared"  # which courses there are and their tracks: every part may depend on them
PAGES = "pages"  # hubs, titles, anything else about a course or track: only the pages around the parts
ENROLMENTS, LESSONS, CERTIFICATES = SECTIONS = ("enrolments", "lessons", "certificates")  # as queries.SECTIONS
CACHE_ENTRIES = 64  # whole pages per worker: a few KB each
# Parts per worker, three a hub for each period and track viewed. Most are a few hundred bytes;
# a hub's lessons led hold its school names, about 20 KB at 1,700 volunteers a hub (bench
# data): at most about 4 MB in all (tracemalloc: 0.7 MB for four periods of six hubs' pages).
PART_ENTRIES = 512
CACHE_SECONDS = 120  # a safety net for a write made outside this app; the versions do the real work


class ReportVersion(db.Model):
    """How many times one section's figures of one hub (0: every hub, -1: no hub) may have changed."""

    __tablename__ = "report_versions"
    section: Mapped[str] = mapped_column(String(16), primary_key=True)
    hub_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)


# Writes to these move one section of the hub of the person they belong to.
_SECTION_OF = ((Enrolment, ENROLMENTS), (Certificate, CERTIFICATES), (CertificationHold, CERTIFICATES),
               (LessonDelivery, LESSONS))
_SECTION_OF_TABLE = {model.__table__.name: section for model, section in _SECTION_OF}
# Writes to these may move any part (one added or removed, a course's track); to the second,
# only the names and titles around the parts.
_SHARED, _NAMES = (Track, Course), (Hub, CourseText)
_SHARED_TABLES = {m.__table__.name: SHARED for m in _SHARED} | {m.__table__.name: PAGES for m in _NAMES}
# A change of these columns of a person moves no figure (last seen, password, sessions...).
_USER_FIGURE_COLUMNS = ("hub_id", "roles_text", "created_at")


def _pending(session: Session) -> dict:
    return session.info.setdefault("report_changes", {"keys": set(), "people": defaultdict(set)})


_UNKNOWN = object()


def _loaded(obj, name: str):
    """An attribute as the object holds it, never loaded from the database (a deleted row is gone)."""
    return inspect(obj).dict.get(name, _UNKNOWN)


def _section(obj) -> str | None:
    for model, section in _SECTION_OF:
        if isinstance(obj, model):
            return section
    return None


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context) -> None:
    keys, people = set(), defaultdict(set)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _SHARED):
            moved = obj in session.new or obj in session.deleted or (
                isinstance(obj, Course) and inspect(obj).attrs["track_id"].history.has_changes())
            keys.add((SHARED if moved else PAGES, EVERYTHING))
        elif isinstance(obj, _NAMES):
            keys.add((PAGES, EVERYTHING))
        elif (section := _section(obj)) is not None:
            person = _loaded(obj, "user_id")
            if person is _UNKNOWN:
                keys.add((section, EVERYTHING))
            else:
                people[section].add(person)
            people[section].update(inspect(obj).attrs["user_id"].history.deleted or ())  # moved to someone else
        elif isinstance(obj, User):
            state = inspect(obj)
            if obj in session.dirty and not any(state.attrs[name].history.has_changes() for name in _USER_FIGURE_COLUMNS):
                continue
            hub = _loaded(obj, "hub_id")
            hubs = {EVERYTHING if hub is _UNKNOWN else NO_HUB if hub is None else hub}
            hubs.update(NO_HUB if old is None else old for old in state.attrs["hub_id"].history.deleted or ())
            # Someone new has no enrolment, lesson or certificate yet (one added with them is noted on its own).
            sections = (ENROLMENTS,) if obj in session.new else SECTIONS
            keys.update((section, key) for section in sections for key in hubs)
    if keys or people:
        changes = _pending(session)
        changes["keys"] |= keys
        for section, persons in people.items():
            changes["people"][section] |= persons - {None}


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    """Inserts, updates and deletes sent as statements (a revocation, a review, bulk loads)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    # Which hubs a statement touched is not known here: the section moves for every hub.
    if name in _SECTION_OF_TABLE:
        _pending(state.session)["keys"].add((_SECTION_OF_TABLE[name], EVERYTHING))
    elif name in _SHARED_TABLES:
        _pending(state.session)["keys"].add((_SHARED_TABLES[name], EVERYTHING))
    elif name == User.__tablename__:
        if state.is_update:
            values = getattr(state.statement, "_values", None) or {}
            names = {getattr(column, "key", column) for column in values}
            if names and not names & {"hub_id", "roles", "roles_text", "created_at"}:
                return
        _pending(state.session)["keys"].update((section, EVERYTHING) for section in SECTIONS)


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    if "report_changes" not in session.info and not (session.new or session.dirty or session.deleted):
        return  # nothing written, or nothing a figure depends on
    session.flush()  # the last changes are noted by after_flush before the versions move
    changes = session.info.pop("report_changes", None)
    if not changes or not (changes["keys"] or changes["people"]):
        return
    keys = set(changes["keys"])
    everyone = set().union(*changes["people"].values())
    if everyone:
        hub_of = dict(session.execute(select(User.id, User.hub_id).where(User.id.in_(everyone))).all())
        for section, persons in changes["people"].items():
            for person in persons:
                # Someone gone: which hub they were in is not known here.
                hub = hub_of.get(person, _UNKNOWN)
                keys.add((section, EVERYTHING if hub is _UNKNOWN else NO_HUB if hub is None else hub))
    table = ReportVersion.__table__
    upsert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    # Sorted, so two writers lock the rows in the same order (no deadlock on PostgreSQL).
    stmt = upsert.values([{"section": section, "hub_key": key, "version": 1} for section, key in sorted(keys)])
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.section, table.c.hub_key],
                                      set_={"version": table.c.version + 1})
    session.connection().execute(stmt)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("report_changes", None)


def versions(hub_id: int | None) -> dict:
    """The versions a page depends on, as {(section, hub key): version}: one hub's (and key 0's),
    or every row for the country. A row never raised is missing (version 0)."""
    table = ReportVersion.__table__
    stmt = select(table.c.section, table.c.hub_key, table.c.version)
    if hub_id is not None:
        stmt = stmt.where(table.c.hub_key.in_((EVERYTHING, hub_id)))
    return {(section, key): version for section, key, version in db.session.connection().execute(stmt)}


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


class _Store:
    """A worker's kept figures: whole pages, and the parts they are summed from."""

    def __init__(self) -> None:
        self.pages = _Kept(CACHE_ENTRIES, CACHE_SECONDS)
        self.parts = _Kept(PART_ENTRIES, CACHE_SECONDS)


def _kept() -> _Store:
    """The app's store: one per app (so per worker), never shared between two apps in one process."""
    store = current_app.extensions.get("report_figures")
    if store is None:
        store = current_app.extensions["report_figures"] = _Store()
    return store


def _parts(section: str, scope, today, hubs: tuple[int, ...], seen: dict, store: _Kept) -> dict:
    """One section's part of each hub, kept ones reused; the missing ones read in one pass."""
    from lms.reports import queries

    # Everything a part depends on: its hub's and the section's versions, the shared version,
    # the period, the track and the day. Not the region, the language, the names or the page:
    # a hub's part serves its coordinator's page and every national page that covers it.
    common = (scope.date_from, scope.date_to, scope.track_id, today,
              seen.get((section, EVERYTHING), 0), seen.get((SHARED, EVERYTHING), 0))
    found, missing = {}, []
    for hub in hubs:
        part = store.get((section, hub, seen.get((section, hub), 0), *common))
        if part is None:
            missing.append(hub)
        else:
            found[hub] = part
    if missing:
        # Every hub of the page: the scope's own conditions, as on a page never kept; but a
        # region's hubs by their keys, since a part does not move when a hub changes region.
        everyone = len(missing) == len(hubs) and not scope.region
        fresh = queries.parts(section, scope, today, None if everyone else missing)
        for hub in missing:
            found[hub] = fresh.get(hub, queries.nothing(section))
            store.put((section, hub, seen.get((section, hub), 0), *common), found[hub])
    return found


def dashboard(scope, today, language: str, *, national: bool):
    """queries.dashboard, from parts reused while nothing they count has changed; "active" read every time."""
    from lms.reports import queries

    queries.without_jit()
    # The versions first, then the figures: a write committed in between shows in the figures
    # under the older versions, and moves the page at the next view; never the other way round.
    seen = versions(None if national or scope.hub_id is None or scope.region else scope.hub_id)
    store = _kept()
    key = (national, scope, today, language, tuple(sorted(seen.items())))
    figures = store.pages.get(key)
    if figures is None:
        hubs = hub_keys(scope)
        parts = {section: _parts(section, scope, today, hubs, seen, store.parts) for section in SECTIONS}
        figures = queries.assemble(scope, language, national=national, parts=parts, active=0)
        store.pages.put(key, figures)
    active = queries.active_volunteers(scope, today)
    return replace(figures, headline=replace(figures.headline, active_30_days=active))
