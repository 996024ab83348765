"""The figures hubs report, read in one pass per table they come from, split by hub.

A dashboard shows the same rows several times: lessons led feed the headline, the funnel,
the month table and the hub table; certificates feed the headline, the funnel, the track
table and the hub table. Reading each table once per page and deriving every figure from
that pass keeps a whole page at a handful of queries (measured in bench/report_bench.py).
Every figure also has its own function (CSV exports, tests) built on the same passes, so
each is defined once.

Each pass is a section of the page (enrolments, lessons led, certificates) and returns its
figures per hub: every figure but "active" counts people, each in one hub, so the page is
the sum of its hubs' parts. freshness.py keeps each part under its own hub's and section's
version, so after a write only the part it moved is read again (an enrolment in one hub:
that hub's enrolment figures, not the country's certificates); a revocation still shows
on the next page.

A Scope narrows every figure: one hub (a coordinator's), or all hubs optionally
filtered by hub or region (an admin's), a period, and a track.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from lms.auth.models import User
from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Course, Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt
from lms.reports.scope import (
    EXPIRY_WINDOW_DAYS,
    Scope,
    courses_in_track,
    hub_conditions,
    hub_key,
    in_hubs,
    is_volunteer,
)
from lms.reports.scope import course_titles as _course_titles
from lms.reports.scope import deliveries as _deliveries
from lms.reports.scope import people as _people
from lms.reports.scope import valid_certificates as _valid_certificates
from lms.reports.trainers import MAX_CHOICES, course_completion, item_analysis

__all__ = [
    "EXPIRY_WINDOW_DAYS", "MAX_CHOICES", "SECTIONS", "Certificates", "Dashboard", "Headline", "Lessons", "People",
    "Scope", "_course_titles", "_deliveries", "_people", "_valid_certificates", "active_volunteers", "assemble",
    "course_completion", "course_table", "dashboard", "funnel", "headline", "hub_table", "item_analysis", "month_table",
    "nothing", "parts", "without_jit", "region_table", "track_table",
]


@dataclass(frozen=True)
class Headline:
    registered: int
    active_30_days: int
    lessons_led: int
    online_lessons: int
    children: int
    parents: int
    schools: int
    certified_now: int
    expiring_soon: int


@dataclass(frozen=True)
class Dashboard:
    """Everything a dashboard page shows."""

    headline: Headline
    funnel: list[tuple[str, int]]
    courses: list[dict]
    tracks: list[dict]
    months: list[dict]
    hub_rows: list[dict]
    region_rows: list[dict]


def without_jit() -> None:
    """PostgreSQL: no JIT compilation for the rest of this transaction. The country's "active"
    query is estimated above jit_above_cost and spent 20-30 ms of its 45-50 compiling itself,
    on every national page (report_bench, 10,000 volunteers); these queries run once each."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection().exec_driver_sql("SET LOCAL jit = off")


# ---- the passes: one query per table, each figure split by the hub of the person it counts

def _rows(stmt) -> list:
    """Plain rows on the session's connection (same transaction), without the ORM's per-row work."""
    return db.session.connection().execute(stmt).all()


def _where_hubs(scope: Scope, hubs: Collection[int] | None) -> list:
    """The scope's own hub and region, or only these hub keys (a part recomputed after a write)."""
    return hub_conditions(scope) if hubs is None else in_hubs(hubs)


@dataclass(frozen=True)
class People:
    """One hub's volunteers and their enrolments: the "enrolments" section of a page."""

    volunteers: int  # every volunteer of the hub (the hub table)
    registered: int  # registered before the period's end
    enrolled: int  # enrolled in a course (of the track) by the period's end
    passed: int  # passed one by the period's end
    courses: dict  # course id -> (enrolled in the period, of those still in progress, passed in the period)


def _has_enrolment(condition, scope: Scope):
    """Whether the volunteer of the outer query has an enrolment meeting `condition`: a probe
    into the (user_id, course_id) index per volunteer, not a read of every enrolment to count
    distinct people (the country's funnel: 0.045-0.065 s -> about 0.015 s more on the
    volunteers' pass, SQLite)."""
    conditions = [Enrolment.user_id == User.id, condition]
    if scope.track_id is not None:
        conditions.append(Enrolment.course_id.in_(courses_in_track(scope)))
    return select(Enrolment.id).where(*conditions).exists()


