"""`flask --app wsgi notices send|worker`: the delivery job, for a systemd timer or cron,
and a worker for the Redis queue when one is configured."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.models_base import utcnow
from lms.notices import delivery, due

notices_cli = AppGroup("notices", help="Notices: make due reminders and send email.")


@notices_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most this many, then stop.")
@click.option("--lease-seconds", type=click.IntRange(min=1), default=delivery.DEFAULT_LEASE_SECONDS, show_default=True,
              help="How long a claimed message is ours; after a crash it is sent again once this ends.")
@click.option("--no-reminders", is_flag=True, help="Only send; do not make due reminders and digests first.")
def send(limit: int | None, lease_seconds: int, no_reminders: bool) -> None:
    """Make reminders that came due, then send every due message exactly once.

    Safe to run from several servers or overlapping timers at once: each message is
    claimed by one run.
    """
    if not no_reminders:
        made = due.enqueue_due(utcnow())
        click.echo("made: " + ", ".join(f"{name} {count}" for name, count in made.items()))
    report = delivery.send_due(limit=limit, lease_seconds=lease_seconds)
    click.echo(f"sent {report.sent}, skipped {report.skipped}, failed {report.failed}, retrying later {report.retrying}")
    for reason, count in sorted(report.skipped_reasons.items()):
        click.echo(f"  skipped {count}: {reason}")


@notices_cli.command("worker")
def worker() -> None:
    """Send as notices happen, from the Redis queue (NOTICES_REDIS_URL). The timer still runs."""
    from lms.notices import queue

    queue.run_worker()
