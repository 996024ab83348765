"""Logging: one line per event with a UTC timestamp, level, logger and request id.

The request id ties the app's lines to the proxy's access log: nginx sends its
`$request_id` as X-Request-ID (believed only behind a configured proxy), and the id
goes back to the browser in the response, so a volunteer's error page can be found.
Security events (logins, lockouts, role changes, refusals) go to the `lms.security`
logger; they carry ids and addresses, never passwords, tokens or codes.
"""

from __future__ import annotations

import logging
import logging.config
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class UtcFormatter(logging.Formatter):
    converter = time.gmtime  # logs from several servers line up regardless of their zones

    def formatTime(self, record, datefmt=None):  # noqa: N802  (logging's name)
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"


FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Send the app's and the servers' warnings to stderr (journald under systemd) in one format."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {"line": {"()": UtcFormatter, "format": FORMAT}},
            "handlers": {
                "stderr": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_id"]}
            },
            "loggers": {
                "lms": {"level": level.upper()},
                "flask_wtf.csrf": {"level": "INFO"},  # why a form was refused
            },
            "root": {"level": "WARNING", "handlers": ["stderr"]},
        }
    )


def init_app(app: Flask) -> None:
    if app.config.get("LOGGING_CONFIGURE", True):
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    # Flask's own handler would print the same lines a second time without the format.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    trust_header = int(app.config.get("PROXY_FIX_HOPS") or 0) > 0

    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-ID", "") if trust_header else ""
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]

    @app.after_request
    def send_request_id(response):
        if "request_id" in g:
            response.headers.setdefault("X-Request-ID", g.request_id)
        return response
