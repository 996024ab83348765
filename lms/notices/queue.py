"""Optional: send notices moments after they happen, through RQ on Redis.

The outbox stays the truth and the timer (`flask notices send`) stays on: a job here only
runs the same claim-and-send loop sooner, so a lost job, a Redis outage or a stopped worker
delays email until the next timer run and never duplicates it (claims decide who sends).
Configured with NOTICES_REDIS_URL (config or environment); without it nothing here runs.
"""

from __future__ import annotations

import os

from flask import current_app, has_app_context
from sqlalchemy import event

from lms.extensions import db

QUEUE_NAME = "lms-notices"


def redis_url(app=None) -> str:
    app = app or current_app
    return app.config.get("NOTICES_REDIS_URL") or os.environ.get("NOTICES_REDIS_URL", "")


def _queue(url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))


def send_job() -> int:
    """The job: run the sender loop in the worker's app context; returns how many were sent."""
    from lms.notices.delivery import send_due

    return send_due(limit=500).sent


def wake_worker(app) -> None:
    """After a commit that wrote notices: queue one send job. Never fails the request."""
    url = redis_url(app)
    if not url:
        return
    try:
        # No result kept: the outbox row says what happened.
        _queue(url).enqueue_call(send_job, result_ttl=0, failure_ttl=24 * 3600)
    except Exception:  # noqa: BLE001  (Redis down: the timer sends these anyway)
        app.logger.warning("notices: could not queue a send job on Redis; the timer will send", exc_info=True)


_listening = False


def init_app(app) -> None:
    """Watch commits for notices written by lms.notices.services.emit (listeners set once per
    process: the session class is shared by every app made in it)."""
    global _listening
    if not _listening:
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
        _listening = True


def _after_commit(session) -> None:
    if session.info.pop("lms_notices_emitted", False) and has_app_context() and redis_url():
        wake_worker(current_app._get_current_object())


def _after_rollback(session) -> None:
    session.info.pop("lms_notices_emitted", None)


def run_worker() -> None:
    """`flask notices worker`: an RQ worker in this app's context (no fork: the app, its
    database pool and settings stay loaded between jobs)."""
    import click
    from rq import SimpleWorker

    url = redis_url()
    if not url:
        raise click.ClickException("NOTICES_REDIS_URL is not set: use the timer (flask notices send) alone")
    queue = _queue(url)
    SimpleWorker([queue], connection=queue.connection).work()
