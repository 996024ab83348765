"""Static files under content-hashed names, cached for a year.

`asset_url("css/site.css")` gives `/assets/css/site.3f9c2a1b.css`; a new version of the
file gets a new name, so browsers on slow connections never re-download an unchanged
file and never keep a stale one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, abort, current_app, has_request_context, request, send_file, url_for

bp = Blueprint("assets", __name__)
YEAR = 60 * 60 * 24 * 365


def _digest(path: Path) -> str:
    """Hash of the file's content; in production computed once per process (files do not
    change under a running server), in debug mode on every change."""
    cache = current_app.extensions.setdefault("lms_asset_hashes", {})
    key = (str(path), path.stat().st_mtime_ns) if current_app.debug else str(path)
    if key not in cache:
        cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return cache[key]


def asset_url(filename: str) -> str:
    # Every page links the same two files: outside debug mode their URLs are worked out
    # once per process (and per mount point) instead of hashing a path and building a URL.
    key = (filename, request.script_root if has_request_context() else None)
    cache = current_app.extensions.setdefault("lms_asset_urls", {})
    url = cache.get(key)
    if url is None:
        path = Path(current_app.static_folder) / filename
        stem, _dot, suffix = filename.rpartition(".")
        url = url_for("assets.asset", filename=f"{stem}.{_digest(path)}.{suffix}")
        if not current_app.debug:
            cache[key] = url
    return url


@bp.route("/assets/<path:filename>")
def asset(filename: str):
    stem, _dot, suffix = filename.rpartition(".")
    base, _dot2, digest = stem.rpartition(".")
    root = Path(current_app.static_folder).resolve()
    path = (root / f"{base}.{suffix}").resolve()
    if not path.is_relative_to(root) or not path.is_file() or digest != _digest(path):
        abort(404)
    response = send_file(path, max_age=YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest: a phone can put the site on its home screen and open it full
    screen, with our icon. Icons go through the content-hashed URLs like every asset."""
    from flask_babel import gettext as _

    from lms.i18n import current_locale

    body = {
        "id": url_for("main.index"),
        "name": _("Volunteer Hub learning"),
        "short_name": _("Volunteer Hub"),
        "lang": current_locale(),
        "start_url": url_for("main.dashboard"),  # a logged-out visitor is sent to the login page
        "scope": url_for("main.index"),
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0b5ea8",
        "icons": [
            {"src": asset_url("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": asset_url("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": asset_url("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": asset_url("img/logo.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.vary.update(("Accept-Language", "Cookie"))  # the names are in the visitor's language
    return response


@bp.route("/favicon.ico")
def favicon():
    """For browsers and tools that ask for /favicon.ico whatever the page links."""
    response = send_file(Path(current_app.static_folder) / "img" / "favicon.ico", mimetype="image/x-icon",
                         max_age=7 * 24 * 3600, conditional=True)
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = asset_url
