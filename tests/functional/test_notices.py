"""Notices in the app: emitted with the event they tell of, the bell and its page, email
choices, reminders that come due (expiry 60/30/7, retry after a cool-down, weekly digest)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select

from lms.certificates import deliveries, services
from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Quiz, Track
from lms.extensions import db
from lms.learning.models import QuizAttempt
from lms.models_base import utcnow
from lms.notices import due
from lms.notices import services as notices
from lms.notices.models import Notice, NoticeDelivery, NoticeOptOut
from tests.conftest import login
from tests.factories import make_user
from tests.notices_helpers import emit


def kinds_of(user) -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(Notice.kind).where(Notice.user_id == user.id).order_by(Notice.id)))


def make_certificate(user, hub, *, expires_in: int, serial: str = "VH-2026-000001") -> Certificate:
    track = db.session.scalar(select(Track))
    today = date.today()
    cert = Certificate(serial=serial, code=serial[-4:] + "-AAAA-BBBB-CCCC", user_id=user.id, track_id=track.id,
                       hub_id=hub.id, holder_name=user.name, course_versions={}, issued_on=today - timedelta(days=600),
                       expires_on=today + timedelta(days=expires_in))
    db.session.add(cert)
    db.session.commit()
    return cert


# ---- emitted inside the event's own transaction

def test_issuing_a_certificate_tells_the_volunteer_and_queues_one_email(app, hub, make_course):
    make_course()
    volunteer = make_user(hub)
    coordinator = make_user(hub, roles=("coordinator",))
    track = db.session.scalar(select(Track))
    cert = services.issue(volunteer, track, actor=coordinator, kind="in_person", note="Trained in Kokshetau")
    notice = db.session.scalar(select(Notice).where(Notice.user_id == volunteer.id))
    assert notice.kind == "certificate_issued" and notice.data["serial"] == cert.serial
    assert db.session.scalar(select(func.count()).select_from(NoticeDelivery)) == 1
    assert kinds_of(coordinator) == []


def test_a_refused_issue_leaves_no_notice(app, hub, make_course):
    make_course()
    volunteer = make_user(hub)
    track = db.session.scalar(select(Track))
    with pytest.raises(services.CertificationError):
        services.issue(volunteer, track, actor=volunteer, kind="in_person", note="myself")  # never to oneself
    with pytest.raises(services.CertificationError):
        services.issue(volunteer, track, actor=None)  # not ready
    assert kinds_of(volunteer) == []


def test_revoking_tells_the_holder_the_public_category_never_the_staff_reason(app, hub, make_course):
    make_course()
    volunteer = make_user(hub)
    coordinator = make_user(hub, roles=("coordinator",))
    cert = make_certificate(volunteer, hub, expires_in=300)
    services.revoke(cert, actor=coordinator, reason="Complaint from School 12 about Ms X", category="conduct")
    with pytest.raises(services.CertificationError):
        services.revoke(cert, actor=coordinator, reason="again", category="conduct")  # twice: one notice
    notice = db.session.scalar(select(Notice).where(Notice.user_id == volunteer.id))
    assert kinds_of(volunteer) == ["certificate_revoked"]
    assert notice.data["category"] == "conduct" and "School 12" not in str(notice.data)


@pytest.mark.parametrize("confirm, kind", [(True, "lesson_confirmed"), (False, "lesson_rejected")])
def test_reviewing_a_logged_lesson_tells_its_leader_with_the_reason(app, hub, make_course, confirm, kind):
    make_course()
    volunteer = make_user(hub)
    coordinator = make_user(hub, roles=("coordinator",))
    cert = make_certificate(volunteer, hub, expires_in=300)
    delivery = LessonDelivery(user_id=volunteer.id, hub_id=hub.id, track_id=cert.track_id, certificate_id=cert.id,
                              led_on=date.today(), school="School No. 7", region="Akmola region")
    db.session.add(delivery)
    db.session.commit()
    deliveries.review_delivery(delivery, actor=coordinator, confirm=confirm, note="No attendance sheet")
    notice = db.session.scalar(select(Notice).where(Notice.user_id == volunteer.id))
    assert notice.kind == kind and notice.data["reason"] == "No attendance sheet"
    assert notice.data["school"] == "School No. 7"


def test_an_unknown_kind_is_a_programming_error(app, hub):
    with pytest.raises(ValueError):
        notices.emit(make_user(hub).id, "party_invitation")


# ---- the bell and the page

def test_the_bell_shows_the_unread_count_and_the_page_lists_and_marks_read(app, client, hub):
    user = make_user(hub)
    emit(user, "lesson_rejected", school="School 5", led_on="2026-11-02", reason="no photo")
    emit(user, "certificate_issued", serial="VH-2026-000009", track={"en": "Eco", "ru": "Эко"},
         expires_on="2028-11-29")
    login(client, user)
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<span class="bell-count" aria-hidden="true">2</span>' in html and "2 unread notices" in html
    page = client.get("/notices").get_data(as_text=True)
    assert "Your certificate is ready: Eco" in page and "Reason: no photo" in page
    first = db.session.scalar(select(Notice.id).where(Notice.kind == "lesson_rejected"))
    assert client.post(f"/notices/{first}/read").status_code == 302
    assert '<span class="bell-count" aria-hidden="true">1</span>' in client.get("/notices").get_data(as_text=True)
    client.post("/notices/read")
    assert "bell-count" not in client.get("/notices").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.read_at.is_(None))) == 0


def test_a_notice_reads_in_the_readers_language(app, client, hub):
    user = make_user(hub, locale="ru")
    emit(user, "certificate_issued", serial="VH-2026-000009", track={"en": "Eco", "ru": "Эко"}, expires_on="2028-11-29")
    login(client, user)
    client.post("/language", data={"lang": "ru", "next": "/notices"})
    page = client.get("/notices").get_data(as_text=True)
    assert "Ваш сертификат готов: Эко" in page


def test_nobody_marks_another_users_notice_read(app, client, hub):
    owner, other = make_user(hub), make_user(hub)
    notice = emit(owner, "lesson_rejected", school="S", led_on="2026-11-02", reason="r")
    login(client, other)
    assert client.post(f"/notices/{notice.id}/read").status_code == 302
    assert client.post(f"/notices/{notice.id + 1000}/read").status_code == 302
    assert db.session.get(Notice, notice.id).read_at is None
    assert "lesson" not in client.get("/notices").get_data(as_text=True).split("<main", 1)[1].split("Notices", 1)[0]
    assert "School" not in client.get("/notices").get_data(as_text=True)


def test_the_lesson_page_runs_no_extra_query_for_the_bell(app, client, hub, make_course):
    from tests.functional.test_learning import count_queries

    course = make_course(lessons=3)
    user = make_user(hub)
    login(client, user)
    client.post(f"/courses/{course.slug}/enrol")
    url = f"/courses/{course.slug}/lessons/lesson-2"
    client.get(url)  # clears the enrolment message
    before = count_queries(client, url)
    emit(user, "lesson_rejected", school="S", led_on="2026-11-02", reason="r")
    client.get("/dashboard")  # a full page counts and remembers
    statements = []
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not any("notices" in s for s in statements)
    assert count_queries(client, url) == before
    assert '<span class="bell-count" aria-hidden="true">1</span>' in html  # the remembered count


def test_anonymous_visitors_have_no_bell_and_no_notices_page(app, client):
    assert "bell" not in client.get("/courses").get_data(as_text=True)
    assert client.get("/notices").status_code == 302


# ---- email choices

def test_email_choices_are_saved_and_unknown_topics_ignored(app, client, hub):
    user = make_user(hub)
    login(client, user)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert page.count('type="checkbox"') == 5 and page.count(" checked") == 5
    assert "/account/notifications" in client.get("/account").get_data(as_text=True)
    client.post("/account/notifications", data={"email": ["certificates", "expiry", "everything"]})
    assert set(db.session.scalars(select(NoticeOptOut.topic))) == {"lessons", "retries", "digest"}
    page = client.get("/account/notifications").get_data(as_text=True)
    assert page.count(" checked") == 2


def test_a_phone_only_account_is_told_notices_stay_in_the_site(app, client, hub):
    user = make_user(hub, email=None, phone="+77011234567")
    client.post("/login", data={"login": "+7 701 123 45 67", "password": "correct horse battery"})
    assert "has no email address" in client.get("/account/notifications").get_data(as_text=True)
    assert user.id


def test_the_unsubscribe_page_asks_first_in_the_accounts_language_and_changes_nothing_on_get(app, client, hub):
    user = make_user(hub, locale="ru")
    token = notices.unsubscribe_token(user.id, "digest")
    page = client.get(f"/notices/unsubscribe/{token}")
    assert page.status_code == 200 and "Больше не присылать эти письма" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NoticeOptOut)) == 0
    client.csrf = False
    assert client.post(f"/notices/unsubscribe/{token}").status_code == 200
    assert list(db.session.scalars(select(NoticeOptOut.topic))) == ["digest"]


# ---- reminders the job makes when they come due

def test_expiry_reminders_come_at_60_30_and_7_days_once_each(app, hub, make_course):
    make_course()
    user = make_user(hub)
    cert = make_certificate(user, hub, expires_in=59)
    now = utcnow()
    assert due.expiry_reminders(now) == 1
    assert due.expiry_reminders(now) == 0  # a second run, or an overlapping one, makes none
    assert due.expiry_reminders(now + timedelta(days=10)) == 0  # 49 days left: still the 60-day stage
    assert due.expiry_reminders(now + timedelta(days=30)) == 1  # 29 days left
    assert due.expiry_reminders(now + timedelta(days=53)) == 1  # 6 days left
    assert due.expiry_reminders(now + timedelta(days=60)) == 0  # expired: nothing more
    days = [n.data["days"] for n in db.session.scalars(select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))]
    assert days == [60, 30, 7] and cert.id


def test_no_expiry_reminder_for_revoked_or_renewed_certificates(app, hub, make_course):
    make_course()
    revoked_holder, renewed_holder = make_user(hub), make_user(hub)
    revoked = make_certificate(revoked_holder, hub, expires_in=20, serial="VH-2026-000001")
    revoked.revoked_at = utcnow()
    old = make_certificate(renewed_holder, hub, expires_in=20, serial="VH-2026-000002")
    new = make_certificate(renewed_holder, hub, expires_in=720, serial="VH-2026-000003")
    new.renews_id = old.id
    db.session.commit()
    assert due.expiry_reminders(utcnow()) == 0


def _attempt(user, quiz, started, *, passed=False):
    db.session.add(QuizAttempt(user_id=user.id, quiz_id=quiz.id, course_revision=1, language="en", status="graded",
                               started_at=started, submitted_at=started + timedelta(minutes=10), pass_mark=80,
                               snapshot=[], passed=passed))
    db.session.commit()


def test_a_retry_reminder_comes_once_when_the_cool_down_ends(app, hub, make_course):
    make_course(quiz_settings="max_attempts: 2\ncooldown_hours: 24\n")
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "final"))
    waiting, passed_one = make_user(hub), make_user(hub)
    now = utcnow()
    for user in (waiting, passed_one):
        _attempt(user, quiz, now - timedelta(hours=30))
    _attempt(waiting, quiz, now - timedelta(hours=20))
    _attempt(passed_one, quiz, now - timedelta(hours=20), passed=True)
    assert due.retry_reminders(now) == 0  # 24 h after 19h50m ago: not yet
    later = now + timedelta(hours=5)
    assert due.retry_reminders(later) == 1
    assert due.retry_reminders(later + timedelta(hours=1)) == 0
    assert kinds_of(waiting) == ["retry_available"] and kinds_of(passed_one) == []
    notice = db.session.scalar(select(Notice))
    assert notice.data["course_slug"] == "test-course" and notice.data["quiz_slug"] == "final"


def test_the_weekly_digest_comes_once_a_week_to_coordinators_with_their_hubs_counts(app, hub, make_course):
    make_course()
    coordinator = make_user(hub, roles=("coordinator",))
    volunteer = make_user(hub)
    make_certificate(volunteer, hub, expires_in=40)
    now = utcnow()
    assert due.weekly_digests(now) == 1
    assert due.weekly_digests(now) == 0
    notice = db.session.scalar(select(Notice).where(Notice.user_id == coordinator.id))
    assert notice.data["counts"]["expiring"] == 1 and notice.data["hub"] == "Kokshetau Hub"
    assert due.weekly_digests(now + timedelta(days=7)) == 1
    assert kinds_of(volunteer) == []


def test_a_week_with_nothing_for_the_coordinator_sends_no_digest_until_something_comes(app, hub, other_hub, make_course):
    make_course()
    coordinator = make_user(other_hub, roles=("coordinator",))
    busy_coordinator = make_user(hub, roles=("coordinator",))
    make_certificate(make_user(hub), hub, expires_in=40)
    monday = date.today() - timedelta(days=date.today().weekday())
    now = datetime.combine(monday, time(9))  # the later runs below fall in the same ISO week
    assert due.weekly_digests(now) == 1  # the busy hub's only
    assert kinds_of(coordinator) == [] and kinds_of(busy_coordinator) == ["weekly_digest"]
    make_certificate(make_user(other_hub), other_hub, expires_in=20, serial="VH-2026-000002")  # later that week
    assert due.weekly_digests(now + timedelta(hours=2)) == 1
    notice = db.session.scalar(select(Notice).where(Notice.user_id == coordinator.id))
    assert notice.data["counts"]["expiring"] == 1
    assert due.weekly_digests(now + timedelta(hours=4)) == 0  # still once a week
