"""Configuration: defaults here, then instance/config.py, then environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Settings that may come from the environment, with the type to convert them to.
ENV_SETTINGS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "RATELIMIT_STORAGE_URI": str,
    "BABEL_DEFAULT_LOCALE": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_FROM": str,
    "SESSION_COOKIE_SECURE": bool,
    "REQUIRE_2FA_FOR_STAFF": bool,
    "PUBLIC_URL": str,
    "PROXY_FIX_HOPS": int,
    "THROTTLE_STORAGE_URI": str,
    "LOG_LEVEL": str,
    "PAGE_CACHE_BYTES": int,
    "PASSWORD_HASH_METHOD": str,
}


class DefaultConfig:
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Lax keeps the cookie on top-level navigation (a QR link, a reset link)
    # but not on cross-site POSTs.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # also forced on per request when served over HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    SESSION_IDLE_SECONDS = 60 * 60 * 2  # long enough to read a lesson on a slow phone
    SESSION_ABSOLUTE_SECONDS = 60 * 60 * 12
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
    # Coordinators and admins must use two-factor login; a demo or a test turns it off explicitly.
    REQUIRE_2FA_FOR_STAFF = True
    # The address users reach the site at, e.g. "https://learn.example.kz": every link in
    # mails, certificates and credentials uses it, and requests for other hosts are refused.
    PUBLIC_URL = ""
    # How many proxies in front of the app set X-Forwarded-For/-Proto (nginx alone: 1).
    # 0 trusts none: a client could otherwise claim any address or HTTPS.
    PROXY_FIX_HOPS = 0
    # Failed logins, registrations and reset requests are counted here: "" means the
    # database (shared by every worker and server); "redis://host:6379/0" for Redis.
    THROTTLE_STORAGE_URI = ""
    THROTTLE_ENABLED = True  # on in tests too: only the tests of other limits' absence turn it off
    LOG_LEVEL = "INFO"
    LOGGING_CONFIGURE = True  # False leaves logging to the host (e.g. an embedding app)
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 6  # a slow phone may keep a form open for a long time
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # also the largest course zip an author can upload
    AUTHOR_IMAGE_MAX_BYTES = 2 * 1024 * 1024  # pages re-encode images anyway; this bounds the stored original
    LANGUAGES = ("kk", "ru", "en")
    # Course texts missing in the learner's language: the languages tried next, in order
    # (see lms.domain.content_language). The course's default language comes last anyway.
    CONTENT_FALLBACK = {"kk": ["ru", "en"], "ru": ["en"], "en": []}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    # Flask-Limiter's per-route limits (verification lookups, reset links). Logins,
    # registrations and reset requests use the shared counters (THROTTLE_STORAGE_URI).
    RATELIMIT_STORAGE_URI = "memory://"
    # A moving window: no burst allowed at the turn of a minute (and tests do not flake there).
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = False
    RESET_LINK_HOURS = 72
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_FROM = "no-reply@localhost"
    # Compression: brotli where the browser takes it, else gzip; streamed exports stay streamed.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_LEVEL = 6
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/csv"]
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a method name, not a password; see lms.auth.models)
    # Rendered lesson pages kept per worker process (lms.main.page_cache); 0 turns it off.
    PAGE_CACHE_BYTES = 8 * 1024 * 1024
    COURSES_DIR = str(Path(__file__).resolve().parent.parent / "courses")


def _convert(value: str, kind: type):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def load_config(app, overrides: dict | None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment, then overrides."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for name, kind in ENV_SETTINGS.items():
        if name in os.environ:
            app.config[name] = _convert(os.environ[name], kind)
    if overrides:
        app.config.update(overrides)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        url = app.config.get("DATABASE_URL") or (
            "sqlite:///" + os.path.join(app.instance_path, "lms.sqlite3")
        )
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A local file cannot drop a connection: no ping before every request.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    from lms.public_url import apply_public_url

    apply_public_url(app.config)


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// forms and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret_key(instance_path: str) -> str:
    """Read the generated key from instance/, creating it on first run.

    A fixed default key would let anyone forge sessions, so there is none.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written aside, then linked into place: link() fails if another worker got
    # there first, and a reader never sees a half-written file.
    tmp = path.with_name(f"secret_key.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    try:
        os.link(tmp, path)
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key
