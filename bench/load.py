"""Load and fault test: simulated volunteers do the whole flow against gunicorn (4 workers),
then the database is checked: every submission a client got a success for is stored
exactly once; no 5xx; no "database is locked".

    .venv/bin/python bench/load.py [--volunteers 20] [--seconds 20] [--kill-worker] [--restart]

--kill-worker sends SIGKILL to one gunicorn worker halfway; --restart stops and starts the
whole server halfway. Uses a new SQLite file by default, or DATABASE_URL (e.g. PostgreSQL;
it is emptied first, so LOAD_TEST_WIPE=1 must confirm).
Last line: acknowledged=<n> stored=<n> duplicates=<n> errors_5xx=<n> locked=<n>
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "correct horse battery"  # noqa: S105 - the generated test accounts' password


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Volunteer:
    def __init__(self, base: str, email: str, stats: dict, lock: threading.Lock):
        self.base, self.email, self.stats, self.lock = base, email, stats, lock
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
        self.acknowledged: list[int] = []
        self.token = ""

    def call(self, step: str, path: str, data: dict | None = None):
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST" if data is not None else "GET")
        start = time.perf_counter()
        try:
            response = self.opener.open(request, timeout=30)
            status, text, headers = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode(errors="replace"), error.headers
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            status, text, headers = 0, "", {}
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.stats["latency"][step].append(elapsed)
            self.stats["status"][status] += 1
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text)
        if match:
            self.token = match.group(1)
        return status, text, headers

    def run(self, deadline: float, courses: list[tuple[str, list[str]]]) -> None:
        self.call("login page", "/login")
        status, _t, _h = self.call("login", "/login", {"login": self.email, "password": PASSWORD})
        if status != 302:
            return
        for slug, lessons in courses:
            if time.time() > deadline:
                return
            self.call("course", f"/courses/{slug}")
            self.call("enrol", f"/courses/{slug}/enrol", {})
            for lesson in lessons[:2]:
                self.call("lesson", f"/courses/{slug}/lessons/{lesson}")
                self.call("mark done", f"/courses/{slug}/lessons/{lesson}/done", {})
            for _ in range(3):
                if time.time() > deadline:
                    return
                self.call("quiz page", f"/courses/{slug}/quizzes/final")
                status, _t, headers = self.call("start quiz", f"/courses/{slug}/quizzes/final/start", {})
                location = headers.get("Location", "") if headers else ""
                attempt = re.search(r"/attempts/(\d+)$", location)
                if not attempt:
                    break
                self.call("attempt page", f"/attempts/{attempt.group(1)}")
                # Two answers and "submit anyway": unanswered questions alone would send the form back ungraded.
                status, _t, _h = self.call("submit", f"/attempts/{attempt.group(1)}",
                                           {"q0": "0", "q1": "1", "submit_unanswered": "1"})
                if status == 303:
                    self.acknowledged.append(int(attempt.group(1)))


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def start_server(env: dict, port: int, log) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "4", "-b", f"127.0.0.1:{port}",
         "--graceful-timeout", "5", "wsgi:app"], env=env, cwd=ROOT, stdout=log, stderr=log)
    wait_for(port)
    return process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--restart", action="store_true")
    args = parser.parse_args()

    if os.environ.get("DATABASE_URL") and os.environ.get("LOAD_TEST_WIPE") != "1":
        sys.exit("DATABASE_URL is set: this test empties that database first. Set LOAD_TEST_WIPE=1 to confirm.")
    tmp = Path(tempfile.mkdtemp(prefix="load-"))
    env = {**os.environ, "SECRET_KEY": "load-test", "RATELIMIT_STORAGE_URI": "memory://",
           "LOGIN_RATE_LIMIT": "100000 per minute",
           "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'load.sqlite3'}"}
    os.environ.update(env)
    from sqlalchemy import func, select

    from lms import create_app
    from lms.courses.importer import import_tree
    from lms.courses.models import Course, Lesson
    from lms.domain.course_format import load_tree
    from lms.extensions import db
    from lms.learning.models import AttemptAnswer, QuizAttempt
    from tests.factories import make_hub, make_user

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        tree, problems = load_tree(ROOT / "courses", display_root=ROOT)
        assert not problems
        import_tree(tree)
        hub = make_hub("load-hub")
        emails = [make_user(hub, email=f"load{n}@example.org", password=PASSWORD).email for n in range(args.volunteers)]
        courses = [(c.slug, db.session.scalars(select(Lesson.slug).where(Lesson.course_id == c.id).order_by(Lesson.position)).all())
                   for c in db.session.scalars(select(Course).order_by(Course.slug))]
        db.session.remove()
        db.engine.dispose()

    port = free_port()
    log_path = tmp / "server.log"
    log = open(log_path, "w")  # noqa: SIM115 - kept open for the servers' lifetime
    server = start_server(env, port, log)
    stats = {"latency": defaultdict(list), "status": defaultdict(int)}
    lock = threading.Lock()
    deadline = time.time() + args.seconds
    clients = [Volunteer(f"http://127.0.0.1:{port}", email, stats, lock) for email in emails]
    threads = []
    for index, client in enumerate(clients):
        rotated = courses[index % len(courses):] + courses[: index % len(courses)]
        thread = threading.Thread(target=client.run, args=(deadline, rotated))
        thread.start()
        threads.append(thread)
    start = time.time()
    if args.kill_worker or args.restart:
        time.sleep(args.seconds / 2)
        if args.kill_worker:
            workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
            if workers:
                os.kill(int(workers[0]), signal.SIGKILL)
                print(f"killed worker {workers[0]}")
        if args.restart:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            server = start_server(env, port, log)
            print("server restarted")
    for thread in threads:
        thread.join()
    elapsed = time.time() - start
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    log.close()

    total = sum(len(v) for v in stats["latency"].values())
    print(f"{args.volunteers} volunteers, {elapsed:.1f} s, {total} requests, {total / elapsed:.0f} req/s, "
          f"{env['DATABASE_URL'].split(':')[0]}")
    for step, values in stats["latency"].items():
        ordered = sorted(values)
        print(f"  {step:<13} n={len(ordered):5d}  p50 {statistics.median(ordered):7.1f} ms  "
              f"p95 {percentile(ordered, 0.95):7.1f} ms  p99 {percentile(ordered, 0.99):7.1f} ms")
    acknowledged = sorted(a for c in clients for a in c.acknowledged)
    with app.app_context():
        graded = {row[0]: row[1] for row in db.session.execute(
            select(QuizAttempt.id, QuizAttempt.status).where(QuizAttempt.id.in_(acknowledged)))}
        answers = dict(db.session.execute(
            select(AttemptAnswer.attempt_id, func.count()).where(AttemptAnswer.attempt_id.in_(acknowledged))
            .group_by(AttemptAnswer.attempt_id)).all())
        sizes = {row[0]: len(row[1]) for row in db.session.execute(
            select(QuizAttempt.id, QuizAttempt.snapshot).where(QuizAttempt.id.in_(acknowledged)))}
        open_twice = db.session.scalar(select(func.count()).select_from(
            select(QuizAttempt.user_id, QuizAttempt.quiz_id).where(QuizAttempt.status == "open")
            .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id).having(func.count() > 1).subquery()))
    stored = sum(1 for a in acknowledged if graded.get(a) == "graded" and answers.get(a) == sizes.get(a))
    duplicates = len(acknowledged) - len(set(acknowledged)) + sum(1 for a in set(acknowledged) if answers.get(a, 0) > sizes.get(a, 0)) + open_twice
    errors_5xx = sum(n for status, n in stats["status"].items() if status >= 500)
    locked = log_path.read_text(errors="replace").count("database is locked")
    print(f"status counts: {dict(sorted(stats['status'].items()))}")
    print(f"acknowledged={len(acknowledged)} stored={stored} duplicates={duplicates} errors_5xx={errors_5xx} locked={locked}")


if __name__ == "__main__":
    main()
