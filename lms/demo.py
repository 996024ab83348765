"""A demo worth opening: hubs, one account of each role, and a realistic hub around them.

Kokshetau (the demo coordinator's hub) gets volunteers at every stage: enrolled, in
progress, stuck on a quiz, one course passed, ready for certification, certified, a
certificate expiring within 60 days, one revoked (with its hold), lessons led and
confirmed, lessons waiting for confirmation, people inactive for a month. A few other
hubs get some people too, so the national dashboard has more than one row.

Everything goes through the same services as the app (enrol, quiz attempts, issue,
revoke, lessons led and their review), so certificates, holds, audit events and notices
are what they would be. Seeding happens once: the first seeded person marks it done.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lms.auth.models import User
from lms.extensions import db
from lms.hubs.models import Hub
from lms.models_base import utcnow

DEMO_HUBS = [
    ("kokshetau", "Kokshetau Volunteer Hub", "Akmola region"),
    ("astana", "Astana Volunteer Hub", "Astana"),
    ("almaty", "Almaty Volunteer Hub", "Almaty"),
    ("shymkent", "Shymkent Volunteer Hub", "Shymkent"),
    ("aktau", "Aktau Volunteer Hub", "Mangystau region"),
    ("semey", "Semey Volunteer Hub", "Abai region"),
]
# Example values for the placeholders courses show ({hub:helpline}, {hub:safeguarding},
# {hub:emergency}); filled only where a demo hub has none, so real settings survive a rerun.
DEMO_HUB_SETTINGS = {
    "helpline": "111 (child helpline, free, 24 hours)",
    "safeguarding": "Demo safeguarding person (example), +7 700 000 00 00, safeguarding@example.org",
    "emergency": "112 if a child is in danger now; out of hours: hub duty phone (example) +7 700 000 00 01",
}
DEMO_ACCOUNTS = [
    ("admin@demo.example.org", "Demo Admin", ("admin",), "astana"),
    ("coordinator@demo.example.org", "Demo Coordinator", ("coordinator",), "kokshetau"),
    ("trainer@demo.example.org", "Demo Trainer", ("trainer",), "kokshetau"),
    ("volunteer@demo.example.org", "Demo Volunteer", ("volunteer",), "kokshetau"),
]


@dataclass(frozen=True)
class Person:
    name: str
    login: str  # an email, or a phone number for phone-only volunteers
    locale: str
    hub: str
    stage: str  # see STAGES
    track: int = 0  # which usable track (by position) the stage is about
    days_ago: int = 0  # when the stage was reached (certificates: the day of issue)


# Believable names; a third of the volunteers have a phone number and no email.
PEOPLE = [
    Person("Асель Жумабаева", "asel.zhumabaeva@demo.example.org", "kk", "kokshetau", "certified", 0, 210),
    Person("Даулет Сапаров", "+77015550102", "kk", "kokshetau", "expiring", 0, 24 * 30 - 10),
    Person("Мария Ким", "maria.kim@demo.example.org", "ru", "kokshetau", "revoked", 0, 120),
    Person("Ерлан Абенов", "erlan.abenov@demo.example.org", "kk", "kokshetau", "ready", 0, 6),
    Person("Алина Петрова", "+77025550105", "ru", "kokshetau", "ready", 1, 3),
    Person("Нурлан Оспанов", "nurlan.ospanov@demo.example.org", "kk", "kokshetau", "passed_one", 0, 12),
    Person("Жанар Туякова", "zhanar.tuyakova@demo.example.org", "kk", "kokshetau", "failed_quiz", 0, 2),
    Person("Дмитрий Соколов", "+77055550108", "ru", "kokshetau", "in_progress", 1, 4),
    Person("Аружан Касымова", "aruzhan.kasymova@demo.example.org", "kk", "kokshetau", "enrolled", 2, 1),
    Person("Тимур Беков", "timur.bekov@demo.example.org", "ru", "kokshetau", "inactive", 0, 75),
    Person("Камила Ахметова", "kamila.akhmetova@demo.example.org", "kk", "kokshetau", "certified", 1, 95),
    Person("Санжар Искаков", "+77075550112", "kk", "kokshetau", "registered", 0, 0),
    Person("Ольга Иванова", "olga.ivanova@demo.example.org", "ru", "astana", "certified", 0, 300),
    Person("Айдана Муратова", "aidana.muratova@demo.example.org", "kk", "astana", "ready", 1, 5),
    Person("Бауыржан Сеитов", "+77015550202", "kk", "astana", "in_progress", 0, 8),
    Person("Гульнара Алиева", "gulnara.alieva@demo.example.org", "ru", "almaty", "certified", 2, 160),
    Person("Руслан Ким", "ruslan.kim@demo.example.org", "ru", "almaty", "enrolled", 0, 3),
    Person("Мадина Нургалиева", "+77015550302", "kk", "shymkent", "expiring", 1, 24 * 30 - 20),
]
DEMO_VOLUNTEER_STAGE = Person("Demo Volunteer", "volunteer@demo.example.org", "en", "kokshetau", "certified", -1, 150)
# "No." rather than a local abbreviation: volunteers write school names in any language.
SCHOOLS = {
    "kokshetau": ["School No. 12, Kokshetau", "School-Lyceum No. 3, Kokshetau", "School No. 7, Kokshetau",
                  "Krasnoyarka village school, Akmola region"],
    "astana": ["School No. 45, Astana", "School-Gymnasium No. 64, Astana"],
    "almaty": ["School No. 159, Almaty", "Gymnasium No. 25, Almaty"],
    "shymkent": ["School No. 33, Shymkent"],
}
REGIONS = {"kokshetau": "Akmola region", "astana": "Astana", "almaty": "Almaty", "shymkent": "Shymkent"}
CO_LEADERS = ["", "", "Айгерим Сейткали", "Ivan Petrenko"]


def ensure_hubs() -> dict[str, Hub]:
    hubs = {}
    for slug, name, region in DEMO_HUBS:
        hub = db.session.scalar(select(Hub).where(Hub.slug == slug))
        if hub is None:
            hub = Hub(slug=slug, name=name, region=region)
            db.session.add(hub)
        for key, value in DEMO_HUB_SETTINGS.items():
            if not getattr(hub, key):
                setattr(hub, key, value)
        hubs[slug] = hub
    db.session.flush()
    return hubs


def ensure_accounts(hubs: dict[str, Hub], *, reset_passwords: bool) -> list[tuple[str, str, str, str]]:
    """Creates the demo accounts; returns (email, new password, role, hub) for those given one."""
    printed = []
    for email, name, roles, hub_slug in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, hub_id=hubs[hub_slug].id)
            user.roles = roles
            db.session.add(user)
        elif not reset_passwords:
            continue
        password = "demo-" + secrets.token_urlsafe(9)
        user.set_password(password)
        if user.id:
            user.session_version += 1  # old sessions of a demo account end
        printed.append((email, password, roles[0], hub_slug))
    db.session.flush()
    return printed


def trainers_co_author_every_course() -> None:
    """So that trying the demo as a trainer shows the editor with real courses in it."""
    from lms.authoring.access import add_author
    from lms.courses.models import Course

    trainers = [db.session.scalar(select(User).where(User.email == email))
                for email, _name, roles, _hub in DEMO_ACCOUNTS if "trainer" in roles]
    for slug in db.session.scalars(select(Course.slug)):
        for trainer in trainers:
            add_author(slug, trainer)


# ---- the realistic hub


class Seeder:
    """Walks each person through the app's services up to their stage, back-dated."""

    def __init__(self, today: date, rng: random.Random):
        from lms.courses.models import Course, Track

        self.today, self.rng = today, rng
        courses = {c.slug: c for c in db.session.scalars(select(Course).where(Course.retired.is_(False)))}
        self.tracks = []
        for track in db.session.scalars(select(Track).order_by(Track.position)):
            wanted = list(track.rule.get("courses") or [])
            if wanted and all(slug in courses for slug in wanted):
                wanted.sort(key=_shared)  # the track's own course first, the shared one (safeguarding) last
                self.tracks.append((track, [courses[slug] for slug in wanted]))
        self.coordinators = {}
        self.admin = db.session.scalar(select(User).where(User.email == "admin@demo.example.org"))

    def at(self, days_ago: int, hour: int = 11) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour, self.rng.randint(0, 59)))

    def track(self, index: int):
        return self.tracks[index % len(self.tracks)]

    # -- learning

    def enrol(self, user: User, course, days_ago: int):
        from lms.learning.models import Enrolment
        from lms.learning.services import enrol

        enrolment = enrol(user, course)
        enrolment = db.session.get(Enrolment, enrolment.id)
        enrolment.enrolled_at = self.at(days_ago, 9)
        db.session.commit()
        return enrolment

    def read_lessons(self, user: User, course, days_ago: int, share: float = 1.0) -> None:
        from lms.courses.models import Lesson
        from lms.learning.models import LessonProgress

        lessons = db.session.scalars(select(Lesson.id).where(Lesson.course_id == course.id, Lesson.removed.is_(False))
                                     .order_by(Lesson.position)).all()
        for lesson_id in lessons[:max(1, round(len(lessons) * share))]:
            if db.session.get(LessonProgress, (user.id, lesson_id)) is None:
                db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson_id, completed_at=self.at(days_ago, 10)))
        db.session.commit()

    def take_quizzes(self, user: User, course, days_ago: int, *, right: bool) -> None:
        from lms.courses.models import Quiz
        from lms.learning import services

        for quiz in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id, Quiz.removed.is_(False))
                                       .order_by(Quiz.position)):
            when = self.at(days_ago, 12)
            attempt = services.start_attempt(user, course, quiz, user.locale or course.default_language, now=when,
                                             rng=self.rng)
            form = MultiDict()
            for index, question in enumerate(attempt.questions):
                for value in _answer(question, right=right or index % 3 == 0):
                    form.add(f"q{index}", value)
            services.submit_attempt(user, attempt.id, form, now=when + timedelta(minutes=9))

    def pass_course(self, user: User, course, days_ago: int) -> None:
        enrolment = self.enrol(user, course, days_ago + 6)
        self.read_lessons(user, course, days_ago + 1)
        self.take_quizzes(user, course, days_ago, right=True)
        db.session.refresh(enrolment)
        if enrolment.passed_at is None:  # e.g. a course without quizzes: passing is reading
            enrolment.passed_revision = course.revision
        enrolment.passed_at = self.at(days_ago, 12)
        db.session.commit()

    # -- certificates and lessons led

    def issuer(self, user: User) -> User | None:
        coordinator = self.coordinators.get(user.hub_id)
        if coordinator is None:
            coordinator = db.session.scalar(select(User).where(User.hub_id == user.hub_id,
                                                               User.roles_text.like("%coordinator%")))
            self.coordinators[user.hub_id] = coordinator
        return coordinator or self.admin

    def certify(self, user: User, index: int, days_ago: int):
        from lms.certificates import services

        track, courses = self.track(index)
        for course in courses:
            self.pass_course(user, course, days_ago + 2)
        actor = None if track.rule.get("issuance") == "auto" else self.issuer(user)
        return services.issue(user, track, actor=actor, on=self.today - timedelta(days=days_ago))

    def lessons_led(self, user: User, cert, hub_slug: str, *, confirmed: int, pending: int, rejected: int = 0) -> None:
        from lms.certificates.deliveries import DeliveryInput, log_delivery, review_delivery

        issued_days_ago = (self.today - cert.issued_on).days
        span = max(1, min(issued_days_ago, 300))
        schools = SCHOOLS.get(hub_slug, [f"School No. {self.rng.randint(1, 80)}"])
        outcomes = ["confirmed"] * confirmed + ["rejected"] * rejected + ["pending"] * pending
        for number, outcome in enumerate(outcomes):
            days_ago = max(0, span - (number + 1) * span // (len(outcomes) + 1))
            if outcome == "pending":
                days_ago = min(days_ago, 6)
            online = number % 3 == 1
            delivery = log_delivery(user, DeliveryInput(
                track_slug=cert.track.slug, led_on=self.today - timedelta(days=days_ago),
                school="Online lesson for a school club" if online else schools[number % len(schools)],
                region=REGIONS.get(hub_slug, ""), online=online, children=self.rng.randint(14, 32),
                parents=self.rng.randint(0, 6), co_leader=CO_LEADERS[number % len(CO_LEADERS)],
                notes="Pupils of grades 5-6; the class teacher stayed in the room." if number % 2 == 0 else ""))
            if outcome != "pending":
                review_delivery(delivery, actor=self.issuer(user), confirm=outcome == "confirmed",
                                note="" if outcome == "confirmed" else "Please log the school's name and the date.")

    # -- the stages

    def walk(self, user: User, person: Person) -> None:
        track, courses = self.track(person.track)
        first, days = courses[0], person.days_ago
        stage = STAGES[person.stage]
        stage(self, user, person, first, days)


def _shared(slug: str) -> int:
    return 1 if slug == "safeguarding" else 0


def _answer(question: dict, *, right: bool) -> list[str]:
    """Form values (as the quiz page posts them) answering one snapshot question."""
    key, kind = question["key"], question["kind"]
    if kind in ("single", "multiple"):
        correct = [i for i, ok in enumerate(key["correct"]) if ok]
        wrong = [i for i, ok in enumerate(key["correct"]) if not ok]
        picked = correct if right else (wrong[:1] or correct[:1])
        if kind == "single":
            picked = picked[:1]
        return [str(question["order"].index(i)) for i in picked]
    if kind == "truefalse":
        return ["true" if key["truefalse"] == right else "false"]
    if kind == "text":
        accepted = [a for texts in (key.get("accepted") or {}).values() for a in texts]
        return [accepted[0] if right and accepted else "не знаю"]
    if kind == "number":
        return [f"{float(key['number']) if right else float(key['number']) + 1000:g}"]
    return []


def _registered(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    pass


def _enrolled(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    seeder.enrol(user, course, days)


def _in_progress(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    seeder.enrol(user, course, days + 3)
    seeder.read_lessons(user, course, days, share=0.5)


def _failed_quiz(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    seeder.enrol(user, course, days + 5)
    seeder.read_lessons(user, course, days + 1)
    seeder.take_quizzes(user, course, days, right=False)


def _passed_one(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    seeder.pass_course(user, course, days)


def _ready(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    for each in seeder.track(person.track)[1]:
        seeder.pass_course(user, each, days)


def _certified(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    cert = seeder.certify(user, person.track, days)
    seeder.lessons_led(user, cert, person.hub, confirmed=3 if days > 60 else 1, pending=1,
                       rejected=1 if days > 180 else 0)


def _expiring(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    cert = seeder.certify(user, person.track, days)
    seeder.lessons_led(user, cert, person.hub, confirmed=2, pending=0)


def _revoked(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    from lms.certificates import services

    cert = seeder.certify(user, person.track, days)
    seeder.lessons_led(user, cert, person.hub, confirmed=1, pending=0)
    services.revoke(cert, actor=seeder.issuer(user), category="conduct",
                    reason="Shared pupils' photos in a public chat after a lesson (demo example).")


def _inactive(seeder: Seeder, user: User, person: Person, course, days: int) -> None:
    seeder.enrol(user, course, days + 2)
    seeder.read_lessons(user, course, days, share=0.3)


STAGES: dict[str, Callable] = {
    "registered": _registered, "enrolled": _enrolled, "in_progress": _in_progress, "failed_quiz": _failed_quiz,
    "passed_one": _passed_one, "ready": _ready, "certified": _certified, "expiring": _expiring,
    "revoked": _revoked, "inactive": _inactive,
}


def _person(person: Person, hubs: dict[str, Hub], created_days_ago: int) -> User:
    from lms.domain.contacts import classify_login

    kind, value = classify_login(person.login)
    user = User(name=person.name, email=value if kind == "email" else None, phone=value if kind == "phone" else None,
                hub_id=hubs[person.hub].id, locale=person.locale, created_at=utcnow() - timedelta(days=created_days_ago),
                last_seen_at=utcnow() - timedelta(days=max(person.days_ago, 0)))
    user.roles = ("volunteer",)  # no password: a coordinator gives a set-password link if anyone asks
    db.session.add(user)
    db.session.commit()
    return user


def seed_hub(hubs: dict[str, Hub], today: date | None = None) -> str:
    """Seeds the realistic hubs once. Returns a line saying what happened."""
    marker = PEOPLE[0].login
    if db.session.scalar(select(User.id).where(User.email == marker)):
        return "demo volunteers already seeded"
    seeder = Seeder(today or date.today(), random.Random(20))
    if not seeder.tracks:
        return "no courses imported yet: run `flask --app wsgi courses import courses/`, then `demo` again for the demo volunteers"
    for person in PEOPLE:
        user = _person(person, hubs, created_days_ago=person.days_ago + 20)
        seeder.walk(user, person)
    demo_volunteer = db.session.scalar(select(User).where(User.email == DEMO_VOLUNTEER_STAGE.login))
    if demo_volunteer is not None:
        # The demo volunteer's own screens: a certificate (an automatic track where there is
        # one), lessons led, and a course of another track half read.
        auto = next((i for i, (t, _c) in enumerate(seeder.tracks) if t.rule.get("issuance") == "auto"), 0)
        seeder.walk(demo_volunteer, replace(DEMO_VOLUNTEER_STAGE, track=auto))
        other = seeder.track(auto + 1)[1][0]
        if len(seeder.tracks) > 1 and other not in seeder.track(auto)[1]:
            _in_progress(seeder, demo_volunteer, DEMO_VOLUNTEER_STAGE, other, 2)
    notices = _reminders()
    return (f"demo volunteers: {len(PEOPLE)} seeded in {len({p.hub for p in PEOPLE})} hubs (every stage in kokshetau)"
            + notices)


def _reminders() -> str:
    """Notices that come with time (expiry reminders, the coordinators' weekly digest), made
    now so the bells are not empty; the ones events make (certificate issued or revoked,
    lesson confirmed or rejected) came with the services above."""
    try:
        from lms.notices.due import enqueue_due
        from lms.notices.models import Notice
    except ImportError:  # a build without notifications
        return ""
    enqueue_due(utcnow())
    return f"; {db.session.scalar(select(func.count()).select_from(Notice))} notices"
