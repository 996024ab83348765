"""Notice delivery end to end: a real SMTP server (aiosmtpd), `flask notices send` in real
processes, overlapping and killed runs. Runs on SQLite and, with DATABASE_TEST_URL, PostgreSQL."""

from __future__ import annotations

import re
import signal
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models_base import utcnow
from lms.notices.models import Notice, NoticeDelivery, NoticeOptOut
from tests.factories import make_user
from tests.notices_helpers import SmtpServer, emit, finish, send_process


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        server.configure(app)
        yield server


def states() -> Counter:
    db.session.commit()
    return Counter(db.session.scalars(select(NoticeDelivery.state)))


def lesson_rejected(user, n: int = 1):
    return emit(user, "lesson_rejected", school=f"School {n}", led_on="2026-11-02", reason="no register signed")


def test_due_notices_are_sent_once_in_each_users_language_with_unsubscribe_headers(app, runner, hub, smtp):
    english = make_user(hub, locale="en")
    russian = make_user(hub, locale="ru")
    kazakh = make_user(hub, locale="kk")
    for user in (english, russian, kazakh):
        lesson_rejected(user)
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert len(smtp.inbox.messages) == 3
    subjects = {m["To"]: m["Subject"] for m in smtp.inbox.messages}
    assert subjects[english.email] == "Your lesson at School 1 was not confirmed"
    assert subjects[russian.email] != subjects[english.email] and re.search("[а-яА-Я]", subjects[russian.email])
    assert re.search("[әғқңөұүһі]", smtp.inbox.to(kazakh.email)[0].get_content().lower()), "Kazakh letters in the body"
    message = smtp.inbox.to(english.email)[0]
    assert "Reason: no register signed" in message.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://lms\.test/notices/unsubscribe/[\w.-]+>", message["List-Unsubscribe"])
    assert message["Content-Language"] == "en" and smtp.inbox.to(russian.email)[0]["Content-Language"] == "ru"
    # the second run finds nothing due
    again = runner.invoke(args=["notices", "send"])
    assert "sent 0" in again.output and len(smtp.inbox.messages) == 3
    assert states() == {"sent": 3}


def test_phone_only_volunteers_get_the_in_app_notice_and_no_email(app, runner, hub, smtp):
    phone_only = make_user(hub, email=None, phone="77011234567")
    lesson_rejected(phone_only)
    result = runner.invoke(args=["notices", "send"])
    assert "skipped 1" in result.output and "no address" in result.output
    assert smtp.inbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.user_id == phone_only.id)) == 1


def test_without_a_mail_server_notices_stay_in_app_and_email_is_skipped_with_a_reason(app, runner, hub):
    user = make_user(hub)
    lesson_rejected(user)
    result = runner.invoke(args=["notices", "send"])
    assert "skipped 1" in result.output and "mail not configured" in result.output
    assert states() == {"skipped": 1}


def test_two_overlapping_runs_in_separate_processes_send_each_message_once(app, hub, smtp):
    users = [make_user(hub) for _ in range(12)]
    for n, user in enumerate(users):
        lesson_rejected(user, n)
        lesson_rejected(user, n + 100)
    smtp.inbox.delay = 0.05  # each message takes a while, so both runs are sending at the same time
    first, second = send_process(app, smtp), send_process(app, smtp)
    outputs = [finish(first), finish(second)]
    sent = [int(re.search(r"sent (\d+)", out).group(1)) for out in outputs]
    ids = smtp.inbox.message_ids()
    assert len(ids) == 24 and len(set(ids)) == 24, Counter(ids).most_common(3)
    assert sum(sent) == 24, outputs
    assert states() == {"sent": 24}
    stored = set(db.session.scalars(select(NoticeDelivery.message_id)))
    assert set(ids) == stored


def _wait_for_pause(process) -> None:
    """Read the run's output until the test hook says it paused (the run then sleeps)."""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("paused after"):
            return
    raise AssertionError("the run ended without pausing: " + "".join(seen) + process.stderr.read())


