"""CLI commands and the migration history."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text

from lms.auth.models import User
from lms.extensions import db
from lms.hubs.models import Hub
from tests.migrations_helpers import flask_db

ROOT = Path(__file__).resolve().parents[2]


def test_hubs_create_and_users_create_with_link(runner, app):
    result = runner.invoke(args=["hubs", "create", "--slug", "aktau", "--name", "Aktau Hub"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["users", "create", "--email", "coord@example.kz", "--role", "coordinator", "--hub", "aktau", "--link"]
    )
    assert result.exit_code == 0, result.output
    assert "/reset/" in result.output
    user = db.session.scalar(select(User).where(User.email == "coord@example.kz"))
    assert user.roles == {"coordinator"} and user.hub.slug == "aktau"


def test_users_create_unknown_hub_is_a_clear_error(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "a@example.kz", "--hub", "nowhere", "--link"])
    assert result.exit_code != 0 and "unknown hub 'nowhere'" in result.output


def test_demo_prints_passwords_once_and_they_work(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    line = next(li for li in first.output.splitlines() if "coordinator@demo.example.org" in li)
    password = line.split()[2]
    client = app.test_client()
    assert client.post("/login", data={"login": "coordinator@demo.example.org", "password": password}).status_code == 302
    second = runner.invoke(args=["demo"])
    assert "already exist" in second.output and "demo-" not in second.output
    assert db.session.scalar(select(db.func.count(Hub.id))) == 6


def _revisions() -> list[str]:
    names = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    return [n.split("_", 1)[0] for n in names]


def test_upgrade_empty_database_to_head(fresh_db_url):
    result = flask_db(fresh_db_url, "upgrade")
    assert result.returncode == 0, result.stderr
    tables = set(inspect(create_engine(fresh_db_url)).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_upgrade_from_first_migration_keeps_rows(fresh_db_url):
    first = _revisions()[0]
    assert flask_db(fresh_db_url, "upgrade", first).returncode == 0
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO hubs (slug, name, region, helpline, contact, created_at) VALUES ('semey', 'Semey', '', '', '', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO users (name, email, roles, active, session_version, created_at) VALUES ('Old', 'old@example.kz', 'volunteer', true, 1, CURRENT_TIMESTAMP)"))
    result = flask_db(fresh_db_url, "upgrade")
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email FROM users")).scalar() == "old@example.kz"
        assert conn.execute(text("SELECT slug FROM hubs")).scalar() == "semey"
    engine.dispose()


def test_models_match_migrations(fresh_db_url):
    """A model change without a migration fails here (alembic `check`)."""
    assert flask_db(fresh_db_url, "upgrade").returncode == 0
    result = flask_db(fresh_db_url, "check")
    assert result.returncode == 0, result.stdout + result.stderr
