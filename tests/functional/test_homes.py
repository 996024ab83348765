"""Role-aware homes: the coordinator's inbox (counts, links, a fixed number of queries),
the trainer's courses and stuck learners, the volunteer's next step; registration asks
for a hub."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from lms.auth.models import User
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.courses.models import Course, Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import Enrolment
from lms.models_base import utcnow
from lms.people import inbox
from tests.conftest import login
from tests.factories import make_user

_serial = iter(range(1, 10_000))


def certificate(user, track, *, expires_in=400, revoked=False, issued_days_ago=300) -> Certificate:
    n = next(_serial)
    cert = Certificate(serial=f"VH-T-{n}", code=f"T{n:03d}-AAAA-BBBB-CCCC"[:19], user_id=user.id, track_id=track.id,
                       hub_id=user.hub_id, holder_name=user.name, course_versions={},
                       issued_on=date.today() - timedelta(days=issued_days_ago),
                       expires_on=date.today() + timedelta(days=expires_in),
                       revoked_at=utcnow() if revoked else None, revoke_reason="test" if revoked else "")
    db.session.add(cert)
    db.session.flush()
    if revoked:
        db.session.add(CertificationHold(user_id=user.id, track_id=track.id, hub_id=user.hub_id, certificate_id=cert.id))
    db.session.commit()
    return cert


def pending_lesson(user, track, cert) -> LessonDelivery:
    delivery = LessonDelivery(user_id=user.id, hub_id=user.hub_id, track_id=track.id, certificate_id=cert.id,
                              led_on=date.today(), school="School 5", region="Akmola region", children=20)
    db.session.add(delivery)
    db.session.commit()
    return delivery


def passed(user, course) -> None:
    db.session.add(Enrolment(user_id=user.id, course_id=course.id, passed_at=utcnow(), passed_revision=course.revision))
    db.session.commit()


def fill_hub(hub, course, track, n: int) -> None:
    """n of each kind: ready, expiring, revoked awaiting, pending lesson, inactive, busy."""
    for i in range(n):
        passed(make_user(hub, name=f"Ready {i}"), course)
        certificate(make_user(hub, name=f"Expiring {i}"), track, expires_in=30)
        certificate(make_user(hub, name=f"Revoked {i}"), track, revoked=True)
        leader = make_user(hub, name=f"Leader {i}")
        pending_lesson(leader, track, certificate(leader, track))
        make_user(hub, name=f"Quiet {i}", created_at=utcnow() - timedelta(days=45))


@pytest.fixture
def track_course(make_course):
    course = make_course()
    return course, db.session.scalar(select(Track))


def test_coordinator_home_counts_each_queue_and_links_to_it(app, hub, track_course):
    course, track = track_course
    fill_hub(hub, course, track, 2)
    coordinator = make_user(hub, roles=("coordinator", "volunteer"))
    own = certificate(coordinator, track)
    pending_lesson(coordinator, track, own)  # their own lesson: someone else confirms it
    client = app.test_client()
    login(client, coordinator)
    page = client.get("/dashboard").get_data(as_text=True)

    def tile(name):
        match = re.search(rf'id="inbox-{name}" href="([^"]+)"><strong class="count[ a-z]*">(\d+)</strong>', page)
        assert match, name
        return match.group(1).replace("&amp;", "&"), int(match.group(2))

    assert tile("ready") == (f"/hubs/{hub.id}/certification#ready", 2)
    assert tile("revoked") == (f"/hubs/{hub.id}/certification#revoked", 2)
    assert tile("lessons") == (f"/hubs/{hub.id}/lessons-led", 2)
    assert tile("expiring") == (f"/hubs/{hub.id}/certification#roster", 2)
    assert tile("inactive") == (f"/hubs/{hub.id}/members?show=inactive", 2)
    assert tile("settings")[1] == 4  # a new hub has none of the four set
    for name in ("ready", "revoked", "lessons", "expiring", "inactive", "settings"):
        assert client.get(tile(name)[0].split("#")[0]).status_code == 200, name
    inactive_page = client.get(tile("inactive")[0]).get_data(as_text=True)
    assert "Quiet 0" in inactive_page and "Quiet 1" in inactive_page and "Ready 0" not in inactive_page


def test_a_renewed_certificate_is_not_counted_as_expiring(app, hub, track_course):
    _course, track = track_course
    person = make_user(hub)
    certificate(person, track, expires_in=20)
    certificate(person, track, expires_in=700, issued_days_ago=1)
    coordinator = make_user(hub, roles=("coordinator",))
    assert inbox.coordinator_inbox(hub, coordinator, utcnow()).expiring == 0


def test_hub_settings_set_are_not_listed_missing(app, hub):
    hub.helpline, hub.contact, hub.safeguarding = "111", "Coordinator, +7 700", "Safe person"
    db.session.commit()
    coordinator = make_user(hub, roles=("coordinator",))
    assert inbox.coordinator_inbox(hub, coordinator, utcnow()).missing_settings == ["emergency"]


def test_activity_in_the_last_30_days_is_not_inactive(app, hub, track_course):
    course, _track = track_course
    old = make_user(hub, created_at=utcnow() - timedelta(days=90))
    db.session.add(Enrolment(user_id=old.id, course_id=course.id, enrolled_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    make_user(hub, created_at=utcnow() - timedelta(days=90), roles=("coordinator",))  # staff: not a volunteer to chase
    make_user(hub, created_at=utcnow() - timedelta(days=90), active=False)  # deactivated: nobody to chase
    coordinator = make_user(hub, roles=("coordinator",))
    assert inbox.coordinator_inbox(hub, coordinator, utcnow()).inactive == 0


def test_inbox_query_count_does_not_grow_with_the_hub(app, hub, other_hub, track_course):
    course, track = track_course
    fill_hub(hub, course, track, 2)
    fill_hub(other_hub, course, track, 12)
    small_coordinator = make_user(hub, roles=("coordinator",))
    big_coordinator = make_user(other_hub, roles=("coordinator",))

    def queries_for(hub_row, coordinator):
        db.session.expire_all()
        hub_row, coordinator = db.session.get(Hub, hub_row.id), db.session.get(User, coordinator.id)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            box = inbox.coordinator_inbox(hub_row, coordinator, utcnow())
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return box, statements

    small, small_statements = queries_for(hub, small_coordinator)
    big, big_statements = queries_for(other_hub, big_coordinator)
    assert (small.ready, small.expiring, small.awaiting_decision, small.lessons_to_confirm, small.inactive) == (2,) * 5
    assert (big.ready, big.expiring, big.awaiting_decision, big.lessons_to_confirm, big.inactive) == (12,) * 5
    assert len(big_statements) == len(small_statements), (small_statements, big_statements)


def test_volunteer_home_has_no_inbox_and_a_coordinator_of_another_hub_counts_nothing_here(app, hub, other_hub,
                                                                                            track_course):
    course, track = track_course
    fill_hub(hub, course, track, 1)
    volunteer_client = app.test_client()
    login(volunteer_client, make_user(hub))
    assert 'id="inbox"' not in volunteer_client.get("/dashboard").get_data(as_text=True)
    stranger = make_user(other_hub, roles=("coordinator",))
    box = inbox.coordinator_inbox(hub, stranger, utcnow())
    assert (box.ready, box.awaiting_decision, box.lessons_to_confirm) == (0, 0, 0)


def test_trainer_home_lists_own_courses_drafts_and_learners_failing_twice(app, hub, make_course):
    from lms.authoring.models import CourseAuthor, CourseDraft
    from lms.courses.models import Quiz
    from lms.learning.models import QuizAttempt

    course = make_course()
    make_course("other-course")
    trainer = make_user(hub, roles=("trainer",))
    db.session.add(CourseAuthor(course_slug=course.slug, user_id=trainer.id, role="owner"))
    db.session.add(CourseDraft(course_slug=course.slug, base_revision=1, started_by=trainer.id))
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    learner = make_user(hub)
    for _ in range(2):
        db.session.add(QuizAttempt(user_id=learner.id, quiz_id=quiz.id, course_revision=1, language="en",
                                   status="graded", submitted_at=utcnow(), pass_mark=80, snapshot=[], percent=10,
                                   passed=False))
    db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    db.session.commit()
    client = app.test_client()
    login(client, trainer)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="trainer-home"' in page and f"/author/{course.slug}/" in page
    assert "/author/other-course/" not in page  # not theirs
    assert "Draft in progress" in page
    assert "1 learner failed a quiz twice and has not passed it" in page
    assert "1 enrolled · 0 passed" in page


def test_volunteer_sees_the_next_course_then_log_your_first_lesson(app, hub, make_course):
    course = make_course()
    volunteer = make_user(hub)
    client = app.test_client()
    login(client, volunteer)
    client.post(f"/courses/{course.slug}/enrol")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="next-steps"' not in page  # enrolled, nothing passed: the course itself is the next step

    track = db.session.scalar(select(Track))
    certificate(db.session.get(User, volunteer.id), track, issued_days_ago=1)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Log your first lesson" in page and 'href="/lessons-led"' in page

    cert = db.session.scalar(select(Certificate))
    delivery = pending_lesson(db.session.get(User, volunteer.id), track, cert)
    delivery.status = "confirmed"
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Log your first lesson" not in page
    assert "1 lesson led" in page and "20 children reached" in page


def test_next_step_names_the_course_still_to_pass(app, hub, make_course, tmp_path):
    from lms.courses.importer import import_tree
    from lms.domain.course_format import load_tree
    from tests.course_builder import write_course, write_tracks

    root = tmp_path / "two"
    write_tracks(root, ["first-course", "second-course"])
    write_course(root, "first-course")
    write_course(root, "second-course")
    tree, problems = load_tree(root, display_root=root)
    assert problems == []
    import_tree(tree)
    volunteer = make_user(hub)
    passed(volunteer, db.session.scalar(select(Course).where(Course.slug == "first-course")))
    client = app.test_client()
    login(client, volunteer)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 of 2 courses done for" in page and "next, Course second-course" in page
    assert 'href="/courses/second-course"' in page


def test_registration_offers_no_hub_until_one_is_chosen(app, client, hub, other_hub):
    page = client.get("/register").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="hub_id".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="">Choose your hub</option>', select_html)
    assert select_html.count("selected") == 1
    data = {"name": "Нурлан", "email": "nurlan@example.org", "phone": "", "hub_id": "", "locale": "ru",
            "password": "a long enough pass phrase", "confirm": "a long enough pass phrase"}
    refused = client.post("/register", data=data)
    assert refused.status_code == 200 and "Choose your hub from the list." in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "nurlan@example.org")) is None
    crafted = client.post("/register", data={**data, "hub_id": "99999"})
    assert "Choose your hub from the list." in crafted.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "nurlan@example.org")) is None
    assert client.post("/register", data={**data, "hub_id": str(other_hub.id)}).status_code == 302
    assert db.session.scalar(select(User).where(User.email == "nurlan@example.org")).hub_id == other_hub.id


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", ["Ждёт вас в хабе", "волонтёра готовы к сертификации"]),  # the plural form for 2
    ("kk", ["хабында сізді күтіп тұр", "сертификаттауға дайын волонтер"]),
])
def test_inbox_speaks_the_coordinators_language_with_plurals(app, hub, track_course, language, expected):
    course, track = track_course
    fill_hub(hub, course, track, 2)
    client = app.test_client()
    login(client, make_user(hub, roles=("coordinator",), locale=language))
    page = client.get("/dashboard").get_data(as_text=True)
    for text in expected:
        assert text in page, text


def test_hub_names_in_the_readers_language_on_registration_and_the_admins_list(app, client, hub):
    admin = make_user(hub, roles=("admin",))
    admin_client = app.test_client()
    login(admin_client, admin)
    response = admin_client.post("/admin/hubs/new", data={
        "slug": "semey", "name": "Semey Volunteer Hub", "name_kk": "Семей волонтерлер хабы",
        "name_ru": "Волонтёрский хаб Семея", "region": "Abai region"})
    assert response.status_code == 302
    semey = db.session.scalar(select(Hub).where(Hub.slug == "semey"))
    assert (semey.display_name("kk"), semey.display_name("ru"), semey.display_name("en")) == (
        "Семей волонтерлер хабы", "Волонтёрский хаб Семея", "Semey Volunteer Hub")
    assert hub.display_name("kk") == hub.name  # no translation given: the name as written

    client.post("/language", data={"lang": "kk"})
    page = client.get("/register").get_data(as_text=True)
    assert "Семей волонтерлер хабы — Абай облысы" in page
    assert "Kokshetau Hub" in page
    client.post("/language", data={"lang": "ru"})
    assert "Волонтёрский хаб Семея — Абайская область" in client.get("/register").get_data(as_text=True)

    admin_client.post("/language", data={"lang": "ru"})
    listing = admin_client.get("/admin/hubs").get_data(as_text=True)
    assert "Волонтёрский хаб Семея" in listing and "Абайская область" in listing


def test_hub_form_offers_regions_from_the_list_only(app, hub):
    client = app.test_client()
    login(client, make_user(hub, roles=("admin",)))
    refused = client.post("/admin/hubs/new", data={"slug": "x-hub", "name": "X", "region": "Atlantis"})
    assert refused.status_code == 200 and "Choose the region from the list." in refused.get_data(as_text=True)
    assert db.session.scalar(select(Hub).where(Hub.slug == "x-hub")) is None


def test_lessons_led_region_is_chosen_from_the_list_in_the_volunteers_language(app, hub, track_course):
    from tests.functional.test_certificates import lesson_form

    _course, track = track_course
    volunteer = make_user(hub, locale="ru")
    certificate(volunteer, track, issued_days_ago=10)
    client = app.test_client()
    login(client, volunteer)
    form_page = client.get("/lessons-led").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="region".*?</select>', form_page, re.S).group(0)
    assert '<option selected value="">Выберите регион…</option>' in select_html
    assert '<option value="Akmola region">Акмолинская область</option>' in select_html
    refused = client.post("/lessons-led", data=lesson_form(track=track.slug, region="Akmola"))
    assert refused.status_code == 422 and "Выберите регион из списка." in refused.get_data(as_text=True)
    assert db.session.scalar(select(LessonDelivery)) is None
    assert client.post("/lessons-led", data=lesson_form(track=track.slug, region="Akmola region")).status_code == 302
    assert db.session.scalar(select(LessonDelivery)).region == "Akmola region"