def test_a_run_killed_after_a_message_was_marked_sent_is_finished_by_the_next_run_once_each(app, hub, smtp):
    for n, user in enumerate([make_user(hub) for _ in range(5)]):
        lesson_rejected(user, n)
    killed = send_process(app, smtp, pause="mark")
    _wait_for_pause(killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert len(smtp.inbox.messages) == 1
    finish(send_process(app, smtp))
    ids = smtp.inbox.message_ids()
    assert len(ids) == 5 and len(set(ids)) == 5
    assert states() == {"sent": 5}


def test_a_run_killed_between_smtp_accept_and_marking_resends_only_that_message_with_its_message_id(app, hub, smtp):
    """The documented duplicate window (docs/notifications.md): a crash right after the
    server accepted a message and before the row was marked sent. The rest are sent once at
    once; that one waits for its lease to end, then goes again with the same Message-ID."""
    for n, user in enumerate([make_user(hub) for _ in range(4)]):
        lesson_rejected(user, n)
    # A long lease, so a slow machine cannot let it run out before the second run; its end is
    # then brought forward, as if the time had passed.
    killed = send_process(app, smtp, "--lease-seconds", "600", pause="accept")
    _wait_for_pause(killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    first_id = smtp.inbox.message_ids()[0]
    out = finish(send_process(app, smtp))  # the lease is still alive: that row is left alone
    assert "sent 3" in out
    assert len(smtp.inbox.messages) == 4 and len(set(smtp.inbox.message_ids())) == 4
    db.session.execute(update(NoticeDelivery).where(NoticeDelivery.state == "pending")
                       .values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    out = finish(send_process(app, smtp))  # lease over: the unconfirmed one is sent again
    assert "sent 1" in out
    ids = Counter(smtp.inbox.message_ids())
    assert ids[first_id] == 2 and len(ids) == 4 and sum(ids.values()) == 5
    assert states() == {"sent": 4}
    finish(send_process(app, smtp))
    assert len(smtp.inbox.messages) == 5  # and never again


def test_a_refused_address_fails_for_good_and_a_busy_server_is_tried_later(app, runner, hub, smtp):
    gone, busy, fine = make_user(hub), make_user(hub), make_user(hub)
    smtp.inbox.refuse = {gone.email: "550 5.1.1 No such user", busy.email: "451 4.3.0 Try again later"}
    for user in (gone, busy, fine):
        lesson_rejected(user)
    result = runner.invoke(args=["notices", "send"])
    assert "sent 1, skipped 0, failed 1, retrying later 1" in result.output
    db.session.commit()
    by_user = {d.notice.user_id: d for d in db.session.scalars(select(NoticeDelivery))}
    assert by_user[gone.id].state == "failed" and "550" in by_user[gone.id].last_error
    assert by_user[busy.id].state == "pending" and by_user[busy.id].claimed_by is None
    assert by_user[busy.id].claimed_until is not None and by_user[busy.id].tries == 1
    smtp.inbox.refuse = {}
    assert "sent 0" in runner.invoke(args=["notices", "send"]).output  # not before its time
    assert [m["To"] for m in smtp.inbox.messages] == [fine.email]


def test_one_click_unsubscribe_from_the_email_works_without_login_and_stops_that_topic_only(app, client, runner,
                                                                                               hub, smtp):
    user = make_user(hub)
    lesson_rejected(user)
    runner.invoke(args=["notices", "send"])
    message = smtp.inbox.messages[0]
    url = message["List-Unsubscribe"].strip("<>")
    path = url.split("lms.test", 1)[1]
    assert path in message.get_content()  # the same link is in the body for people
    client.csrf = False  # a mail provider's POST carries no form token
    page = client.get(path)
    assert page.status_code == 200 and db.session.scalar(select(func.count()).select_from(NoticeOptOut)) == 0
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert db.session.scalars(select(NoticeOptOut.topic).where(NoticeOptOut.user_id == user.id)).all() == ["lessons"]
    assert client.post(path, data="List-Unsubscribe=One-Click").status_code == 200  # twice: same answer
    # that topic is no longer emailed, others still are; the in-app notice stays
    lesson_rejected(user, 2)
    emit(user, "certificate_issued", serial="VH-2026-000001", track={"en": "Eco"}, expires_on="2028-11-29")
    out = runner.invoke(args=["notices", "send"]).output
    assert "sent 1" in out and "turned these off" in out
    assert [m["Subject"] for m in smtp.inbox.messages[1:]] == ["Your certificate is ready: Eco"]


@pytest.mark.parametrize("token", ["x" * 43, "WzEsImxlc3NvbnMiXQ.forged"])
def test_a_forged_unsubscribe_token_changes_nothing(app, client, hub, token):
    make_user(hub)
    client.csrf = False
    assert client.post(f"/notices/unsubscribe/{token}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(NoticeOptOut)) == 0


def test_with_the_mail_server_down_the_run_stops_after_one_try_and_leaves_the_rest_unclaimed(app, runner, hub, smtp):
    for n, user in enumerate([make_user(hub) for _ in range(3)]):
        lesson_rejected(user, n)
    smtp.stop()
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 0 and "sent 0, skipped 0, failed 0, retrying later 1" in result.output
    db.session.commit()
    rows = db.session.scalars(select(NoticeDelivery).order_by(NoticeDelivery.id)).all()
    assert [r.state for r in rows] == ["pending"] * 3
    assert [r.tries for r in rows] == [1, 0, 0] and rows[0].claimed_until is not None
    assert all(r.claimed_by is None for r in rows)
