"""Fixtures: a fresh database per test on SQLite, or a clean schema on PostgreSQL
when DATABASE_TEST_URL is set."""

from __future__ import annotations

import os
import secrets
import shutil

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from lms import create_app
from lms.extensions import db
from tests import factories
from tests.migrations_helpers import fresh_db_url  # noqa: F401  (a fixture of the migration tests)

PG_URL = os.environ.get("DATABASE_TEST_URL")
_pg_schema_ready = False


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in a real server: `g` and the
    database session do not leak from the test (or an earlier request) into it.

    CSRF protection is on. Like a browser that loaded the form first, the client sends
    a valid token for its session with every POST (as the X-CSRFToken header, which
    Flask-WTF accepts like the form field) unless the test gives its own `csrf_token`
    or header. `client.csrf = False` sends none: for tests of the refusal itself.
    """

    csrf = True

    def open(self, *args, **kwargs):
        if self.csrf and _changes_state(args, kwargs) and not _has_csrf_token(kwargs):
            headers = dict(kwargs.get("headers") or {})
            headers["X-CSRFToken"] = self.csrf_token()
            kwargs["headers"] = headers
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            response.get_data()  # finish a streamed body while its contexts are still open
        # End the test's own transaction, so its next read sees what the request wrote
        # (a request from a helper thread has no test context around it).
        if has_app_context():
            db.session.commit()
            db.session.expire_all()
        return response


    def csrf_token(self) -> str:
        """The signed token a form page would carry for this client's session (made if missing)."""
        app = self.application
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = session["csrf_token"] = secrets.token_hex(20)
        # Flask-WTF's own signing (flask_wtf.csrf.generate_csrf): secret key and salt.
        serializer = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


def _changes_state(args, kwargs) -> bool:
    method = kwargs.get("method")
    if method is None and args and hasattr(args[0], "method"):  # an EnvironBuilder or Request
        method = args[0].method
    return (method or "GET").upper() in {"POST", "PUT", "PATCH", "DELETE"}


def _has_csrf_token(kwargs) -> bool:
    headers = kwargs.get("headers") or {}
    names = {name.lower() for name in (headers.keys() if hasattr(headers, "keys") else (n for n, _v in headers))}
    data = kwargs.get("data")
    return "x-csrftoken" in names or (isinstance(data, dict) and "csrf_token" in data)


def _test_config(tmp_path, **overrides) -> dict:
    url = PG_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        # Flask-Limiter's in-process limits (verification lookups) stay off except in their
        # own tests: one client address runs the whole suite. The shared login/registration
        # counters (THROTTLE_ENABLED) and CSRF stay on, as in production.
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "lms.test",
        # Explicitly off, as for the demo: most tests log staff in with a password alone.
        # Tests of the requirement turn it on.
        "REQUIRE_2FA_FOR_STAFF": False,
        "LOGGING_CONFIGURE": False,  # pytest captures logs; a dictConfig would unhook caplog
        # scrypt costs 0.16 s a hash on these machines and the suite hashes thousands of
        # times; production keeps scrypt (tests/functional/test_security.py checks it).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


def _reset_schema() -> None:
    global _pg_schema_ready
    if PG_URL:
        if not _pg_schema_ready:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
            _pg_schema_ready = True
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        db.create_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An empty SQLite database with every table, made once: each test starts from a copy
    (a file copy costs far less than creating ~50 tables and their indexes every time)."""
    if PG_URL:
        return None
    folder = tmp_path_factory.mktemp("template")
    app = create_app(_test_config(folder))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return folder / "test.sqlite3"


@pytest.fixture
def make_app(tmp_path, sqlite_template):
    """Build an app with config overrides; the database is clean."""
    apps = []
    if sqlite_template is not None:
        shutil.copyfile(sqlite_template, tmp_path / "test.sqlite3")

    def build(**overrides):
        app = create_app(_test_config(tmp_path, **overrides))
        app.test_client_class = IsolatedClient
        ctx = app.app_context()
        ctx.push()
        _reset_schema()
        apps.append((app, ctx))
        return app

    yield build
    for _app, ctx in reversed(apps):
        db.session.remove()
        ctx.pop()
    for app, _ctx in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def hub(app):
    return factories.make_hub("kokshetau", name="Kokshetau Hub")


@pytest.fixture
def other_hub(app):
    return factories.make_hub("semey", name="Semey Hub")


def login(client, user, password: str = factories.PASSWORD):
    response = client.post("/login", data={"login": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client):
    def do(user):
        return login(client, user)

    return do


@pytest.fixture
def make_course(app, tmp_path):
    """Write a course in the source format and import it; returns the Course row."""
    from lms.courses.importer import import_tree
    from lms.courses.models import Course
    from lms.domain.course_format import load_tree
    from tests.course_builder import write_course, write_tracks

    def build(slug="test-course", issuance="review", **options):
        root = tmp_path / f"courses-{slug}"
        write_tracks(root, [slug], issuance=issuance)
        write_course(root, slug, **options)
        tree, problems = load_tree(root, display_root=root)
        assert problems == [], problems
        import_tree(tree)
        return db.session.scalar(db.select(Course).where(Course.slug == slug))

    return build
