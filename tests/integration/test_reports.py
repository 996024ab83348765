"""Dashboard figures against a small fixture computed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Question, Track
from lms.extensions import db
from lms.learning.models import AttemptAnswer, Enrolment, LessonProgress, QuizAttempt
from lms.reports import queries
from tests.clock import read_per_test
from tests.conftest import login
from tests.factories import make_hub, make_user

TODAY = date.today()  # read again before each test (tests/clock.py)
NOW = datetime.now().replace(microsecond=0)
_clock = read_per_test(__name__)


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def world(app, make_course):
    course = make_course("alpha", lessons=2, questions=5)
    track = db.session.scalar(select(Track))
    hub_a = make_hub("hub-a", name="Hub A", region="North")
    hub_b = make_hub("hub-b", name="Hub B", region="South")
    v1, v2 = make_user(hub_a, name="V1"), make_user(hub_a, name="V2")
    make_user(hub_a, name="V3")  # registered, never enrolled
    make_user(hub_a, roles=("coordinator",), name="Coordinator A")
    w1 = make_user(hub_b, name="W1")
    db.session.add_all([
        Enrolment(user_id=v1.id, course_id=course.id, enrolled_at=days_ago(20), passed_at=days_ago(10), passed_revision=1),
        Enrolment(user_id=v2.id, course_id=course.id, enrolled_at=days_ago(15)),
        Enrolment(user_id=w1.id, course_id=course.id, enrolled_at=days_ago(6), passed_at=days_ago(2), passed_revision=1),
    ])
    lesson_id = db.session.scalar(select(__import__("lms.courses.models", fromlist=["Lesson"]).Lesson.id))
    db.session.add(LessonProgress(user_id=v1.id, lesson_id=lesson_id, completed_at=days_ago(5)))
    certs = [
        Certificate(serial="S1", code="AAAA-AAAA-AAAA-AAA1", user_id=v1.id, track_id=track.id, hub_id=hub_a.id, holder_name="V1",
                    course_versions={}, issued_on=TODAY - timedelta(days=9), expires_on=TODAY + timedelta(days=30)),
        Certificate(serial="S2", code="AAAA-AAAA-AAAA-AAA2", user_id=w1.id, track_id=track.id, hub_id=hub_b.id, holder_name="W1",
                    course_versions={}, issued_on=TODAY - timedelta(days=1), expires_on=TODAY + timedelta(days=700)),
    ]
    db.session.add_all(certs)
    db.session.flush()
    led = lambda user, cert, when, school, children, parents, online=False, status="confirmed": LessonDelivery(  # noqa: E731
        user_id=user.id, hub_id=user.hub_id, track_id=track.id, certificate_id=cert.id, led_on=when, school=school,
        region="Akmola", online=online, children=children, parents=parents, status=status)
    db.session.add_all([
        led(v1, certs[0], TODAY - timedelta(days=40), "School 7", 20, 3, online=True),
        led(v1, certs[0], TODAY - timedelta(days=3), " school 7 ", 10, 0),
        led(v1, certs[0], TODAY - timedelta(days=2), "=HYPERLINK(\"x\")", 99, 99, status="pending"),
        led(w1, certs[1], TODAY - timedelta(days=1), "Aul school", 100, 7),
    ])
    question = db.session.scalar(select(Question).where(Question.kind == "single"))
    attempts = [QuizAttempt(user_id=u.id, quiz_id=question.quiz_id, course_revision=1, language="en", status="graded",
                            started_at=days_ago(3), submitted_at=days_ago(3), pass_mark=80, snapshot=[], passed=False)
                for u in (v1, v2)]
    db.session.add_all(attempts)
    db.session.flush()
    db.session.add_all([
        AttemptAnswer(attempt_id=attempts[0].id, position=0, question_id=question.id, status="correct", score=1, choices="1"),
        AttemptAnswer(attempt_id=attempts[1].id, position=0, question_id=question.id, status="wrong", score=0, choices="0"),
    ])
    db.session.commit()
    return {"course": course, "track": track, "hub_a": hub_a, "hub_b": hub_b, "v1": v1, "w1": w1, "question": question}


def scope_for(hub, **extra):
    return queries.Scope(TODAY - timedelta(days=365), TODAY, hub.id if hub else None, **extra)


def test_hub_headline_and_funnel(world):
    a = scope_for(world["hub_a"])
    h = queries.headline(a, TODAY)
    assert (h.registered, h.active_30_days) == (3, 2)  # V1 marked a lesson done; V1 and V2 took the quiz
    assert (h.lessons_led, h.online_lessons, h.children, h.parents, h.schools) == (2, 1, 30, 3, 1)
    assert (h.certified_now, h.expiring_soon) == (1, 1)
    assert queries.funnel(a) == [("registered", 3), ("enrolled", 2), ("passed", 1), ("certified", 1), ("led", 1)]


def test_hub_tables(world):
    a = scope_for(world["hub_a"])
    assert queries.course_table(a, "en") == [{"course": "alpha", "title": "Course alpha", "enrolled": 2, "in_progress": 1, "passed": 1}]
    assert queries.track_table(a, TODAY, "en") == [
        {"track": "violence-prevention", "title": "Prevention of violence and bullying", "issued": 1, "eligible_now": 1, "expiring_soon": 1}]
    months = sorted({(TODAY - timedelta(days=40)).isoformat()[:7], (TODAY - timedelta(days=3)).isoformat()[:7]})
    table = queries.month_table(a)
    assert [row["month"] for row in table] == months
    assert sum(row["lessons"] for row in table) == 2 and sum(row["children"] for row in table) == 30


def test_hub_figures_do_not_move_when_another_hub_changes(world):
    a = scope_for(world["hub_a"])
    before = (queries.headline(a, TODAY), queries.funnel(a), queries.course_table(a, "en"), queries.month_table(a))
    w1 = world["w1"]
    db.session.add(LessonDelivery(user_id=w1.id, hub_id=w1.hub_id, track_id=world["track"].id, certificate_id=1,
                                  led_on=TODAY, school="Another", region="X", children=50, parents=5, status="confirmed"))
    db.session.add(Enrolment(user_id=make_user(world["hub_b"]).id, course_id=world["course"].id))
    db.session.commit()
    assert (queries.headline(a, TODAY), queries.funnel(a), queries.course_table(a, "en"), queries.month_table(a)) == before


def test_national_tables(world):
    everyone = scope_for(None)
    rows = {r["hub"]: r for r in queries.hub_table(everyone, TODAY)}
    assert rows["Hub A"] == {"hub": "Hub A", "region": "North", "volunteers": 3, "certified_now": 1, "lessons": 2, "children": 30, "parents": 3}
    assert rows["Hub B"] == {"hub": "Hub B", "region": "South", "volunteers": 1, "certified_now": 1, "lessons": 1, "children": 100, "parents": 7}
    regions = {r["region"]: r for r in queries.region_table(list(rows.values()))}
    assert regions["South"]["children"] == 100 and regions["North"]["hubs"] == 1
    h = queries.headline(everyone, TODAY)
    assert (h.registered, h.lessons_led, h.children, h.parents, h.schools) == (4, 3, 130, 10, 2)
    north = queries.headline(scope_for(None, region="North"), TODAY)
    assert (north.registered, north.children) == (3, 30)


def test_course_completion_and_item_analysis(world):
    everyone = scope_for(None)
    [row] = queries.course_completion(everyone, "en")
    assert (row["enrolled"], row["passed"], row["completion_rate"], row["median_days"]) == (3, 2, 66.7, 7.0)
    items = {i["question"]: i for i in queries.item_analysis(world["course"].id, everyone)}
    single = items[world["question"].slug]
    assert (single["answers"], single["correct_share"], single["choices"]) == (2, 50.0, [1, 1])
    only_a = {i["question"]: i for i in queries.item_analysis(world["course"].id, scope_for(world["hub_a"]))}
    assert only_a[world["question"].slug]["answers"] == 2


def test_csv_export_is_utf8_with_bom_iso_dates_and_safe_cells(app, world):
    client = app.test_client()
    login(client, make_user(world["hub_a"], roles=("coordinator",)))
    response = client.get(f"/reports/hub/{world['hub_a'].id}/lessons.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Date", "Volunteer"] and len(rows) == 3  # the pending lesson is not counted
    assert rows[1][0] == (TODAY - timedelta(days=40)).isoformat()
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_coordinator_sees_only_their_hub_and_admin_sees_all(app, world):
    coordinator = app.test_client()
    login(coordinator, make_user(world["hub_a"], roles=("coordinator",)))
    page = coordinator.get(f"/reports/hub/{world['hub_a'].id}").get_data(as_text=True)
    assert "Volunteers who led lessons: 1. Lessons led: 2 (online: 1) in 1 schools; children reached: 30, parents reached: 3." in page
    assert "<svg" in page
    assert coordinator.get(f"/reports/hub/{world['hub_b'].id}").status_code == 403
    assert coordinator.get(f"/reports/hub/{world['hub_b'].id}/lessons.csv").status_code == 403
    assert coordinator.get("/reports/national").status_code == 403
    admin = app.test_client()
    login(admin, make_user(world["hub_a"], roles=("admin",)))
    national = admin.get("/reports/national").get_data(as_text=True)
    assert "children reached: 130, parents reached: 10" in national and "Hub B" in national


def test_volunteer_downloads_their_own_record(app, world):
    client = app.test_client()
    login(client, world["v1"])
    record = client.get("/reports/me.json").get_json()
    assert record["profile"]["name"] == "V1"
    assert [c["course"] for c in record["courses"]] == ["alpha"]
    assert len(record["lessons_led"]) == 3 and record["certificates"][0]["serial"] == "S1"
    assert all(d["school"] != "Aul school" for d in record["lessons_led"])  # nobody else's data


@pytest.mark.parametrize("table", ["courses", "tracks", "months", "funnel"])
def test_every_hub_table_downloads_as_csv(app, world, table):
    client = app.test_client()
    login(client, make_user(world["hub_a"], roles=("coordinator",)))
    response = client.get(f"/reports/hub/{world['hub_a'].id}/{table}.csv")
    assert response.status_code == 200 and response.get_data().startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) >= 2
    if table == "funnel":
        assert rows[1:] == [["registered", "3"], ["enrolled in a course", "2"], ["passed a course", "1"], ["certified", "1"],
                            ["led a lesson", "1"]]


def test_dashboard_page_figures_are_the_per_table_figures(world):
    """The page reads each table once (queries.dashboard); the CSV tables use the per-table
    functions: both must give the same figures, for every kind of scope."""
    track = world["track"]
    for scope in (scope_for(world["hub_a"]), scope_for(None), scope_for(None, region="North"),
                  scope_for(None, track_id=track.id), scope_for(world["hub_b"], region="North")):
        page = queries.dashboard(scope, TODAY, "en", national=True)
        assert page.headline == queries.headline(scope, TODAY)
        assert page.funnel == queries.funnel(scope)
        assert page.courses == queries.course_table(scope, "en")
        assert page.tracks == queries.track_table(scope, TODAY, "en")
        assert page.months == queries.month_table(scope)
        assert page.hub_rows == queries.hub_table(scope, TODAY)
        assert page.region_rows == queries.region_table(page.hub_rows)
    assert queries.dashboard(scope_for(world["hub_b"], region="North"), TODAY, "en", national=True).headline.registered == 0


def test_volunteers_are_counted_whatever_other_roles_they_hold(world):
    hub = world["hub_a"]
    for roles in (("volunteer", "trainer"), ("coordinator", "volunteer"), ("admin", "trainer", "volunteer")):
        make_user(hub, roles=roles)
    make_user(hub, roles=("trainer",))
    a = scope_for(hub)
    assert queries.headline(a, TODAY).registered == 3 + 3  # the trainer alone is not a volunteer
    assert queries.funnel(a)[0] == ("registered", 6)
