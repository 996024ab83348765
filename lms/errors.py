"""Error pages in the site's style; a 500 shows an error id, never a traceback."""

from __future__ import annotations

import uuid

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.extensions import db

PAGES = {400, 403, 404, 405, 413, 429}


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code not in PAGES:
            return error
        if error.code == 403:
            from flask_login import current_user

            from lms.audit import security_log

            # %r: the path is the visitor's input; repr keeps it on one log line.
            security_log.warning("access.denied user=%s %s %r", getattr(current_user, "id", None), request.method, request.path)
        if request.path.endswith(".json"):
            return {"error": error.name}, error.code
        response = render_template("errors/error.html", code=error.code)
        return response, error.code

    @app.errorhandler(Exception)
    def unexpected_error(error):
        if isinstance(error, HTTPException):
            return http_error(error)
        error_id = uuid.uuid4().hex[:12]
        app.logger.exception("unhandled error %s on %s %s", error_id, request.method, request.path)
        db.session.rollback()
        return render_template("errors/error.html", code=500, error_id=error_id), 500
