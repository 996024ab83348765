"""Migration 0018: report versions per (section, hub), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from tests.migrations_helpers import flask_db


def _shape(url: str) -> tuple[list[str], list[str]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return ([c["name"] for c in found.get_columns("report_versions")],
                found.get_pk_constraint("report_versions")["constrained_columns"])
    finally:
        engine.dispose()


def test_0018_keys_versions_by_section_and_hub_and_goes_back(fresh_db_url):
    assert flask_db(fresh_db_url, "upgrade", "0017").returncode == 0
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO report_versions (hub_key, version) VALUES (3, 7)"))
    result = flask_db(fresh_db_url, "upgrade", "0018")
    assert result.returncode == 0, result.stderr
    assert _shape(fresh_db_url) == (["section", "hub_key", "version"], ["section", "hub_key"])
    with engine.begin() as conn:
        # No row carried over: a missing row reads as version 0, and no worker kept a figure
        # under the old rows (the deploy restarts them).
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 0
        conn.execute(text("INSERT INTO report_versions (section, hub_key, version) VALUES ('lessons', 3, 1), ('enrolments', 3, 1)"))
    result = flask_db(fresh_db_url, "downgrade", "0017")
    assert result.returncode == 0, result.stderr
    assert _shape(fresh_db_url) == (["hub_key", "version"], ["hub_key"])
    engine.dispose()
