"""Volunteer-hub LMS: courses, quizzes, progress and certificates for regional volunteer hubs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms import fast_reads, logging_setup, permissions, public_url, security
from lms.config import load_config
from lms.extensions import compress, csrf, db, limiter, login_manager, migrate
from lms.public_url import LmsFlask, trust_proxy_headers

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application. No side effects: no migrations, prompts or network."""
    app = LmsFlask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, config)
    logging_setup.init_app(app)
    public_url.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _drop_idle_rate_limit_check(app)
    login_manager.init_app(app)
    compress.init_app(app)
    _init_database_events(app)

    from lms import i18n

    i18n.init_app(app)
    security.init_app(app)
    fast_reads.init_app(app)
    permissions.init_app(app)

    from lms import idempotency

    idempotency.init_app(app)

    from lms.admin.routes import bp as admin_bp
    from lms.audit_routes import bp as audit_bp
    from lms.auth.routes import bp as auth_bp
    from lms.authoring import models as _authoring_models  # noqa: F401  (tables for migrations)
    from lms.authoring.routes import bp as authoring_bp
    from lms.certificates.routes import bp as certificates_bp
    from lms.courses import models as _course_models  # noqa: F401  (tables for migrations)
    from lms.courses.routes import bp as courses_bp
    from lms.hubs.routes import bp as hubs_bp
    from lms.learning.routes import bp as learning_bp
    from lms.learning.teaching_routes import bp as teaching_bp
    from lms.main.routes import bp as main_bp
    from lms.notices.routes import bp as notices_bp
    from lms.reports.routes import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(hubs_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(teaching_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(notices_bp)
    from lms.notices import queue as notices_queue

    notices_queue.init_app(app)  # a Redis job after commits that wrote notices, when configured

    from lms import errors
    from lms.main import assets, chrome

    chrome.init_app(app)
    assets.init_app(app)

    errors.init_app(app)
    # Last of the WSGI wrappers, so outermost: all inside see the proxy's client address and scheme.
    trust_proxy_headers(app)

    from lms.cli import register_cli

    register_cli(app)
    from lms.notices.cli import notices_cli

    app.cli.add_command(notices_cli)
    return app


def _drop_idle_rate_limit_check(app: Flask) -> None:
    """Flask-Limiter looks at every request for app-wide limits. This app sets none: its
    limits sit on the few views that need them, and those check themselves when called.
    So the per-request look is dropped, unless app-wide limits are configured."""
    if any(app.config.get(name) for name in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")):
        return
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [hook for hook in hooks if hook != limiter._check_request_limit]


def _init_database_events(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from lms.private_files import private_sqlite_file
    from lms.transactions import init_sqlite

    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        init_sqlite(db.engine)
