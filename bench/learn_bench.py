"""Requests/s and latency of a logged-in lesson page and of a quiz submission, against a
trivial 10 KB route of the same app, in one run, under gunicorn (4 sync workers) and wrk.

Builds a fresh SQLite database in a temporary folder (or uses DATABASE_URL): the shipped
courses, 2,000 volunteers with realistic progress, and an open attempt on every course's
final quiz for every volunteer (14,000), so that every submission grades a different
attempt; each wrk thread replays its own share of them, and the run reports how many
submissions it sent against how many attempts were graded (a repeat would be answered
without grading, and flatter the figure). `--accept-encoding "gzip, deflate, br"` sends
what browsers send, so that pages go out compressed as users get them.
Trivial and lesson pages are measured in alternating short slices (the machine's speed
drifts), and cookies are signed just before each slice, as a logged-in browser holds them.
The last two lines are `lesson_vs_trivial=<a/c>` and `submit_vs_trivial=<b/c>`.

    .venv/bin/python bench/learn_bench.py [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VOLUNTEERS = 2000
ROUND_SECONDS = 2
PORT = 5077
USER_AGENT = "lms-bench"
WRK_THREADS = 2


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (Debian package)...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk")


def build_database(env: dict) -> tuple[list[str], list[str]]:
    """Returns (lesson request lines, submission request lines) for wrk's Lua script."""
    os.environ.update(env)
    import flask_login.utils as login_utils
    from flask import session
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import insert, select

    from lms import create_app
    from lms.auth.models import User
    from lms.courses.importer import import_tree
    from lms.courses.models import Course, Lesson, Quiz
    from lms.domain.course_format import load_tree
    from lms.extensions import db
    from lms.hubs.models import Hub
    from lms.learning import services
    from lms.learning.models import Enrolment, LessonProgress

    app = create_app()
    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        tree, problems = load_tree(ROOT / "courses", display_root=ROOT)
        assert not problems, problems
        import_tree(tree)
        hub = Hub(slug="kokshetau", name="Kokshetau Hub", region="Akmola")
        db.session.add(hub)
        db.session.commit()
        db.session.execute(insert(User), [
            {"name": f"Volunteer {n}", "email": f"v{n}@bench.example.org", "hub_id": hub.id, "roles_text": "volunteer",
             "locale": rng.choice(["kk", "ru", "en"]), "active": True, "session_version": 1}
            for n in range(VOLUNTEERS)
        ])
        db.session.commit()
        users = db.session.scalars(select(User).order_by(User.id)).all()
        courses = db.session.scalars(select(Course)).all()
        lessons = {c.id: db.session.scalars(select(Lesson).where(Lesson.course_id == c.id).order_by(Lesson.position)).all() for c in courses}
        enrolments, progress = [], []
        for user in users:
            for course in rng.sample(courses, rng.randint(1, 3)):
                enrolments.append({"user_id": user.id, "course_id": course.id})
                for lesson in lessons[course.id][: rng.randint(0, len(lessons[course.id]))]:
                    progress.append({"user_id": user.id, "lesson_id": lesson.id})
        db.session.execute(insert(Enrolment), enrolments)
        db.session.execute(insert(LessonProgress), progress)
        db.session.commit()
        print(f"database: {len(users)} volunteers, {len(enrolments)} enrolments, {len(progress)} lessons done", flush=True)

        serializer = app.session_interface.get_signing_serializer(app)
        by_course = {c.id: c for c in courses}
        quizzes = {q.course_id: q for q in db.session.scalars(select(Quiz).where(Quiz.slug == "final"))}
        logged_in = {}
        for user in users:
            # A fresh app context each time: Flask-WTF caches the token in `g`.
            with app.app_context(), app.test_request_context(
                "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
            ):
                # As a real login leaves it: user, freshness and Flask-Login's client identifier
                # (login times are stamped when the cookies are written, see `cookie_lines`).
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                session["_id"] = login_utils._create_identifier()
                token = generate_csrf()
                logged_in[user.id] = (dict(session), token)
        lesson_lines, submit_lines = [], []
        for enrolment in enrolments:
            course = by_course[enrolment["course_id"]]
            lesson = rng.choice(lessons[course.id])
            lesson_lines.append(("GET", f"/courses/{course.slug}/lessons/{lesson.slug}",
                                 logged_in[enrolment["user_id"]][0], ""))
        # An open attempt on every course's final quiz for every volunteer (enrolled in the
        # courses they had not chosen only for this): more attempts than a fast machine
        # submits in the slice, so every submission grades an attempt for the first time.
        enrolled = {(e["user_id"], e["course_id"]) for e in enrolments}
        db.session.execute(insert(Enrolment), [{"user_id": user.id, "course_id": course.id}
                                               for user in users for course in courses
                                               if (user.id, course.id) not in enrolled])
        db.session.commit()
        for user in users:
            state, token = logged_in[user.id]
            for course in courses:
                attempt = services.start_attempt(user, course, quizzes[course.id], user.locale or "en", rng=rng)
                answers = "&".join(f"q{i}={rng.randint(0, 2)}" for i in range(len(attempt.questions)))
                submit_lines.append(("POST", f"/attempts/{attempt.id}", state, f"csrf_token={token}&{answers}"))
        rng.shuffle(lesson_lines)
        rng.shuffle(submit_lines)
        print(f"prepared {len(submit_lines)} open attempts", flush=True)

    def cookie_lines(entries) -> str:
        """Request lines with session cookies signed now, as a browser holds them after logging
        in: `_auth_at`/`_seen_at` current, so the app rewrites the cookie at most once a minute
        (wrk replays a cookie unchanged; a stale `_seen_at` would rewrite it on every request)."""
        now = int(time.time())
        return "".join(
            f"{method}\t{path}\t{serializer.dumps(state | {'_auth_at': now, '_seen_at': now})}\t{body}\n"
            for method, path, state, body in entries
        )

    return lesson_lines, submit_lines, cookie_lines