def _total(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _enrolments(scope: Scope, _today: date, hubs: Collection[int] | None = None) -> dict[int, People]:
    """Two queries: the volunteers (with a probe for an enrolment and a pass each), then the
    enrolments of the period per course; both grouped by hub."""
    where = [is_volunteer(), *_where_hubs(scope, hubs)]
    volunteers = db.session.execute(
        select(User.hub_id, func.count(), _total(User.created_at < scope.end),
               _total(_has_enrolment(Enrolment.enrolled_at < scope.end, scope)),
               _total(_has_enrolment(Enrolment.passed_at < scope.end, scope)))
        .where(*where).group_by(User.hub_id)
    ).all()
    in_period = and_(Enrolment.enrolled_at >= scope.start, Enrolment.enrolled_at < scope.end)
    passed_in_period = and_(Enrolment.passed_at >= scope.start, Enrolment.passed_at < scope.end)
    if scope.track_id is not None:
        # Only with a track: "any course" as a condition leads SQLite without statistics
        # to read every enrolment through the course index (three times slower).
        where.append(Enrolment.course_id.in_(courses_in_track(scope)))
    courses: dict = defaultdict(dict)
    for hub_id, course_id, enrolled, in_progress, passed in db.session.execute(
        select(User.hub_id, Enrolment.course_id, _total(in_period), _total(and_(in_period, Enrolment.passed_at.is_(None))),
               _total(passed_in_period))
        .join(User, User.id == Enrolment.user_id)
        # Only rows that count in one of the sums: fewer rows through the sums and the grouping.
        .where(*where, or_(Enrolment.enrolled_at >= scope.start, Enrolment.passed_at >= scope.start))
        .group_by(User.hub_id, Enrolment.course_id)
    ):
        courses[hub_key(hub_id)][course_id] = (enrolled, in_progress, passed)
    return {hub_key(hub_id): People(everyone, registered, enrolled, passed, courses.get(hub_key(hub_id), {}))
            for hub_id, everyone, registered, enrolled, passed in volunteers}


@dataclass(frozen=True)
class Lessons:
    """One hub's confirmed lessons led in the period: the "lessons" section of a page."""

    count: int
    online: int
    children: int
    parents: int
    schools: tuple  # distinct school names, folded (" School 7" and "school 7" are one school)
    leaders: int  # distinct volunteers who led one
    months: dict  # "YYYY-MM" -> (lessons, children, parents, tuple of distinct schools)
    led: tuple  # (lessons, children, parents) led by the hub's people whatever their role (the hub table)


def _lessons(scope: Scope, _today: date, hubs: Collection[int] | None = None) -> dict[int, Lessons]:
    """Confirmed lessons led in the period: the rows (a few thousand), summed here per hub."""
    month = func.substr(func.cast(LessonDelivery.led_on, db.String), 1, 7)
    status, led_on = LessonDelivery.status, LessonDelivery.led_on
    people_of = _where_hubs(scope, hubs)
    if people_of and db.engine.dialect.name == "sqlite":
        # For a hub, start from its people (index on user_id), not from every lesson in
        # the period: a third of the time. SQLite without statistics (the app never runs
        # ANALYZE) prefers the status/date index, so those columns are wrapped in a no-op
        # it cannot use an index for.
        status, led_on = func.coalesce(status, status), func.coalesce(led_on, led_on)
    conditions = [status == "confirmed", led_on >= scope.date_from, led_on <= scope.date_to]
    conditions.extend(people_of)  # on the leader joined below
    if scope.track_id is not None:
        conditions.append(LessonDelivery.track_id == scope.track_id)
    rows = _rows(
        select(month, LessonDelivery.school, LessonDelivery.online, LessonDelivery.children,
               LessonDelivery.parents, LessonDelivery.user_id, User.hub_id, case((is_volunteer(), 1), else_=0))
        .join(User, User.id == LessonDelivery.user_id).where(*conditions)
    )
    totals: dict = {}
    school_keys: dict[str, str] = {}
    for led_month, school_name, is_online, kids, adults, user_id, hub_id, volunteer in rows:
        # Folded here rather than with SQL's lower(), which on SQLite is a Python function
        # called once per row (see lms/transactions.py); names repeat, so each is folded once,
        # and interned: the kept parts of every hub and period share one copy of each name.
        school = school_keys.get(school_name)
        if school is None:
            school = school_keys[school_name] = sys.intern(school_name.strip(" ").lower())
        total = totals.get(hub_id)
        if total is None:  # lessons, online, children, parents, schools, leaders, months, led
            total = totals[hub_id] = [0, 0, 0, 0, set(), set(), {}, [0, 0, 0]]
        led = total[7]
        led[0] += 1
        led[1] += kids or 0
        led[2] += adults or 0
        if not volunteer:
            continue
        total[0] += 1
        total[1] += 1 if is_online else 0
        total[2] += kids or 0
        total[3] += adults or 0
        total[4].add(school)
        total[5].add(user_id)
        in_month = total[6].get(led_month)
        if in_month is None:
            in_month = total[6][led_month] = [0, 0, 0, set()]
        in_month[0] += 1
        in_month[1] += kids or 0
        in_month[2] += adults or 0
        in_month[3].add(school)
    # Names as tuples, not sets: a part is kept, and a tuple holds a name in 8 bytes, a set in 30-40.
    return {hub_key(hub_id): Lessons(n, o, c, p, tuple(s), len(leaders),
                                     {m: (mn, mc, mp, tuple(ms)) for m, (mn, mc, mp, ms) in months.items()}, tuple(led))
            for hub_id, (n, o, c, p, s, leaders, months, led) in totals.items()}


@dataclass(frozen=True)
class Certificates:
    """One hub's certificates: the "certificates" section of a page."""

    certified_now: int  # distinct volunteers holding a valid certificate
    expiring_soon: int  # valid certificates expiring within the window
    ever_certified: int  # distinct volunteers issued one by the period's end
    by_track: dict  # track id -> (issued in the period, eligible now, expiring soon)
    holders: int  # distinct holders of a valid one whatever their role (the hub table)


def _certificates(scope: Scope, today: date, hubs: Collection[int] | None = None) -> dict[int, Certificates]:
    """Every certificate of the people in scope (a few thousand rows), with its state worked
    out in SQL (valid today, expiring, issued in the period) and counted here per hub."""
    valid = and_(Certificate.revoked_at.is_(None), Certificate.issued_on <= today, Certificate.expires_on > today)
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    conditions = list(_where_hubs(scope, hubs))
    if scope.track_id is not None:
        conditions.append(Certificate.track_id == scope.track_id)
    rows = _rows(
        select(Certificate.user_id, Certificate.track_id, User.hub_id, flag(is_volunteer()), flag(valid),
               flag(Certificate.expires_on <= today + timedelta(days=EXPIRY_WINDOW_DAYS)),
               flag(and_(Certificate.issued_on >= scope.date_from, Certificate.issued_on <= scope.date_to)),
               flag(Certificate.issued_on <= scope.date_to))
        .join(User, User.id == Certificate.user_id).where(*conditions)
    )
    totals: dict = {}
    for user_id, track_id, hub_id, volunteer, is_valid, expires_soon, issued_in_period, issued_by_end in rows:
        total = totals.get(hub_id)
        if total is None:  # certified, ever, expiring, by track, holders
            total = totals[hub_id] = [set(), set(), 0, defaultdict(lambda: [0, set(), 0]), set()]
        if is_valid:
            total[4].add(user_id)
        if not volunteer:
            continue
        track = total[3][track_id]
        if issued_in_period:
            track[0] += 1
        if issued_by_end:
            total[1].add(user_id)
        if is_valid:
            total[0].add(user_id)
            track[1].add(user_id)
            if expires_soon:
                total[2] += 1
                track[2] += 1
    return {hub_key(hub_id): Certificates(len(certified), expiring, len(ever),
                                          {track: (i, len(v), x) for track, (i, v, x) in by_track.items()}, len(holders))
            for hub_id, (certified, ever, expiring, by_track, holders) in totals.items()}


def _active(scope: Scope, today: date) -> int:
    """Volunteers in scope who marked a lesson done or submitted a quiz in the last 30 days."""
    since = datetime.combine(min(today, scope.date_to) - timedelta(days=30), time.min)
    # One index probe per volunteer (indexes in scope.py), not a read of all recent activity.
    return db.session.scalar(select(func.count()).select_from(User).where(
        is_volunteer(), *hub_conditions(scope),
        or_(select(LessonProgress.user_id).where(LessonProgress.user_id == User.id,
                                                 LessonProgress.completed_at >= since).exists(),
            select(QuizAttempt.id).where(QuizAttempt.user_id == User.id, QuizAttempt.submitted_at >= since).exists())))


# ---- a page's parts: each section's figures per hub, and their sums

SECTIONS = ("enrolments", "lessons", "certificates")
_PASSES = {"enrolments": _enrolments, "lessons": _lessons, "certificates": _certificates}
_NOTHING = {"enrolments": People(0, 0, 0, 0, {}), "lessons": Lessons(0, 0, 0, 0, (), 0, {}, (0, 0, 0)),
            "certificates": Certificates(0, 0, 0, {}, 0)}


def parts(section: str, scope: Scope, today: date, hubs: Collection[int] | None = None) -> dict:
    """One section's figures per hub key, in one pass: of the scope's hubs (those with anything
    to count), or of exactly these hub keys."""
    found = _PASSES[section](scope, today, hubs)
    return found if hubs is None else {key: found.get(key, _NOTHING[section]) for key in hubs}


def nothing(section: str):
    """A section's figures for a hub with nothing to count."""
    return _NOTHING[section]


def _add(totals: list, values) -> None:
    for i, value in enumerate(values):
        totals[i] += value


def _sum_people(parts: list[People]) -> People:
    if len(parts) == 1:
        return parts[0]
    totals, courses = [0, 0, 0, 0], defaultdict(lambda: [0, 0, 0])
    for part in parts:
        _add(totals, (part.volunteers, part.registered, part.enrolled, part.passed))
        for course_id, counts in part.courses.items():
            _add(courses[course_id], counts)
    return People(*totals, {course_id: tuple(counts) for course_id, counts in courses.items()})


def _sum_lessons(parts: list[Lessons]) -> Lessons:
    if len(parts) == 1:
        return parts[0]
    totals, led, schools, months = [0, 0, 0, 0], [0, 0, 0], set(), {}
    leaders = 0
    for part in parts:
        _add(totals, (part.count, part.online, part.children, part.parents))
        _add(led, part.led)
        schools.update(part.schools)
        leaders += part.leaders  # each volunteer is in one hub
        for month, (n, c, p, named) in part.months.items():
            total = months.setdefault(month, [0, 0, 0, set()])
            _add(total, (n, c, p))
            total[3].update(named)
    return Lessons(*totals, tuple(schools), leaders, {m: (n, c, p, tuple(s)) for m, (n, c, p, s) in months.items()},
                   tuple(led))


def _sum_certificates(parts: list[Certificates]) -> Certificates:
    if len(parts) == 1:
        return parts[0]
    totals, by_track = [0, 0, 0], defaultdict(lambda: [0, 0, 0])
    for part in parts:
        _add(totals, (part.certified_now, part.expiring_soon, part.ever_certified))
        for track_id, counts in part.by_track.items():
            _add(by_track[track_id], counts)  # holders are counted in their own hub only
    return Certificates(*totals, {track_id: tuple(counts) for track_id, counts in by_track.items()},
                        sum(part.holders for part in parts))


def _all(section: str, scope: Scope, today: date):
    """The scope's figures of one section, summed over its hubs."""
    return _SUMS[section](list(parts(section, scope, today).values()))


_SUMS = {"enrolments": _sum_people, "lessons": _sum_lessons, "certificates": _sum_certificates}


# ---- the figures, each from the sums above

def _headline(people: People, active: int, lessons: Lessons, certificates: Certificates) -> Headline:
    return Headline(people.registered, active, lessons.count, lessons.online, lessons.children, lessons.parents,
                    len(lessons.schools), certificates.certified_now, certificates.expiring_soon)


def _funnel(people: People, certificates: Certificates, lessons: Lessons) -> list[tuple[str, int]]:
    return [("registered", people.registered), ("enrolled", people.enrolled), ("passed", people.passed),
            ("certified", certificates.ever_certified), ("led", lessons.leaders)]


def _course_rows(scope: Scope, counts: dict, language: str) -> list[dict]:
    courses = db.session.execute(select(Course.id, Course.slug).where(Course.id.in_(courses_in_track(scope)))
                                 .order_by(Course.slug)).all()
    titles = _course_titles(language)
    rows = []
    for course_id, slug in courses:
        enrolled, in_progress, passed = counts.get(course_id, (0, 0, 0))
        rows.append({"course": slug, "title": titles.get(course_id, slug), "enrolled": enrolled,
                     "in_progress": in_progress, "passed": passed})
    return rows


def _track_rows(scope: Scope, certificates: Certificates, language: str) -> list[dict]:
    stmt = select(Track.id, Track.slug, Track.title).order_by(Track.position)
    if scope.track_id is not None:
        stmt = stmt.where(Track.id == scope.track_id)
    rows = []
    for track_id, slug, title in db.session.execute(stmt).all():
        issued, eligible, expiring = certificates.by_track.get(track_id, (0, 0, 0))
        rows.append({"track": slug, "title": (title or {}).get(language) or (title or {}).get("en", slug),
                     "issued": issued, "eligible_now": eligible, "expiring_soon": expiring})
    return rows


def _month_rows(lessons: Lessons) -> list[dict]:
    return [{"month": m, "lessons": n, "children": c, "parents": p, "schools": len(s)}
            for m, (n, c, p, s) in sorted(lessons.months.items())]


def _hub_rows(scope: Scope, people: dict, certificates: dict, lessons: dict) -> list[dict]:
    rows = []
    for hub_id, name, region in db.session.execute(select(Hub.id, Hub.name, Hub.region).order_by(Hub.region, Hub.name)):
        if scope.region and region != scope.region:
            continue
        if scope.hub_id is not None and hub_id != scope.hub_id:
            continue
        n, c, p = lessons[hub_id].led if hub_id in lessons else (0, 0, 0)
        rows.append({"hub": name, "region": region, "volunteers": people[hub_id].volunteers if hub_id in people else 0,
                     "certified_now": certificates[hub_id].holders if hub_id in certificates else 0,
                     "lessons": n, "children": c, "parents": p})
    return rows


def assemble(scope: Scope, language: str, *, national: bool, parts: dict, active: int) -> Dashboard:
    """A whole page from its parts: each section's figures per hub key (freshness.py keeps them)."""
    people, lessons, certificates = (parts[section] for section in SECTIONS)
    people_sum = _sum_people(list(people.values()) or [_NOTHING["enrolments"]])
    lessons_sum = _sum_lessons(list(lessons.values()) or [_NOTHING["lessons"]])
    certificates_sum = _sum_certificates(list(certificates.values()) or [_NOTHING["certificates"]])
    hubs = _hub_rows(scope, people, certificates, lessons) if national else []
    return Dashboard(
        headline=_headline(people_sum, active, lessons_sum, certificates_sum),
        funnel=_funnel(people_sum, certificates_sum, lessons_sum),
        courses=_course_rows(scope, people_sum.courses, language),
        tracks=_track_rows(scope, certificates_sum, language),
        months=_month_rows(lessons_sum),
        hub_rows=hubs,
        region_rows=region_table(hubs) if national else [],
    )


def dashboard(scope: Scope, today: date, language: str, *, national: bool, with_active: bool = True) -> Dashboard:
    """A whole dashboard page computed now: one pass per section over every hub in scope.

    Without `with_active` the headline's "active in 30 days" is 0, for a caller that reads
    it separately."""
    without_jit()
    return assemble(scope, language, national=national,
                    parts={section: parts(section, scope, today) for section in SECTIONS},
                    active=_active(scope, today) if with_active else 0)


def active_volunteers(scope: Scope, today: date) -> int:
    """Volunteers in scope active in the 30 days before the period's end (or today)."""
    return _active(scope, today)


def headline(scope: Scope, today: date) -> Headline:
    return _headline(_all("enrolments", scope, today), _active(scope, today), _all("lessons", scope, today),
                     _all("certificates", scope, today))


def funnel(scope: Scope) -> list[tuple[str, int]]:
    """Distinct volunteers at each step, within the period."""
    today = date.today()
    return _funnel(_all("enrolments", scope, today), _all("certificates", scope, today), _all("lessons", scope, today))


def course_table(scope: Scope, language: str) -> list[dict]:
    """Per course: enrolled in the period, still in progress, passed in the period."""
    return _course_rows(scope, _all("enrolments", scope, date.today()).courses, language)


def track_table(scope: Scope, today: date, language: str) -> list[dict]:
    """Per track: certificates issued in the period, eligible now, expiring within 60 days."""
    return _track_rows(scope, _all("certificates", scope, today), language)


def month_table(scope: Scope) -> list[dict]:
    """Confirmed lessons led per month: lessons, children, parents, schools."""
    return _month_rows(_all("lessons", scope, date.today()))


def hub_table(scope: Scope, today: date) -> list[dict]:
    """National view: one row per hub (with its region)."""
    return _hub_rows(scope, parts("enrolments", scope, today), parts("certificates", scope, today),
                     parts("lessons", scope, today))


def region_table(hub_rows: list[dict]) -> list[dict]:
    regions: dict[str, dict] = {}
    for row in hub_rows:
        total = regions.setdefault(row["region"], {"region": row["region"], "hubs": 0, "volunteers": 0,
                                                   "certified_now": 0, "lessons": 0, "children": 0, "parents": 0})
        total["hubs"] += 1
        for key in ("volunteers", "certified_now", "lessons", "children", "parents"):
            total[key] += row[key]
    return list(regions.values())
