"""One configured public address for every external link, and only that host served.

Without it, a link built during a request takes the visitor's `Host` header: a reset
request sent with `Host: evil.example` would mail a link to evil.example carrying a
valid token, and the same host would be signed into badge credentials and QR codes.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix


class PublicUrlError(ValueError):
    """PUBLIC_URL is not a plain http(s) origin."""


def parse_public_url(url: str) -> tuple[str, str]:
    """("https", "learn.example.kz[:port]") from PUBLIC_URL; refuses paths, queries and users."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublicUrlError(f"PUBLIC_URL must look like https://learn.example.kz, not {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise PublicUrlError(f"PUBLIC_URL must be the site's origin only (no path or query): {url!r}")
    return parts.scheme, parts.netloc.lower()


def apply_public_url(config) -> None:
    """Derive SERVER_NAME, the link scheme, trusted hosts and secure cookies from PUBLIC_URL.

    Without PUBLIC_URL an explicit SERVER_NAME still limits the trusted hosts (the tests
    use "lms.test"); with neither, any host is served, which only suits a laptop.
    """
    if config.get("PUBLIC_URL"):
        scheme, netloc = parse_public_url(config["PUBLIC_URL"])
        config["SERVER_NAME"] = netloc
        config["PREFERRED_URL_SCHEME"] = scheme
        if scheme == "https":
            config["SESSION_COOKIE_SECURE"] = True
            config["REMEMBER_COOKIE_SECURE"] = True
    if config.get("SERVER_NAME") and config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = [config["SERVER_NAME"].partition(":")[0]]


class LmsFlask(Flask):
    """Flask whose request-time links use PUBLIC_URL's scheme.

    Flask takes the host of external links from SERVER_NAME but the scheme from the
    request; behind a TLS proxy that talks plain HTTP to gunicorn the links would say
    http:// unless the proxy's header is trusted. The configured address decides instead.
    """

    def create_url_adapter(self, request):
        adapter = super().create_url_adapter(request)
        if request is not None and adapter is not None and self.config.get("PUBLIC_URL"):
            adapter.url_scheme = self.config["PREFERRED_URL_SCHEME"]
        return adapter


def init_app(app: Flask) -> None:
    if not int(app.config.get("PROXY_FIX_HOPS") or 0):
        app.before_request(_warn_once_about_an_untrusted_proxy)

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # Plain text: the site's error page builds links, and links need a trusted host.
        from lms.audit import security_log

        security_log.warning("request.untrusted_host %s", error.description)
        return Response("Unknown host.\n", status=400, mimetype="text/plain")


_warned: set[str] = set()


def _warn_once_about_an_untrusted_proxy():
    """Behind a proxy with PROXY_FIX_HOPS=0 every visitor has the proxy's address: the
    per-address login limit then counts everyone together. Said once per process; the
    header itself is not believed (a client can send it too)."""
    if "X-Forwarded-For" in request.headers and "proxy" not in _warned:
        _warned.add("proxy")
        logging.getLogger("lms").warning(
            "requests carry X-Forwarded-For but PROXY_FIX_HOPS is 0: all visitors get the proxy's address "
            "(%s); set PROXY_FIX_HOPS=1 behind nginx (docs/deploy.md)", request.remote_addr)


def trust_proxy_headers(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto from exactly PROXY_FIX_HOPS proxies (none by default).

    Applied outermost, so the client address (login limits, logs) and HTTPS (secure
    cookies, HSTS, CSRF's referrer check) are the proxy's word, and only when configured.
    """
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
