"""Two app servers (two gunicorn processes) on one PostgreSQL and one Redis: a session
started on one continues on the other, login limits are shared, and a quiz started on
one is submitted on the other. Runs when PostgreSQL and Redis answer on 127.0.0.1."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("SCALEOUT_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "scaleout_test"
REDIS = "redis://127.0.0.1:6379/15"


def reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


pytestmark = pytest.mark.skipif(not (reachable(5432) and reachable(6379)), reason="needs PostgreSQL and Redis on 127.0.0.1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def servers():
    import redis
    from sqlalchemy import create_engine, text

    engine = create_engine(PG)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    url = PG + ("&" if "?" in PG else "?") + f"options=-csearch_path%3D{SCHEMA}"
    redis.Redis.from_url(REDIS).flushdb()
    # Login limits in Redis here (the database store is tested with two app objects in
    # tests/functional/test_login_throttle.py); staff two-factor off as for a demo.
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "scale-out-shared-secret", "RATELIMIT_STORAGE_URI": REDIS,
           "THROTTLE_STORAGE_URI": REDIS, "REQUIRE_2FA_FOR_STAFF": "0"}
    setup = f"""
import sys; sys.path.insert(0, {str(ROOT)!r})
from lms import create_app
from lms.extensions import db
from lms.courses.importer import import_tree
from lms.domain.course_format import load_tree
from pathlib import Path
from tests.factories import make_hub, make_user
app = create_app()
with app.app_context():
    db.create_all()
    tree, problems = load_tree(Path({str(ROOT / 'courses')!r}), display_root=Path({str(ROOT)!r}))
    import_tree(tree)
    make_user(make_hub("kokshetau"), email="scale@example.org")
"""
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT)
    ports = [free_port(), free_port()]
    processes = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    deadline = time.time() + 30
    while not all(reachable(p) for p in ports):
        assert time.time() < deadline, "gunicorn did not start"
        time.sleep(0.2)
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for process in processes:
        process.terminate()
        process.wait(timeout=20)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_limits():
    """Each test starts with empty shared limit counters (they live in Redis, not in a server)."""
    import redis

    redis.Redis.from_url(REDIS).flushdb()


class Browser:
    """Cookies are per host, not per port: one jar serves both servers, as in a real browser."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, url):
        try:
            response = self.opener.open(url, timeout=10)
            return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def post(self, url, form_page_url, data):
        _status, page, _headers = self.get(form_page_url)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}, doseq=True).encode()
        request = urllib.request.Request(url, data=body, method="POST")
        try:
            response = self.opener.open(request, timeout=10)
            return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_session_started_on_one_server_continues_on_the_other(servers):
    a, b = servers
    browser = Browser()
    status, _body, _headers = browser.post(a + "/login", a + "/login", {"login": "scale@example.org", "password": "correct horse battery"})
    assert status == 302
    assert browser.get(b + "/dashboard")[0] == 200


def test_login_limits_are_shared_between_servers(servers):
    """15 wrong passwords over two servers of two workers each: five are checked, not twenty."""
    a, b = servers
    browser = Browser()
    codes = []
    for n in range(15):
        server = a if n % 2 == 0 else b
        codes.append(browser.post(server + "/login", server + "/login", {"login": "nobody@example.org", "password": "wrong one"})[0])
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}


def test_good_logins_from_one_address_are_not_limited(servers):
    """A school lab behind one address: successful logins are never counted."""
    a, b = servers
    for n in range(11):
        server = a if n % 2 == 0 else b
        status = Browser().post(server + "/login", server + "/login", {"login": "scale@example.org", "password": "correct horse battery"})[0]
        assert status == 302, n


def test_quiz_started_on_one_server_is_submitted_on_the_other(servers):
    a, b = servers
    browser = Browser()
    browser.post(a + "/login", a + "/login", {"login": "scale@example.org", "password": "correct horse battery"})
    browser.post(a + "/courses/unicef-mission/enrol", a + "/courses/unicef-mission", {})
    status, _body, headers = browser.post(a + "/courses/unicef-mission/quizzes/final/start", a + "/courses/unicef-mission/quizzes/final", {})
    assert status == 302
    attempt_path = urllib.parse.urlparse(headers["Location"]).path
    # One answer and "submit anyway": a blank form would not be graded.
    status, _body, headers = browser.post(b + attempt_path, b + attempt_path, {"q0": "0", "submit_unanswered": "1"})
    assert status == 303 and headers["Location"].endswith("/result")
    status, page, _headers = browser.get(b + attempt_path + "/result")
    assert status == 200 and "Your score" in page
