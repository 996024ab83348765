"""Signed session cookies (lms.security.SigningSerializerKept): a cookie verified once is
remembered, but never past its age limit, never when tampered with, and never shared
between requests as a mutable object."""

from __future__ import annotations

import time

from flask import Flask


def _request(app, cookie):
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/", headers={"Cookie": f"session={cookie}"} if cookie else {}).get_environ()
    return app.request_class(environ)


def _signed(app: Flask, data: dict) -> str:
    with app.app_context():
        return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_verified_cookie_is_remembered_and_gives_a_fresh_copy_each_time(app):
    cookie = _signed(app, {"_user_id": "7:1", "_fresh": True, "csrf_token": "abc"})
    with app.app_context():
        first = app.session_interface.open_session(app, _request(app, cookie))
        assert cookie in app.extensions["lms_verified_cookies"]
        first["_user_id"] = "8:1"  # one request changing its session...
        second = app.session_interface.open_session(app, _request(app, cookie))
    assert second["_user_id"] == "7:1"  # ...does not change the next one's


def test_a_tampered_cookie_is_refused_even_beside_a_remembered_one(app):
    cookie = _signed(app, {"_user_id": "7:1"})
    payload, _, signature = cookie.rpartition(".")
    with app.app_context():
        app.session_interface.open_session(app, _request(app, cookie))
        forged = _signed(app, {"_user_id": "1:1"}).rpartition(".")[0] + "." + signature
        assert dict(app.session_interface.open_session(app, _request(app, forged))) == {}
        assert forged not in app.extensions["lms_verified_cookies"]


def test_a_remembered_cookie_still_expires(app, monkeypatch):
    cookie = _signed(app, {"_user_id": "7:1"})
    with app.app_context():
        assert app.session_interface.open_session(app, _request(app, cookie))["_user_id"] == "7:1"
        later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
        monkeypatch.setattr(time, "time", lambda: later)
        assert dict(app.session_interface.open_session(app, _request(app, cookie))) == {}


def test_a_session_holding_a_list_is_never_remembered(app):
    cookie = _signed(app, {"_user_id": "7:1", "_flashes": [("info", "Saved.")]})
    with app.app_context():
        opened = app.session_interface.open_session(app, _request(app, cookie))
        assert opened["_flashes"] and cookie not in app.extensions["lms_verified_cookies"]


def test_a_new_secret_key_forgets_what_the_old_one_verified(app):
    cookie = _signed(app, {"_user_id": "7:1"})
    with app.app_context():
        app.session_interface.open_session(app, _request(app, cookie))
        app.secret_key = "a-rotated-secret-key-for-this-test-only"
        assert dict(app.session_interface.open_session(app, _request(app, cookie))) == {}