LUA = r"""
-- Each of wrk's threads replays its own share of the lines, so two threads never send the
-- same submission (a repeat is answered without grading, and would flatter the figure).
local lines = {}
local index = 0
local encoding = ""
local threads = 0
setup = function(thread)
  thread:set("share", threads)
  threads = threads + 1
end
init = function(args)
  encoding = args[2] or ""
  local count = tonumber(args[3]) or 1
  local n = 0
  for line in io.lines(args[1]) do
    if n % count == share then
      local method, path, cookie, body = line:match("^(%S+)\t(%S+)\t(%S+)\t(.*)$")
      table.insert(lines, {method, path, cookie, body})
    end
    n = n + 1
  end
  index = math.random(#lines)
end
request = function()
  index = index % #lines + 1
  local r = lines[index]
  local headers = {["Cookie"] = "session=" .. r[3], ["User-Agent"] = "lms-bench"}
  if encoding ~= "" then headers["Accept-Encoding"] = encoding end
  if r[1] == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(r[1], r[2], headers, r[4] ~= "" and r[4] or nil)
end
done = function(summary, latency, requests)
  io.write(string.format("LATENCY p50=%.2f p99=%.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("STATUS errors=%d non2xx=%d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""


def run_wrk(wrk: str, url: str, seconds: int, connections: int, script: Path | None = None, data: Path | None = None,
            encoding: str = "") -> dict:
    command = [wrk, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    elif encoding:
        command += ["-H", f"Accept-Encoding: {encoding}"]
    command.append(url)
    if data is not None:
        command += ["--", str(data), encoding, str(WRK_THREADS)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    p50 = p99 = None
    if script is not None:
        match = re.search(r"LATENCY p50=([\d.]+) p99=([\d.]+)", output)
        p50, p99 = float(match.group(1)), float(match.group(2))
        non2xx = int(re.search(r"non2xx=(\d+)", output).group(1))
    else:
        p50 = _latency(output, "50%")
        p99 = _latency(output, "99%")
        non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": non2xx, "requests": requests}


def combined(runs: list[dict]) -> dict:
    """Equal-length slices: mean requests/s, median p50, worst p99, all non-2xx."""
    p50s = sorted(run["p50"] for run in runs)
    return {"rps": sum(run["rps"] for run in runs) / len(runs), "p50": p50s[len(p50s) // 2],
            "p99": max(run["p99"] for run in runs), "non2xx": sum(run["non2xx"] for run in runs)}


def _latency(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", output)
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def graded_attempts() -> int:
    """Attempts graded so far, in the bench's database (its settings are in os.environ)."""
    from sqlalchemy import func, select

    from lms import create_app
    from lms.extensions import db
    from lms.learning.models import QuizAttempt

    app = create_app()
    with app.app_context():
        graded = db.session.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.status != "open"))
        db.engine.dispose()
    return graded


