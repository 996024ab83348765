"""Time every dashboard query and CSV export on a large generated database.

10,000 volunteers in 6 hubs, the 7 shipped courses, ~200,000 lesson-progress rows,
~50,000 quiz attempts (with their per-question answers), 20,000 lessons led.
Runs on SQLite, and on PostgreSQL too when REPORT_BENCH_DATABASE_URL (default: its own
database 127.0.0.1:5432/test_bench_reports, created if missing) answers; it drops that
database's public schema, so it never uses the test suite's `test`. Each figure function is timed once; then the whole pages, as a coordinator and an
admin open them (through the test client: login, permissions, queries, template), the
median of PAGE_RUNS requests each: first each request after a write (a pass in the hub, a
revocation, a volunteer moving hub) and with nothing kept (a new worker), then as the page
is served while nothing changes, with this process's CPU time beside the wall time (on a
shared machine the CPU time is the steadier of the two; on PostgreSQL it leaves out the
server's). Last lines: report_max_seconds=<slowest figure function on SQLite>, then
hub_page_seconds=<whole hub page, SQLite> national_page_seconds=<whole national page, SQLite>.

    .venv/bin/python bench/report_bench.py
"""

from __future__ import annotations

import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text, update  # noqa: E402

from lms import create_app  # noqa: E402
from lms.auth.models import User  # noqa: E402
from lms.certificates.models import Certificate, LessonDelivery  # noqa: E402
from lms.courses.importer import import_tree  # noqa: E402
from lms.courses.models import Course, Lesson, Question, Quiz, Track  # noqa: E402
from lms.domain.course_format import load_tree  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.hubs.models import Hub  # noqa: E402
from lms.learning.models import AttemptAnswer, Enrolment, LessonProgress, QuizAttempt  # noqa: E402
from lms.reports import exports, queries, tables  # noqa: E402

VOLUNTEERS, DELIVERIES, ATTEMPTS = 10_000, 20_000, 50_000
PAGE_RUNS = int(os.environ.get("PAGE_RUNS", "9"))
PASSWORD = secrets.token_urlsafe(16)  # staff log in once per run
REGIONS = ["Akmola", "Astana", "Almaty", "Turkistan", "Mangystau", "Abai"]


