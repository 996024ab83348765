"""CSV exports, streamed row by row: UTF-8 with a BOM (Excel opens Cyrillic right),
ISO dates, and cells neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from lms.auth.models import User
from lms.certificates.models import LessonDelivery
from lms.courses.models import Track
from lms.domain.safe_files import neutralise_cell
from lms.extensions import db
from lms.hubs.models import Hub
from lms.reports.queries import Scope, _deliveries


def csv_rows(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(value.isoformat() if hasattr(value, "isoformat") else value) for value in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def dict_rows(rows: list[dict]) -> Iterator[str]:
    header = list(rows[0]) if rows else []
    return csv_rows(header, ([row[key] for key in header] for row in rows))


LESSON_HEADER = ["date", "volunteer", "hub", "region", "track", "school", "place_region", "online", "children", "parents", "co_leader"]


def lesson_rows(scope: Scope) -> Iterator[tuple]:
    """Confirmed lessons led, fetched in batches so 100,000 rows never sit in memory."""
    stmt = (
        select(LessonDelivery.led_on, User.name, Hub.name, Hub.region, Track.slug, LessonDelivery.school,
               LessonDelivery.region, LessonDelivery.online, LessonDelivery.children, LessonDelivery.parents,
               LessonDelivery.co_leader)
        .join(User, User.id == LessonDelivery.user_id)
        .outerjoin(Hub, Hub.id == User.hub_id)
        .join(Track, Track.id == LessonDelivery.track_id)
        .where(*_deliveries(scope))
        .order_by(LessonDelivery.led_on, LessonDelivery.id)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(stmt):
        yield tuple(row)