def bench_env(tmp: Path) -> dict:
    """The benches' app settings: DATABASE_URL if given, else a fresh SQLite file in `tmp`."""
    return {
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """The bench app (bench/bench_wsgi.py) under gunicorn with the project's settings."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning", "bench.bench_wsgi:app"],
        env={**os.environ, **env}, cwd=ROOT,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    # What browsers send (phones over HTTPS: "gzip, deflate, br"): the pages then go out
    # compressed, as users get them. Default: none, as the figures in the issue were taken.
    parser.add_argument("--accept-encoding", default="", metavar="CODINGS")
    args = parser.parse_args()
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="learn-bench-"))
    env = bench_env(tmp)
    lesson_lines, submit_lines, cookie_lines = build_database(env)
    (tmp / "replay.lua").write_text(LUA)
    server = start_gunicorn(env, PORT, workers=4)
    try:
        wait_for_port(PORT)
        base = f"http://127.0.0.1:{PORT}"
        run_wrk(wrk, base + "/_bench/trivial", 2, args.connections)  # warm-up
        (tmp / "lessons.tsv").write_text(cookie_lines(lesson_lines))
        run_wrk(wrk, base + "/", 2, args.connections, tmp / "replay.lua", tmp / "lessons.tsv")
        # Trivial and lesson pages alternate in short slices: this machine's speed drifts by
        # tens of percent within a minute, and one long slice each would measure the drift.
        slices = max(1, args.seconds // ROUND_SECONDS)
        trivial_runs, lesson_runs = [], []
        for _ in range(slices):
            trivial_runs.append(run_wrk(wrk, base + "/_bench/trivial", ROUND_SECONDS, args.connections,
                                        encoding=args.accept_encoding))
            (tmp / "lessons.tsv").write_text(cookie_lines(lesson_lines))
            lesson_runs.append(run_wrk(wrk, base + "/", ROUND_SECONDS, args.connections, tmp / "replay.lua",
                                       tmp / "lessons.tsv", encoding=args.accept_encoding))
        trivial, lesson = combined(trivial_runs), combined(lesson_runs)
        (tmp / "submits.tsv").write_text(cookie_lines(submit_lines))
        submit = run_wrk(wrk, base + "/", args.seconds, args.connections, tmp / "replay.lua", tmp / "submits.tsv",
                         encoding=args.accept_encoding)
        graded = graded_attempts()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"gunicorn 4 sync workers, wrk -t2 -c{args.connections}, {env['DATABASE_URL'].split(':')[0]}; trivial and lesson "
          f"{args.seconds}s each in alternating {ROUND_SECONDS}s slices, submissions {args.seconds}s"
          + (f", Accept-Encoding: {args.accept_encoding}" if args.accept_encoding else ""))
    for name, figures in (("trivial 10 KB", trivial), ("lesson page", lesson), ("quiz submit", submit)):
        print(f"{name:<14} {figures['rps']:8.0f} req/s  p50 {figures['p50']:6.2f} ms  p99 {figures['p99']:6.2f} ms  non-2xx/3xx {figures['non2xx']}")
    print(f"quiz submissions: {submit['requests']} sent, {graded} attempts graded")
    if graded < submit["requests"]:
        print("warning: some submissions repeated an attempt already graded (answered without grading): "
              "the submission figure is flattered; prepare more attempts")
    print(f"lesson_vs_trivial={lesson['rps'] / trivial['rps']:.3f}")
    print(f"submit_vs_trivial={submit['rps'] / trivial['rps']:.3f}")


if __name__ == "__main__":
    main()
