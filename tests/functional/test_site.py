"""Site-wide behaviour: headers, error pages, language switcher."""

from __future__ import annotations

from flask import abort

from tests.conftest import login
from tests.factories import make_user


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"  # sent to the site itself only: CSRF over HTTPS needs it


def test_session_cookie_flags(client, hub):
    response = client.post("/login", data={"login": make_user(hub).email, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookie_secure_over_https(client, hub):
    response = client.post(
        "/login",
        data={"login": make_user(hub).email, "password": "correct horse battery"},
        base_url="https://lms.test",
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_logged_in_pages_are_not_cached(client, hub):
    login(client, make_user(hub))
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_404_page_in_site_style(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_500_page_shows_error_id_without_traceback(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "error number" in page and "secret internals" not in page and "Traceback" not in page


def test_403_page(make_app):
    app = make_app()

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    assert "You do not have access" in app.test_client().get("/forbidden").get_data(as_text=True)


def test_language_switcher_keeps_choice_for_visitor(client):
    response = client.post("/language", data={"lang": "kk", "next": "/login"})
    assert response.headers["Location"].endswith("/login")
    assert 'lang="kk"' in client.get("/login").get_data(as_text=True)


def test_language_switcher_saved_for_logged_in_user(app, hub):
    user = make_user(hub, locale="en")
    client = app.test_client()
    login(client, user)
    client.post("/language", data={"lang": "ru", "next": "/dashboard"})
    from lms.auth.models import User
    from lms.extensions import db

    assert db.session.get(User, user.id).locale == "ru"
    other_device = app.test_client()
    login(other_device, user)
    assert '<html lang="ru"' in other_device.get("/dashboard").get_data(as_text=True)


def test_language_switcher_refuses_external_next(client):
    response = client.post("/language", data={"lang": "ru", "next": "https://evil.example"})
    assert response.headers["Location"] in ("/", "http://lms.test/")


def test_accept_language_used_when_no_choice(client):
    page = client.get("/login", headers={"Accept-Language": "kk-KZ,kk;q=0.9"}).get_data(as_text=True)
    assert '<html lang="kk"' in page
