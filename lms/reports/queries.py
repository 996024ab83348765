"""The figures hubs report, computed in SQL (GROUP BY over indexed columns).

A Scope narrows every figure: one hub (a coordinator's), or all hubs optionally
filtered by hub or region (an admin's), a period, and a track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, literal, select, union

from lms.auth.models import User
from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Course, CourseText, Question, Quiz, Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import AttemptAnswer, Enrolment, LessonProgress, QuizAttempt

EXPIRY_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date
    hub_id: int | None = None
    region: str | None = None
    track_id: int | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time.min)


def _people(scope: Scope):
    """The users in scope, as a subquery of ids."""
    stmt = select(User.id).where(("," + User.roles_text + ",").like("%,volunteer,%"))
    if scope.hub_id is not None:
        stmt = stmt.where(User.hub_id == scope.hub_id)
    if scope.region:
        stmt = stmt.join(Hub, Hub.id == User.hub_id).where(Hub.region == scope.region)
    return stmt


def _courses_in_track(scope: Scope):
    stmt = select(Course.id)
    if scope.track_id is not None:
        stmt = stmt.where(Course.track_id == scope.track_id)
    return stmt


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


def headline(scope: Scope, today: date) -> Headline:
    people = _people(scope)
    registered = db.session.scalar(
        select(func.count()).select_from(User).where(User.id.in_(people), User.created_at < scope.end)
    )
    since = datetime.combine(min(today, scope.date_to) - timedelta(days=30), time.min)
    active = union(
        select(LessonProgress.user_id).where(LessonProgress.completed_at >= since, LessonProgress.user_id.in_(people)),
        select(QuizAttempt.user_id).where(QuizAttempt.submitted_at >= since, QuizAttempt.user_id.in_(people)),
    ).subquery()
    active_count = db.session.scalar(select(func.count()).select_from(active))
    led = _deliveries(scope)
    lessons = db.session.execute(
        select(
            func.count(LessonDelivery.id),
            func.coalesce(func.sum(case((LessonDelivery.online.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(LessonDelivery.children), 0),
            func.coalesce(func.sum(LessonDelivery.parents), 0),
            func.count(distinct(func.lower(func.trim(LessonDelivery.school)))),
        ).where(*led)
    ).one()
    valid = _valid_certificates(scope, today)
    certified = db.session.scalar(select(func.count(distinct(Certificate.user_id))).where(*valid))
    expiring = db.session.scalar(
        select(func.count(Certificate.id)).where(*valid, Certificate.expires_on <= today + timedelta(days=EXPIRY_WINDOW_DAYS))
    )
    return Headline(registered, active_count, lessons[0], lessons[1], lessons[2], lessons[3], lessons[4], certified, expiring)


def _deliveries(scope: Scope) -> list:
    conditions = [
        LessonDelivery.status == "confirmed",
        LessonDelivery.led_on >= scope.date_from,
        LessonDelivery.led_on <= scope.date_to,
        LessonDelivery.user_id.in_(_people(scope)),
    ]
    if scope.track_id is not None:
        conditions.append(LessonDelivery.track_id == scope.track_id)
    return conditions


def _valid_certificates(scope: Scope, today: date) -> list:
    conditions = [
        Certificate.revoked_at.is_(None), Certificate.issued_on <= today, Certificate.expires_on > today,
        Certificate.user_id.in_(_people(scope)),
    ]
    if scope.track_id is not None:
        conditions.append(Certificate.track_id == scope.track_id)
    return conditions


def course_table(scope: Scope, language: str) -> list[dict]:
    """Per course: enrolled in the period, still in progress, passed in the period."""
    people = _people(scope)
    in_period = and_(Enrolment.enrolled_at >= scope.start, Enrolment.enrolled_at < scope.end)
    passed_in_period = and_(Enrolment.passed_at >= scope.start, Enrolment.passed_at < scope.end)
    rows = db.session.execute(
        select(
            Course.id, Course.slug,
            func.coalesce(func.sum(case((in_period, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(in_period, Enrolment.passed_at.is_(None)), 1), else_=0)), 0),
            func.coalesce(func.sum(case((passed_in_period, 1), else_=0)), 0),
        )
        .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id.in_(people)))
        .where(Course.id.in_(_courses_in_track(scope)))
        .group_by(Course.id, Course.slug)
        .order_by(Course.slug)
    ).all()
    titles = _course_titles(language)
    return [{"course": slug, "title": titles.get(cid, slug), "enrolled": e, "in_progress": p, "passed": d}
            for cid, slug, e, p, d in rows]


def _course_titles(language: str) -> dict[int, str]:
    rows = db.session.execute(select(CourseText.course_id, CourseText.language, CourseText.title, Course.default_language)
                              .join(Course, Course.id == CourseText.course_id)).all()
    titles: dict[int, str] = {}
    for course_id, lang, title, default in rows:
        if lang == language or (lang == default and course_id not in titles):
            titles[course_id] = title
    return titles


def track_table(scope: Scope, today: date, language: str) -> list[dict]:
    """Per track: certificates issued in the period, eligible now, expiring within 60 days."""
    people = _people(scope)
    issued = and_(Certificate.issued_on >= scope.date_from, Certificate.issued_on <= scope.date_to)
    valid = and_(Certificate.revoked_at.is_(None), Certificate.issued_on <= today, Certificate.expires_on > today)
    expiring = and_(valid, Certificate.expires_on <= today + timedelta(days=EXPIRY_WINDOW_DAYS))
    stmt = (
        select(
            Track.id, Track.slug, Track.title,
            func.coalesce(func.sum(case((issued, 1), else_=0)), 0),
            func.count(distinct(case((valid, Certificate.user_id)))),
            func.coalesce(func.sum(case((expiring, 1), else_=0)), 0),
        )
        .outerjoin(Certificate, and_(Certificate.track_id == Track.id, Certificate.user_id.in_(people)))
        .group_by(Track.id)  # the primary key: PostgreSQL then allows the other columns (JSON cannot be grouped)
        .order_by(Track.position)
    )
    if scope.track_id is not None:
        stmt = stmt.where(Track.id == scope.track_id)
    return [{"track": slug, "title": (title or {}).get(language) or (title or {}).get("en", slug),
             "issued": i, "eligible_now": v, "expiring_soon": x}
            for _tid, slug, title, i, v, x in db.session.execute(stmt).all()]


def month_table(scope: Scope) -> list[dict]:
    """Confirmed lessons led per month: lessons, children, parents, schools."""
    month = func.substr(func.cast(LessonDelivery.led_on, db.String), 1, 7)
    rows = db.session.execute(
        select(month, func.count(LessonDelivery.id), func.sum(LessonDelivery.children), func.sum(LessonDelivery.parents),
               func.count(distinct(func.lower(func.trim(LessonDelivery.school)))))
        .where(*_deliveries(scope)).group_by(month).order_by(month)
    ).all()
    return [{"month": m, "lessons": n, "children": c or 0, "parents": p or 0, "schools": s} for m, n, c, p, s in rows]


def funnel(scope: Scope) -> list[tuple[str, int]]:
    """Distinct volunteers at each step, within the period."""
    people = _people(scope)
    courses = _courses_in_track(scope)
    registered = db.session.scalar(select(func.count()).select_from(User).where(User.id.in_(people), User.created_at < scope.end))
    enrolled = db.session.scalar(select(func.count(distinct(Enrolment.user_id))).where(
        Enrolment.user_id.in_(people), Enrolment.course_id.in_(courses), Enrolment.enrolled_at < scope.end))
    passed = db.session.scalar(select(func.count(distinct(Enrolment.user_id))).where(
        Enrolment.user_id.in_(people), Enrolment.course_id.in_(courses), Enrolment.passed_at < scope.end))
    cert_conditions = [Certificate.user_id.in_(people), Certificate.issued_on <= scope.date_to]
    if scope.track_id is not None:
        cert_conditions.append(Certificate.track_id == scope.track_id)
    certified = db.session.scalar(select(func.count(distinct(Certificate.user_id))).where(*cert_conditions))
    led = db.session.scalar(select(func.count(distinct(LessonDelivery.user_id))).where(*_deliveries(scope)))
    return [("registered", registered), ("enrolled", enrolled), ("passed", passed), ("certified", certified), ("led", led)]


def hub_table(scope: Scope, today: date) -> list[dict]:
    """National view: one row per hub (with its region)."""
    people_hub = select(User.id, User.hub_id).where(("," + User.roles_text + ",").like("%,volunteer,%")).subquery()
    volunteers = dict(db.session.execute(select(people_hub.c.hub_id, func.count()).group_by(people_hub.c.hub_id)).all())
    valid = [Certificate.revoked_at.is_(None), Certificate.issued_on <= today, Certificate.expires_on > today]
    if scope.track_id is not None:
        valid.append(Certificate.track_id == scope.track_id)
    certified = dict(db.session.execute(
        select(User.hub_id, func.count(distinct(Certificate.user_id))).join(User, User.id == Certificate.user_id)
        .where(*valid).group_by(User.hub_id)).all())
    led_conditions = [LessonDelivery.status == "confirmed", LessonDelivery.led_on >= scope.date_from, LessonDelivery.led_on <= scope.date_to]
    if scope.track_id is not None:
        led_conditions.append(LessonDelivery.track_id == scope.track_id)
    lessons = {row[0]: row[1:] for row in db.session.execute(
        select(User.hub_id, func.count(LessonDelivery.id), func.sum(LessonDelivery.children), func.sum(LessonDelivery.parents))
        .join(User, User.id == LessonDelivery.user_id).where(*led_conditions).group_by(User.hub_id)).all()}
    hubs = db.session.scalars(select(Hub).order_by(Hub.region, Hub.name)).all()
    rows = []
    for hub in hubs:
        if scope.region and hub.region != scope.region:
            continue
        if scope.hub_id is not None and hub.id != scope.hub_id:
            continue
        n, c, p = lessons.get(hub.id, (0, 0, 0))
        rows.append({"hub": hub.name, "region": hub.region, "volunteers": volunteers.get(hub.id, 0),
                     "certified_now": certified.get(hub.id, 0), "lessons": n, "children": c or 0, "parents": p or 0})
    return rows


def region_table(hub_rows: list[dict]) -> list[dict]:
    regions: dict[str, dict] = {}
    for row in hub_rows:
        total = regions.setdefault(row["region"], {"region": row["region"], "hubs": 0, "volunteers": 0,
                                                   "certified_now": 0, "lessons": 0, "children": 0, "parents": 0})
        total["hubs"] += 1
        for key in ("volunteers", "certified_now", "lessons", "children", "parents"):
            total[key] += row[key]
    return list(regions.values())


# ---- trainers' view

def _days_to_complete():
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", Enrolment.passed_at - Enrolment.enrolled_at) / 86400.0
    return func.julianday(Enrolment.passed_at) - func.julianday(Enrolment.enrolled_at)


def course_completion(scope: Scope, language: str) -> list[dict]:
    """Per course: enrolled, passed, completion rate and the median days to complete."""
    people = _people(scope)
    rows = db.session.execute(
        select(Course.id, Course.slug, func.count(Enrolment.id), func.count(Enrolment.passed_at))
        .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id.in_(people)))
        .where(Course.id.in_(_courses_in_track(scope)))
        .group_by(Course.id, Course.slug).order_by(Course.slug)
    ).all()
    titles = _course_titles(language)
    result = []
    days = _days_to_complete()
    for course_id, slug, enrolled, passed in rows:
        median = None
        if passed:
            ordered = (select(days.label("d")).where(Enrolment.course_id == course_id, Enrolment.passed_at.is_not(None),
                                                     Enrolment.user_id.in_(people)).order_by(days))
            middle = db.session.scalars(ordered.limit(2 - passed % 2).offset((passed - 1) // 2)).all()
            median = round(sum(float(x) for x in middle) / len(middle), 1)
        result.append({"course": slug, "title": titles.get(course_id, slug), "enrolled": enrolled, "passed": passed,
                       "completion_rate": round(100 * passed / enrolled, 1) if enrolled else 0.0,
                       "median_days": median})
    return result


MAX_CHOICES = 8


def _scoped_users(scope: Scope):
    """None when the scope covers everyone (no filter needed), else the people subquery."""
    return _people(scope) if scope.hub_id is not None or scope.region else None


def item_analysis(course_id: int, scope: Scope) -> list[dict]:
    """Per question: answers, share correct, and how often each choice was picked."""
    padded = literal(",") + AttemptAnswer.choices + literal(",")
    choice_columns = [func.sum(case((padded.like(f"%,{i},%"), 1), else_=0)) for i in range(MAX_CHOICES)]
    stmt = (
        select(AttemptAnswer.question_id, func.count(), func.sum(case((AttemptAnswer.status == "correct", 1), else_=0)),
               *choice_columns)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.course_id == course_id, QuizAttempt.submitted_at >= scope.start, QuizAttempt.submitted_at < scope.end)
        .group_by(AttemptAnswer.question_id)
    )
    people = _scoped_users(scope)
    if people is not None:
        stmt = stmt.where(QuizAttempt.user_id.in_(people))
    counts = {row[0]: row[1:] for row in db.session.execute(stmt).all()}
    questions = db.session.execute(
        select(Question.id, Question.slug, Question.position, Question.kind, Question.content, Quiz.slug)
        .join(Quiz, Quiz.id == Question.quiz_id)
        .where(Quiz.course_id == course_id, Question.removed.is_(False))
        .order_by(Quiz.position, Question.position)
    ).all()
    result = []
    for qid, slug, position, kind, content, quiz_slug in questions:
        answers, correct, *picked = counts.get(qid, (0, 0, *[0] * MAX_CHOICES))
        choice_count = len(next(iter((content or {}).values()), {}).get("choices", []))
        result.append({"question": slug, "quiz": quiz_slug, "position": position, "kind": kind, "answers": answers,
                       "correct_share": round(100 * (correct or 0) / answers, 1) if answers else 0.0,
                       "choices": [int(c or 0) for c in picked[:choice_count]]})
    return result
