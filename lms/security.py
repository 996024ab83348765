"""Request-wide protections: the user loader, security headers, secure cookies,
and safe redirects."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from itsdangerous import BadSignature
from sqlalchemy import bindparam, select

from lms.auth.models import LightUser, User
from lms.extensions import db, login_manager
from lms.fast_reads import CompiledRead
from lms.hubs.models import Hub
from lms.transactions import close_read_connection

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.refresh_view = "auth.reauth"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.before_request(enforce_session_lifetimes)
    app.before_request(require_two_factor_for_staff)
    app.after_request(add_security_headers)
    app.teardown_appcontext(close_read_connection)
    # Templates read the user many times; the real object skips the proxy each time.
    app.context_processor(lambda: {"viewer": current_user._get_current_object()})
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)
    app.session_interface = SigningSerializerKept()


class SigningSerializerKept(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with two costs of every request cut:
    - the signing serializer is built once per set of keys, not per request (a tenth of
      a trivial page's Python time);
    - a cookie already verified is not verified and decoded again: a browser sends the
      same cookie for a minute or more. Only cookies whose signature checked out are
      remembered, under their exact text, with their signing time for the age limit,
      and only when every value is a plain scalar (a list, e.g. flashes, could be
      changed in place by one request and leak into the next)."""

    REMEMBERED = 2048  # cookies per worker; about a KB each

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("lms_session_serializer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["lms_session_serializer"] = (keys, super().get_signing_serializer(app))
            app.extensions["lms_verified_cookies"] = {}
        return kept[1]

    def open_session(self, app: Flask, request):
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app)) if serializer is not None else None
        if not value:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        verified = app.extensions["lms_verified_cookies"]
        kept = verified.get(value)
        if kept is not None and time.time() - kept[1] <= max_age:
            return self.session_class(kept[0])
        try:
            data, signed_at = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(item, str | int | float | bool | None) for item in data.values()):
            if len(verified) >= self.REMEMBERED:
                verified.clear()
            verified[value] = (data, signed_at.timestamp())
        return self.session_class(data)


def load_user(user_id: str):
    """Load the user named in the session, if the session is still current.

    The id carries the user's session version: logging out everywhere or changing the
    password bumps it, so older cookies stop working. Views marked `reads_user_only` get
    a `LightUser` from one lean query when read (GET/HEAD); every other request gets the
    ORM `User` it may change.
    """
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    if _reads_user_only():
        row = _LIGHT_USER.first(id=uid)
        user = LightUser(row) if row is not None else None
    else:
        user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def reads_user_only(view=None, *, also_post: bool = False):
    """Mark a view that only reads the current user (ids, roles, hub, language): on GET
    it gets a read-only `LightUser`, which is cheaper to load than the ORM object.
    `also_post=True`: its POST never changes the user's own row either (a quiz
    submission writes the attempt); code there that needs the ORM user loads it."""

    def mark(function):
        function.reads_user_only = "any method" if also_post else True
        return function

    return mark(view) if view is not None else mark


def _reads_user_only() -> bool:
    if request.endpoint is None:
        return False
    marked = getattr(current_app.view_functions.get(request.endpoint), "reads_user_only", False)
    return marked == "any method" or (marked is True and request.method in ("GET", "HEAD"))


# Compiled once; run by lms.fast_reads in the request's read transaction.
_LIGHT_USER = CompiledRead(
    select(*(getattr(User, name).expression for name in LightUser.COLUMNS), Hub.name, Hub.helpline, Hub.contact,
           Hub.safeguarding, Hub.emergency)
    .outerjoin(Hub, Hub.id == User.hub_id)
    .where(User.id == bindparam("id"))
)


def mark_session_start() -> None:
    now = int(time.time())
    session["_auth_at"] = now
    session["_seen_at"] = now


def enforce_session_lifetimes():
    """End sessions idle too long or older than the absolute limit (server time, signed cookie)."""
    if "_user_id" not in session or not current_user.is_authenticated:
        return None
    now = int(time.time())
    config = current_app.config
    started = session.setdefault("_auth_at", now)  # a "keep me logged in" cookie starts a new one
    seen = session.get("_seen_at", now)
    if now - started > config["SESSION_ABSOLUTE_SECONDS"] or now - seen > config["SESSION_IDLE_SECONDS"]:
        logout_user()
        session.clear()
        return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))
    if now - seen > 60:  # rewrite the cookie at most once a minute
        session["_seen_at"] = now
    return None


# The stylesheet, scripts, icons and manifest too: the set-up page itself needs them.
TWO_FACTOR_FREE_ENDPOINTS = {"auth.two_factor", "auth.logout", "static", "main.set_language", "auth.reauth",
                             "assets.asset", "assets.favicon", "assets.manifest"}


def require_two_factor_for_staff():
    """With REQUIRE_2FA_FOR_STAFF, coordinators and admins must set up two-factor login first."""
    if not current_app.config["REQUIRE_2FA_FOR_STAFF"] or request.endpoint in TWO_FACTOR_FREE_ENDPOINTS:
        return None
    if current_user.is_authenticated and current_user.has_role("coordinator", "admin") and not current_user.totp_secret:
        return redirect(url_for("auth.two_factor"))
    return None


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Verification codes and reset tokens travel in URLs: never leak them to other sites.
    # "same-origin" still sends the Referer on the site's own form posts, which Flask-WTF's
    # HTTPS check requires (with "no-referrer" no form could be sent over HTTPS).
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated and not request.path.startswith("/static/"):
        # Shared phones are common: a logged-in page must not come back from the cache.
        # (Lesson pages opt into "private, no-cache" so they can be revalidated with an ETag.)
        headers.setdefault("Cache-Control", "no-store")
    return response


class SecureCookiesOverHttps:
    """WSGI middleware: every cookie gets `Secure` when the request came over HTTPS.

    Done at the WSGI edge because the session and remember-me cookies are written
    after Flask's after_request hooks run.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and "; secure" not in value.lower()
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths: refuses //evil.example, ////evil.example, https://...,
    and \\ tricks.

    A path that starts with two slashes is the start of another host for a browser, however
    many slashes follow (urlsplit reads "////evil.example" as a path, a browser does not).
    """
    if not target:
        return False
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