def build(rng: random.Random) -> None:
    tree, problems = load_tree(ROOT / "courses", display_root=ROOT)
    assert not problems
    import_tree(tree)
    hubs = [Hub(slug=f"hub-{i}", name=f"Hub {i}", region=REGIONS[i]) for i in range(6)]
    db.session.add_all(hubs)
    db.session.commit()
    now = datetime.now()
    db.session.execute(insert(User), [
        {"name": f"V{n}", "email": f"v{n}@bench.example.org", "hub_id": hubs[n % 6].id, "roles_text": "volunteer",
         "active": True, "session_version": 1, "created_at": now - timedelta(days=rng.randint(0, 700))}
        for n in range(VOLUNTEERS)])
    users = db.session.scalars(select(User.id)).all()
    courses = db.session.scalars(select(Course)).all()
    lessons = {c.id: db.session.scalars(select(Lesson.id).where(Lesson.course_id == c.id)).all() for c in courses}
    questions = {}
    for quiz in db.session.scalars(select(Quiz)):
        questions[quiz.id] = db.session.execute(select(Question.id, Question.kind).where(Question.quiz_id == quiz.id)).all()
    quiz_of = {q.course_id: q.id for q in db.session.scalars(select(Quiz))}
    enrolments, progress = [], []
    for user in users:
        for course in rng.sample(courses, rng.randint(3, 7)):
            start = now - timedelta(days=rng.randint(1, 600))
            passed = rng.random() < 0.45
            enrolments.append({"user_id": user, "course_id": course.id, "enrolled_at": start,
                               "passed_at": start + timedelta(days=rng.randint(1, 60)) if passed else None,
                               "passed_revision": 1 if passed else None})
            for lesson in lessons[course.id][: len(lessons[course.id]) if passed else rng.randint(0, len(lessons[course.id]))]:
                progress.append({"user_id": user, "lesson_id": lesson, "completed_at": start + timedelta(days=rng.randint(0, 30))})
    db.session.execute(insert(Enrolment), enrolments)
    db.session.execute(insert(LessonProgress), progress)
    attempts = []
    for n in range(ATTEMPTS):
        enrolment = enrolments[n % len(enrolments)]
        submitted = enrolment["enrolled_at"] + timedelta(days=rng.randint(0, 40))
        attempts.append({"user_id": enrolment["user_id"], "quiz_id": quiz_of[enrolment["course_id"]], "course_revision": 1,
                         "language": "en", "status": "graded", "started_at": submitted, "submitted_at": submitted,
                         "pass_mark": 80.0, "reveal": "after_pass", "snapshot": [], "passed": rng.random() < 0.5,
                         "percent": rng.uniform(20, 100)})
    db.session.execute(insert(QuizAttempt), attempts)
    attempt_rows = db.session.execute(select(QuizAttempt.id, QuizAttempt.quiz_id)).all()
    answers = []
    for attempt_id, quiz_id in attempt_rows:
        for position, (question_id, kind) in enumerate(questions[quiz_id][:5]):
            answers.append({"attempt_id": attempt_id, "position": position, "question_id": question_id,
                            "status": rng.choice(["correct", "correct", "wrong", "partial"]), "score": 1.0,
                            "choices": str(rng.randint(0, 3)) if kind in ("single", "multiple") else ""})
    db.session.execute(insert(AttemptAnswer), answers)
    tracks = db.session.scalars(select(Track)).all()
    certificates = []
    for n, user in enumerate(rng.sample(users, 4000)):
        issued = date.today() - timedelta(days=rng.randint(0, 800))
        certificates.append({"serial": f"B-{n}", "code": f"{n:04d}-BENC-HMAR-K000"[:19], "user_id": user,
                             "track_id": rng.choice(tracks).id, "hub_id": hubs[user % 6].id, "holder_name": "x",
                             "kind": "courses", "note": "", "course_versions": {}, "issued_on": issued,
                             "expires_on": issued + timedelta(days=730), "revoke_reason": ""})
    db.session.execute(insert(Certificate), certificates)
    cert_rows = db.session.execute(select(Certificate.id, Certificate.user_id, Certificate.track_id)).all()
    deliveries = []
    for _ in range(DELIVERIES):
        cert_id, user, track_id = rng.choice(cert_rows)
        deliveries.append({"user_id": user, "hub_id": hubs[user % 6].id, "track_id": track_id, "certificate_id": cert_id,
                           "led_on": date.today() - timedelta(days=rng.randint(0, 500)), "school": f"School {rng.randint(1, 900)}",
                           "region": "x", "online": rng.random() < 0.6, "children": rng.randint(5, 40),
                           "parents": rng.randint(0, 10), "co_leader": "", "notes": "",
                           "status": rng.choice(["confirmed", "confirmed", "confirmed", "pending"])})
    db.session.execute(insert(LessonDelivery), deliveries)
    db.session.commit()
    print(f"rows: {len(users)} volunteers, {len(progress)} lesson-progress, {len(attempts)} attempts, "
          f"{len(answers)} answers, {len(deliveries)} lessons led", flush=True)


def measure(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<38} {seconds:7.3f} s")
    return seconds


def logged_in(app, email: str):
    """A test client logged in through the login form, as a browser would be."""
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"login": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def page_seconds(client, path: str, *, before=None) -> tuple[float, float]:
    """Median (wall, CPU) seconds of the whole request, after one warm-up request.

    `before` runs ahead of each request, untimed: a write (the first reader after it waits
    for the parts it moved to be read again, lms/reports/freshness.py), or dropping the
    worker's kept figures (a new worker, or a write every part depends on)."""
    assert client.get(path).status_code == 200
    wall, cpu = [], []
    for _ in range(PAGE_RUNS):
        if before is not None:
            before()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        response.get_data()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200
    return statistics.median(wall), statistics.median(cpu)


def writes(app, hub_id: int) -> dict:
    """Writes as the services make them, each undone by the next call: a pass in the hub (ORM),
    a revocation (a statement: its hub is not known, so every hub's certificates move), a
    volunteer moving from the hub to another (every section of both hubs)."""
    with app.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id).join(User, User.id == Enrolment.user_id)
                                         .where(User.hub_id == hub_id, Enrolment.passed_at.is_(None)).limit(1))
        certificate_id = db.session.scalar(select(Certificate.id).where(Certificate.hub_id == hub_id).limit(1))
        mover_id, other_hub = db.session.execute(
            select(User.id, select(Hub.id).where(Hub.id != hub_id).limit(1).scalar_subquery())
            .where(User.hub_id == hub_id).order_by(User.id).limit(1)).one()

    def toggle_pass():
        with app.app_context():
            enrolment = db.session.get(Enrolment, enrolment_id)
            enrolment.passed_at = None if enrolment.passed_at else datetime.now()
            db.session.commit()

    def toggle_revocation():
        with app.app_context():
            revoked = db.session.scalar(select(Certificate.revoked_at).where(Certificate.id == certificate_id))
            db.session.execute(update(Certificate).where(Certificate.id == certificate_id)
                               .values(revoked_at=None if revoked else datetime.now()))
            db.session.commit()

    def move():
        with app.app_context():
            person = db.session.get(User, mover_id)
            person.hub_id = other_hub if person.hub_id == hub_id else hub_id
            db.session.commit()

    def forget():
        app.extensions.pop("report_figures", None)

    return {"a pass in the hub": toggle_pass, "a revocation": toggle_revocation, "a volunteer moving hub": move,
            "nothing kept": forget}


