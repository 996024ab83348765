"""The figures hubs report, read in one pass per table they come from.

A dashboard shows the same rows several times: lessons led feed the headline, the funnel,
the month table and the hub table; certificates feed the headline, the funnel, the track
table and the hub table. Reading each table once per page and deriving every figure from
that pass keeps a whole page at a handful of queries (measured in bench/report_bench.py).
Every figure also has its own function (CSV exports, tests) built on the same passes, so
each is defined once. The pages reuse these figures while the data under them is unchanged
(freshness.py), so a revocation still shows on the next page.

A Scope narrows every figure: one hub (a coordinator's), or all hubs optionally
filtered by hub or region (an admin's), a period, and a track.
"""

from __future__ import annotations

from collections import defaultdict
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
    is_volunteer,
    people,
)
from lms.reports.scope import course_titles as _course_titles
from lms.reports.scope import deliveries as _deliveries
from lms.reports.scope import people as _people
from lms.reports.scope import valid_certificates as _valid_certificates
from lms.reports.trainers import MAX_CHOICES, course_completion, item_analysis

__all__ = [
    "EXPIRY_WINDOW_DAYS", "MAX_CHOICES", "Dashboard", "Headline", "Scope", "_course_titles", "_deliveries", "_people",
    "_valid_certificates", "active_volunteers", "course_completion", "course_table", "dashboard", "funnel", "headline", "hub_table",
    "item_analysis", "month_table", "region_table", "track_table",
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


# ---- the passes: one query each

def _rows(stmt) -> list:
    """Plain rows on the session's connection (same transaction), without the ORM's per-row work."""
    return db.session.connection().execute(stmt).all()


@dataclass(frozen=True)
class _Volunteers:
    registered: int  # before the period's end, in scope
    enrolled: int  # enrolled in a course (of the track) by the period's end
    passed: int  # passed one by the period's end
    by_hub: dict  # hub id -> every volunteer of that hub


def _has_enrolment(condition, scope: Scope):
    """Whether the volunteer of the outer query has an enrolment meeting `condition`: a probe
    into the (user_id, course_id) index per volunteer, not a read of every enrolment to count
    distinct people (the country's funnel: 0.045-0.065 s -> about 0.015 s more on the
    volunteers' pass, SQLite)."""
    conditions = [Enrolment.user_id == User.id, condition]
    if scope.track_id is not None:
        conditions.append(Enrolment.course_id.in_(courses_in_track(scope)))
    return select(Enrolment.id).where(*conditions).exists()


def _volunteers(scope: Scope) -> _Volunteers:
    total = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    rows = db.session.execute(
        select(User.hub_id, func.count(), total(User.created_at < scope.end),
               total(_has_enrolment(Enrolment.enrolled_at < scope.end, scope)),
               total(_has_enrolment(Enrolment.passed_at < scope.end, scope)))
        .where(is_volunteer(), *hub_conditions(scope)).group_by(User.hub_id)
    ).all()
    return _Volunteers(sum(row[2] for row in rows), sum(row[3] for row in rows), sum(row[4] for row in rows),
                       {row[0]: row[1] for row in rows})


def _active(scope: Scope, today: date) -> int:
    """Volunteers in scope who marked a lesson done or submitted a quiz in the last 30 days."""
    since = datetime.combine(min(today, scope.date_to) - timedelta(days=30), time.min)
    # One index probe per volunteer (indexes in scope.py), not a read of all recent activity.
    return db.session.scalar(select(func.count()).select_from(User).where(
        is_volunteer(), *hub_conditions(scope),
        or_(select(LessonProgress.user_id).where(LessonProgress.user_id == User.id,
                                                 LessonProgress.completed_at >= since).exists(),
            select(QuizAttempt.id).where(QuizAttempt.user_id == User.id, QuizAttempt.submitted_at >= since).exists())))


@dataclass(frozen=True)
class _Lessons:
    count: int
    online: int
    children: int
    parents: int
    schools: int
    leaders: int  # distinct volunteers who led one
    months: list[dict]
    by_hub: dict  # the leader's hub id -> (lessons, children, parents), whatever their role


def _lessons(scope: Scope) -> _Lessons:
    """Confirmed lessons led in the period: the rows (a few thousand), summed here."""
    month = func.substr(func.cast(LessonDelivery.led_on, db.String), 1, 7)
    status, led_on = LessonDelivery.status, LessonDelivery.led_on
    if hub_conditions(scope) and db.engine.dialect.name == "sqlite":
        # For a hub, start from its people (index on user_id), not from every lesson in
        # the period: a third of the time. SQLite without statistics (the app never runs
        # ANALYZE) prefers the status/date index, so those columns are wrapped in a no-op
        # it cannot use an index for.
        status, led_on = func.coalesce(status, status), func.coalesce(led_on, led_on)
    conditions = [status == "confirmed", led_on >= scope.date_from, led_on <= scope.date_to]
    if hub_conditions(scope):
        conditions.append(LessonDelivery.user_id.in_(select(User.id).where(*hub_conditions(scope))))
    if scope.track_id is not None:
        conditions.append(LessonDelivery.track_id == scope.track_id)
    rows = _rows(
        select(month, LessonDelivery.school, LessonDelivery.online, LessonDelivery.children,
               LessonDelivery.parents, LessonDelivery.user_id, User.hub_id, case((is_volunteer(), 1), else_=0))
        .join(User, User.id == LessonDelivery.user_id).where(*conditions)
    )
    count = online = children = parents = 0
    schools: set[str] = set()
    leaders: set[int] = set()
    months: dict[str, list] = {}
    by_hub: dict = defaultdict(lambda: [0, 0, 0])
    school_keys: dict[str, str] = {}
    for led_month, school_name, is_online, kids, adults, user_id, hub_id, volunteer in rows:
        # " School 7" and "school 7" are one school. Folded here rather than with SQL's
        # lower(), which on SQLite is a Python function called once per row (see
        # lms/transactions.py); names repeat, so each is folded once.
        school = school_keys.get(school_name)
        if school is None:
            school = school_keys[school_name] = school_name.strip(" ").lower()
        hub_total = by_hub[hub_id]
        hub_total[0] += 1
        hub_total[1] += kids or 0
        hub_total[2] += adults or 0
        if not volunteer:
            continue
        count += 1
        online += 1 if is_online else 0
        children += kids or 0
        parents += adults or 0
        schools.add(school)
        leaders.add(user_id)
        total = months.setdefault(led_month, [0, 0, 0, set()])
        total[0] += 1
        total[1] += kids or 0
        total[2] += adults or 0
        total[3].add(school)
    return _Lessons(
        count, online, children, parents, len(schools), len(leaders),
        [{"month": m, "lessons": n, "children": c, "parents": p, "schools": len(s)}
         for m, (n, c, p, s) in sorted(months.items())],
        {hub: tuple(total) for hub, total in by_hub.items()},
    )


@dataclass(frozen=True)
class _Certificates:
    certified_now: int  # distinct volunteers holding a valid certificate
    expiring_soon: int  # valid certificates expiring within the window
    ever_certified: int  # distinct volunteers issued one by the period's end
    by_track: dict  # track id -> (issued in the period, eligible now, expiring soon)
    by_hub: dict  # holder's hub id -> distinct holders of a valid one, whatever their role


def _certificates(scope: Scope, today: date) -> _Certificates:
    """Every certificate of the people in scope (a few thousand rows), with its state worked
    out in SQL (valid today, expiring, issued in the period) and counted here."""
    valid = and_(Certificate.revoked_at.is_(None), Certificate.issued_on <= today, Certificate.expires_on > today)
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    conditions = list(hub_conditions(scope))
    if scope.track_id is not None:
        conditions.append(Certificate.track_id == scope.track_id)
    rows = _rows(
        select(Certificate.user_id, Certificate.track_id, User.hub_id, flag(is_volunteer()), flag(valid),
               flag(Certificate.expires_on <= today + timedelta(days=EXPIRY_WINDOW_DAYS)),
               flag(and_(Certificate.issued_on >= scope.date_from, Certificate.issued_on <= scope.date_to)),
               flag(Certificate.issued_on <= scope.date_to))
        .join(User, User.id == Certificate.user_id).where(*conditions)
    )
    certified: set[int] = set()
    ever: set[int] = set()
    expiring = 0
    by_track: dict = defaultdict(lambda: [0, set(), 0])
    by_hub: dict = defaultdict(set)
    for user_id, track_id, hub_id, volunteer, is_valid, expires_soon, issued_in_period, issued_by_end in rows:
        if is_valid:
            by_hub[hub_id].add(user_id)
        if not volunteer:
            continue
        track = by_track[track_id]
        if issued_in_period:
            track[0] += 1
        if issued_by_end:
            ever.add(user_id)
        if is_valid:
            certified.add(user_id)
            track[1].add(user_id)
            if expires_soon:
                expiring += 1
                track[2] += 1
    return _Certificates(len(certified), expiring, len(ever),
                         {track: (i, len(v), x) for track, (i, v, x) in by_track.items()},
                         {hub: len(holders) for hub, holders in by_hub.items()})


def _enrolments_in_scope(scope: Scope) -> list:
    conditions = [Enrolment.user_id.in_(people(scope))]
    if scope.track_id is not None:
        # Only with a track: "any course" as a condition leads SQLite without statistics
        # to read every enrolment through the course index (three times slower).
        conditions.append(Enrolment.course_id.in_(courses_in_track(scope)))
    return conditions


def _enrolment_counts(scope: Scope) -> dict:
    """Course id -> (enrolled in the period, of those still in progress, passed in the period)."""
    in_period = and_(Enrolment.enrolled_at >= scope.start, Enrolment.enrolled_at < scope.end)
    passed_in_period = and_(Enrolment.passed_at >= scope.start, Enrolment.passed_at < scope.end)
    total = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    rows = db.session.execute(
        select(Enrolment.course_id, total(in_period), total(and_(in_period, Enrolment.passed_at.is_(None))),
               total(passed_in_period))
        .where(*_enrolments_in_scope(scope))
        .group_by(Enrolment.course_id)
    ).all()
    return {course_id: (e, p, d) for course_id, e, p, d in rows}


# ---- the figures, each from the passes above

def _headline(volunteers: _Volunteers, active: int, lessons: _Lessons, certificates: _Certificates) -> Headline:
    return Headline(volunteers.registered, active, lessons.count, lessons.online, lessons.children, lessons.parents,
                    lessons.schools, certificates.certified_now, certificates.expiring_soon)


def _funnel(volunteers: _Volunteers, certificates: _Certificates, lessons: _Lessons) -> list[tuple[str, int]]:
    return [("registered", volunteers.registered), ("enrolled", volunteers.enrolled), ("passed", volunteers.passed),
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


def _track_rows(scope: Scope, certificates: _Certificates, language: str) -> list[dict]:
    stmt = select(Track.id, Track.slug, Track.title).order_by(Track.position)
    if scope.track_id is not None:
        stmt = stmt.where(Track.id == scope.track_id)
    rows = []
    for track_id, slug, title in db.session.execute(stmt).all():
        issued, eligible, expiring = certificates.by_track.get(track_id, (0, 0, 0))
        rows.append({"track": slug, "title": (title or {}).get(language) or (title or {}).get("en", slug),
                     "issued": issued, "eligible_now": eligible, "expiring_soon": expiring})
    return rows


def _hub_rows(scope: Scope, volunteers: _Volunteers, certificates: _Certificates, lessons: _Lessons) -> list[dict]:
    rows = []
    for hub_id, name, region in db.session.execute(select(Hub.id, Hub.name, Hub.region).order_by(Hub.region, Hub.name)):
        if scope.region and region != scope.region:
            continue
        if scope.hub_id is not None and hub_id != scope.hub_id:
            continue
        n, c, p = lessons.by_hub.get(hub_id, (0, 0, 0))
        rows.append({"hub": name, "region": region, "volunteers": volunteers.by_hub.get(hub_id, 0),
                     "certified_now": certificates.by_hub.get(hub_id, 0), "lessons": n, "children": c, "parents": p})
    return rows


def dashboard(scope: Scope, today: date, language: str, *, national: bool, with_active: bool = True) -> Dashboard:
    """A whole dashboard page: seven queries (eight with the hub table), each table read once.

    Without `with_active` the headline's "active in 30 days" is 0, for a caller that reads
    it separately (freshness.dashboard keeps the rest, never that figure)."""
    volunteers, lessons, certificates = _volunteers(scope), _lessons(scope), _certificates(scope, today)
    hubs = _hub_rows(scope, volunteers, certificates, lessons) if national else []
    return Dashboard(
        headline=_headline(volunteers, _active(scope, today) if with_active else 0, lessons, certificates),
        funnel=_funnel(volunteers, certificates, lessons),
        courses=_course_rows(scope, _enrolment_counts(scope), language),
        tracks=_track_rows(scope, certificates, language),
        months=lessons.months,
        hub_rows=hubs,
        region_rows=region_table(hubs) if national else [],
    )


def active_volunteers(scope: Scope, today: date) -> int:
    """Volunteers in scope active in the 30 days before the period's end (or today)."""
    return _active(scope, today)


def headline(scope: Scope, today: date) -> Headline:
    return _headline(_volunteers(scope), _active(scope, today), _lessons(scope), _certificates(scope, today))


def funnel(scope: Scope) -> list[tuple[str, int]]:
    """Distinct volunteers at each step, within the period."""
    return _funnel(_volunteers(scope), _certificates(scope, date.today()), _lessons(scope))


def course_table(scope: Scope, language: str) -> list[dict]:
    """Per course: enrolled in the period, still in progress, passed in the period."""
    return _course_rows(scope, _enrolment_counts(scope), language)


def track_table(scope: Scope, today: date, language: str) -> list[dict]:
    """Per track: certificates issued in the period, eligible now, expiring within 60 days."""
    return _track_rows(scope, _certificates(scope, today), language)


def month_table(scope: Scope) -> list[dict]:
    """Confirmed lessons led per month: lessons, children, parents, schools."""
    return _lessons(scope).months


def hub_table(scope: Scope, today: date) -> list[dict]:
    """National view: one row per hub (with its region)."""
    return _hub_rows(scope, _volunteers(scope), _certificates(scope, today), _lessons(scope))


def region_table(hub_rows: list[dict]) -> list[dict]:
    regions: dict[str, dict] = {}
    for row in hub_rows:
        total = regions.setdefault(row["region"], {"region": row["region"], "hubs": 0, "volunteers": 0,
                                                   "certified_now": 0, "lessons": 0, "children": 0, "parents": 0})
        total["hubs"] += 1
        for key in ("volunteers", "certified_now", "lessons", "children", "parents"):
            total[key] += row[key]
    return list(regions.values())
