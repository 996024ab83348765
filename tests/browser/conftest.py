"""A real server and headless Chromium (Debian's package, driven by Playwright).

The test command installs Chromium when it can; where no browser is available these
tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lms import create_app
from lms.courses.importer import import_tree
from lms.domain.course_format import load_tree
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'); scripts/test installs it where it can")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app under gunicorn on 127.0.0.1, with the shipped courses and one account per role.

    The test reads the same SQLite file through its own app object (`live_app_db`).
    """
    folder = tmp_path_factory.mktemp("live")
    settings = {"DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}", "SECRET_KEY": "browser-tests",
                "LOGIN_RATE_LIMIT": "1000 per minute"}
    app = create_app({"SQLALCHEMY_DATABASE_URI": settings["DATABASE_URL"], "SECRET_KEY": settings["SECRET_KEY"]})
    with app.app_context():
        db.create_all()
        tree, problems = load_tree(ROOT / "courses", display_root=ROOT)
        assert not problems
        import_tree(tree)
        from tests.factories import make_hub, make_user

        hub = make_hub("kokshetau", name="Kokshetau Volunteer Hub")
        users = {role: make_user(hub, roles=(role,), email=f"{role}@browser.example.org", name=f"Test {role.title()}")
                 for role in ("volunteer", "trainer", "coordinator", "admin")}
        emails = {role: user.email for role, user in users.items()}
        db.session.remove()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **settings}
    env.pop("DATABASE_TEST_URL", None)
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2", "-b", f"127.0.0.1:{port}",
         "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.time() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert time.time() < deadline and server.poll() is None, (folder / "gunicorn.log").read_text()[-2000:]
        time.sleep(0.1)
    yield {"url": f"http://127.0.0.1:{port}", "emails": emails, "app": app}
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture
def live_app_db(live_server):
    """Read the live server's database from the test (a context manager giving `db`)."""
    from contextlib import contextmanager

    @contextmanager
    def opened():
        with live_server["app"].app_context():
            yield db
            db.session.remove()

    return opened


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    yield tab
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
