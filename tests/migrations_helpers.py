"""Running the app's migration commands against a database of a test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]


def flask_db(db_url: str, *args: str) -> subprocess.CompletedProcess:
    """`flask db <args>` in a fresh process, as an operator runs it."""
    env = {"DATABASE_URL": db_url, "SECRET_KEY": "migration-test", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def fresh_db_url(tmp_path):
    """An empty database: a SQLite file, or on PostgreSQL a schema of its own, so the
    test's own tables are left alone."""
    pg = os.environ.get("DATABASE_TEST_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    engine = create_engine(pg)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_test"))
    yield pg + ("&" if "?" in pg else "?") + "options=-csearch_path%3Dmigration_test"
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
    engine.dispose()
