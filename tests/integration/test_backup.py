"""Backup and restore round trip: every table the same, a known certificate still valid."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import inspect, select, text

from lms.extensions import db
from tests.factories import make_user


def snapshot() -> dict[str, list]:
    tables = {}
    for table in db.metadata.sorted_tables:
        order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        tables[table.name] = [tuple(row) for row in db.session.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}'))]
    return tables


def test_backup_restore_round_trip(app, runner, hub, make_course, tmp_path):
    if os.environ.get("DATABASE_TEST_URL") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here (Debian package postgresql-client)")
    from lms.certificates.models import Certificate
    from lms.courses.models import Track

    make_course()
    volunteer = make_user(hub)
    track = db.session.scalar(select(Track))
    db.session.add(Certificate(serial="VH-B-1", code="BACK-0P00-TEST-0001", user_id=volunteer.id, track_id=track.id,
                               hub_id=hub.id, holder_name="Backup Person", course_versions={},
                               issued_on=__import__("datetime").date.today(),
                               expires_on=__import__("datetime").date.today().replace(year=__import__("datetime").date.today().year + 2)))
    db.session.commit()
    before = snapshot()
    target = tmp_path / "lms.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    # damage the live database, then restore
    db.session.execute(text("DELETE FROM certificates"))
    db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert snapshot() == before
    assert set(inspect(db.engine).get_table_names()) >= {t.name for t in db.metadata.sorted_tables}
    client = app.test_client()
    assert client.get("/verify/BACK-0P00-TEST-0001.json").get_json()["status"] == "valid"