def run(url: str) -> tuple[float, float, float]:
    """Returns (slowest figure function, hub page, national page) in seconds."""
    # Staff sign in with a password alone here: the bench measures the dashboards, not 2FA.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REQUIRE_2FA_FOR_STAFF": False})
    with app.app_context(), app.test_request_context("/"):
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        build(random.Random(11))
        first_hub = db.session.scalar(select(Hub).order_by(Hub.id))
        for email, hub, roles in (("admin@bench.example.org", None, ("admin",)),
                                  ("coordinator@bench.example.org", first_hub, ("coordinator",))):
            person = User(name=email.split("@")[0], email=email, hub_id=hub.id if hub else None)
            person.roles = roles
            person.set_password(PASSWORD)
            db.session.add(person)
        db.session.commit()
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
        today = date.today()
        hub_id = first_hub.id
        course_id = db.session.scalar(select(Course.id).where(Course.slug == "bekind"))
        print(f"{url.split(':')[0]}:")
        slowest = 0.0
        for name, scope in (("hub", queries.Scope(today - timedelta(days=365), today, hub_id)),
                            ("national", queries.Scope(today - timedelta(days=365), today))):
            figures = [
                (f"{name} headline", lambda s=scope: queries.headline(s, today)),
                (f"{name} funnel", lambda s=scope: queries.funnel(s)),
                (f"{name} courses", lambda s=scope: queries.course_table(s, "en")),
                (f"{name} tracks", lambda s=scope: queries.track_table(s, today, "en")),
                (f"{name} months", lambda s=scope: queries.month_table(s)),
                (f"{name} completion + median", lambda s=scope: queries.course_completion(s, "en")),
                (f"{name} item analysis (bekind)", lambda s=scope: queries.item_analysis(course_id, s)),
            ]
            if name == "national":
                figures.append(("national hubs + regions", lambda s=scope: queries.region_table(queries.hub_table(s, today))))
            for label, fn in figures:
                slowest = max(slowest, measure(label, fn))
            measure(f"{name} CSV of lessons led", lambda s=scope: sum(len(chunk) for chunk in exports.csv_rows(
                tables.lessons_table(s, "en"))))
        db.session.remove()
    coordinator, admin = logged_in(app, "coordinator@bench.example.org"), logged_in(app, "admin@bench.example.org")
    for write, before in writes(app, hub_id).items():
        for label, client, path in (("hub", coordinator, f"/reports/hub/{hub_id}"), ("national", admin, "/reports/national")):
            wall, cpu = page_seconds(client, path, before=before)
            print(f"  {'whole ' + label + ' page, after ' + write:<46} {wall:7.3f} s  (cpu here {cpu:.3f} s)")
    hub_wall, hub_cpu = page_seconds(coordinator, f"/reports/hub/{hub_id}")
    national_wall, national_cpu = page_seconds(admin, "/reports/national")
    print(f"  {'whole hub page, kept (median of ' + str(PAGE_RUNS) + ')':<46} {hub_wall:7.3f} s  (cpu here {hub_cpu:.3f} s)")
    print(f"  {'whole national page, kept (median of ' + str(PAGE_RUNS) + ')':<46} {national_wall:7.3f} s  (cpu here {national_cpu:.3f} s)")
    with app.app_context():
        db.engine.dispose()
    return slowest, hub_wall, national_wall


BENCH_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_bench_reports"


def _ensure_database(url: str) -> None:
    """Creates the bench's own database when missing (the bench drops its schema each run)."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    server, _slash, name = plain.rpartition("/")
    name = name.split("?")[0]
    if name == "test":
        raise SystemExit("report_bench drops the schema it runs in: give it its own database, not `test`")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError:
        with psycopg.connect(f"{server}/postgres", connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_max, hub_page, national_page = run(f"sqlite:///{Path(tmp) / 'reports.sqlite3'}")
    pg = os.environ.get("REPORT_BENCH_DATABASE_URL", BENCH_PG_URL)
    try:
        _ensure_database(pg)
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); SQLite figures only")
    else:
        run(pg)
    print(f"report_max_seconds={sqlite_max:.3f}")
    print(f"hub_page_seconds={hub_page:.3f} national_page_seconds={national_page:.3f}")


if __name__ == "__main__":
    main()
