"""The site through nginx over HTTPS, as deployed: TLS, the proxy headers the app believes,
CSRF's HTTPS referrer check, static files, and an access log without tokens.
The journeys themselves (test_journeys.py, test_authoring.py ...) run over this same setup."""

from __future__ import annotations

import gzip
import http.cookiejar
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def tls(live_server):
    if not live_server["over_tls"]:
        pytest.skip("nginx is not installed (Debian package 'nginx'); scripts/test installs it where it can")
    return live_server


class Client:
    """urllib with cookies, no redirects followed, trusting the test's certificate."""

    def __init__(self, cafile):
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context), _NoRedirect())

    def open(self, url, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()
        return response.status, response.headers, response.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _token(page: bytes) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.decode()).group(1)


def test_pages_come_over_tls_from_nginx_with_the_security_headers(tls, page):
    response = page.goto(tls["url"] + "/login")
    assert response.ok and page.url.startswith("https://")
    headers = response.headers
    assert headers["server"].startswith("nginx")
    assert headers["strict-transport-security"].startswith("max-age=")  # the app saw HTTPS via the proxy
    assert headers["referrer-policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])  # nginx's id, passed on and kept


def test_a_browser_logs_in_over_https_with_csrf_on(tls, page):
    page.goto(tls["url"] + "/login")
    page.fill("#login", tls["emails"]["volunteer"])
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    assert page.url == tls["url"] + "/dashboard"
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["secure"] and cookie["httpOnly"]


def test_a_form_without_a_same_site_referer_is_refused_over_https(tls, tls_certificate):
    client = Client(tls_certificate["cert"])
    status, _headers, body = client.open(tls["url"] + "/login")
    form = {"login": tls["emails"]["trainer"], "password": PASSWORD, "csrf_token": _token(body)}
    assert client.open(tls["url"] + "/login", form)[0] == 400  # no Referer
    assert client.open(tls["url"] + "/login", form, {"Referer": "https://evil.example/login"})[0] == 400
    status, headers, _body = client.open(tls["url"] + "/login", form, {"Referer": tls["url"] + "/login"})
    assert status == 302 and headers["Location"] == "/dashboard"


def test_another_host_name_is_refused(tls, tls_certificate):
    client = Client(tls_certificate["cert"])
    status, _headers, _body = client.open(tls["url"] + "/login", headers={"Host": "evil.example"})
    assert status == 400


def test_plain_http_moves_to_https(tls):
    status, headers, _body = Client(None).open(tls["http_url"] + "/login")
    assert status == 301 and headers["Location"].startswith("https://127.0.0.1")


def test_static_files_come_from_nginx_compressed(tls, tls_certificate):
    client = Client(tls_certificate["cert"])
    status, headers, body = client.open(tls["url"] + "/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(body)
    assert "max-age=604800" in headers["Cache-Control"]


def test_the_access_log_masks_reset_tokens_and_carries_request_ids(tls, tls_certificate):
    client = Client(tls_certificate["cert"])
    secret = "AbCdEf0123456789-secret-token-value"
    status, headers, _body = client.open(tls["url"] + f"/reset/{secret}")
    assert status == 404
    deadline = time.time() + 5
    while True:  # nginx writes the line after the response has gone
        log = (tls["folder"] / "lms.access.log").read_text()
        if headers["X-Request-ID"] in log or time.time() > deadline:
            break
        time.sleep(0.1)
    assert secret not in log and "/reset/[token]" in log
    assert f"id={headers['X-Request-ID']}" in log


def test_a_kept_lesson_page_reaches_the_browser_gzipped_through_nginx(tls, page):
    """The lesson page's gzip stream is joined from pieces (lms/main/page_cache.py): Chromium
    over TLS, through nginx, must unpack and show it, both as rendered and as kept."""
    page.goto(tls["url"] + "/login")
    page.fill("#login", tls["emails"]["volunteer"])
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.goto(tls["url"] + "/courses/bekind")
    if page.locator("form[action$='/enrol'] button").count():
        page.click("form[action$='/enrol'] button")
    url = tls["url"] + "/courses/bekind/lessons/cyberbullying"
    page.goto(url)  # may carry a message, and so not be kept
    for _view in range(2):  # rendered and kept, then from the kept pieces
        response = page.goto(url)
        assert response.status == 200 and response.headers.get("content-encoding") == "gzip"
        assert page.locator("main h1").count() and page.locator("form.mark-done button").count()
        assert page.locator("input[name=csrf_token]").first.input_value()  # the request's own token, filled in
