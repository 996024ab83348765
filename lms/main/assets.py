"""Static files under content-hashed names, cached for a year.

`asset_url("css/site.css")` gives `/assets/css/site.3f9c2a1b.css`; a new version of the
file gets a new name, so browsers on slow connections never re-download an unchanged
file and never keep a stale one.
"""

from __future__ import annotations

import hashlib
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


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = asset_url
