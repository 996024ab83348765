"""The optional Redis path: a commit that wrote notices queues one RQ job, a worker sends
them; with Redis down the event still commits and the timer sends."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.notices import queue
from lms.notices.models import NoticeDelivery
from tests.factories import make_user
from tests.notices_helpers import SmtpServer, emit, free_port

REDIS = shutil.which("redis-server")


@pytest.fixture
def redis_url():
    if REDIS is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    from redis import Redis

    for _ in range(100):
        try:
            Redis.from_url(url).ping()
            break
        except Exception:  # noqa: BLE001
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_a_committed_notice_queues_a_job_and_the_worker_sends_it_once(app, hub, redis_url):
    from rq import SimpleWorker

    app.config["NOTICES_REDIS_URL"] = redis_url
    with SmtpServer() as smtp:
        smtp.configure(app)
        user = make_user(hub)
        emit(user, "lesson_rejected", school="School 3", led_on="2026-11-02", reason="late")
        jobs = queue._queue(redis_url)
        assert jobs.count == 1
        SimpleWorker([jobs], connection=jobs.connection).work(burst=True)
        assert [m["Subject"] for m in smtp.inbox.messages] == ["Your lesson at School 3 was not confirmed"]
        db.session.commit()
        assert db.session.scalar(select(NoticeDelivery.state)) == "sent"


def test_with_redis_down_the_event_still_commits_and_the_timer_sends(app, runner, hub):
    app.config["NOTICES_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with SmtpServer() as smtp:
        smtp.configure(app)
        emit(make_user(hub), "lesson_rejected", school="School 4", led_on="2026-11-02", reason="late")
        assert "sent 1" in runner.invoke(args=["notices", "send"]).output
        assert len(smtp.inbox.messages) == 1


def test_without_redis_the_worker_command_says_to_use_the_timer(app, runner):
    result = runner.invoke(args=["notices", "worker"])
    assert result.exit_code != 0 and "NOTICES_REDIS_URL" in result.output
