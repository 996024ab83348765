"""Memory of gunicorn workers under a mixed load: resident size (RSS) of each worker when it
has started (after its first request, so the imports a request pulls in are counted)
and after it has served REQUESTS_PER_WORKER mixed requests.

The same database as bench/learn_bench.py (the shipped courses, 2,000 volunteers with
progress, open quiz attempts), gunicorn 4 sync workers, wrk replaying logged-in
requests with a phone's Accept-Encoding: lesson pages (the kept-page and course-content
caches fill here, with the pages' compressed pieces), course pages, the catalogue, the
dashboard, certificates, quiz pages and quiz submissions.
Issue 21 asks that a worker stays within 20 MB of its start. Last line:
worker_rss_growth_mb=<largest growth of any worker> requests=<total served>

    .venv/bin/python bench/memory_bench.py [--per-worker 10000]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.learn_bench import (  # noqa: E402
    LUA,
    WRK_THREADS,
    bench_env,
    build_database,
    ensure_wrk,
    start_gunicorn,
    wait_for_port,
)

PORT = 5078
WORKERS = 4
BROWSER_ENCODINGS = "gzip, deflate, br"  # as phones send it: kept pages are held compressed too


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def mixed_lines(lesson_lines, submit_lines, rng: random.Random) -> list:
    """One logged-in request per line: the lesson replay, plus the other pages a learner opens."""
    mixed = []
    for method, path, state, body in lesson_lines:
        course_path = path.split("/lessons/")[0]
        mixed.append((method, path, state, body))
        mixed.append(("GET", rng.choice([course_path, "/courses", "/dashboard", "/certificates"]), state, ""))
    mixed.extend(submit_lines[: len(lesson_lines)])  # one submission for each lesson page, as before
    rng.shuffle(mixed)
    return mixed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-worker", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    env = bench_env(tmp)
    lesson_lines, submit_lines, cookie_lines = build_database(env)
    lines = mixed_lines(lesson_lines, submit_lines, random.Random(11))
    (tmp / "replay.lua").write_text(LUA)
    server = start_gunicorn(env, PORT, WORKERS)
    try:
        wait_for_port(PORT)
        base = f"http://127.0.0.1:{PORT}"
        # Every worker serves a few requests first: "start" is a worker that has imported
        # what a request needs, not the bare fork.
        (tmp / "mixed.tsv").write_text(cookie_lines(lines))
        replay = ["-s", str(tmp / "replay.lua"), base + "/", "--", str(tmp / "mixed.tsv"), BROWSER_ENCODINGS,
                  str(WRK_THREADS)]
        subprocess.run([wrk, f"-t{WRK_THREADS}", f"-c{WORKERS * 2}", "-d1s", *replay], capture_output=True, check=True)
        pids = worker_pids(server.pid)
        start = {pid: rss_mb(pid) for pid in pids}
        target, served, statuses = args.per_worker * len(pids), 0, 0
        began = time.time()
        while served < target:
            (tmp / "mixed.tsv").write_text(cookie_lines(lines))  # login times stay current
            output = subprocess.run(
                [wrk, f"-t{WRK_THREADS}", f"-c{args.connections}", "-d5s", *replay],
                capture_output=True, text=True, check=True).stdout
            served += int(re.search(r"(\d+) requests in", output).group(1))
            statuses += int(re.search(r"non2xx=(\d+)", output).group(1))
        elapsed = time.time() - began
        if worker_pids(server.pid) != pids:
            raise SystemExit("a worker was replaced during the run: its memory cannot be compared")
        end = {pid: rss_mb(pid) for pid in pids}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"gunicorn {WORKERS} sync workers, {env['DATABASE_URL'].split(':')[0]}, {served} mixed requests in "
          f"{elapsed:.0f} s (non-2xx/3xx: {statuses})")
    for pid in pids:
        print(f"worker {pid}: {start[pid]:6.1f} MB at start -> {end[pid]:6.1f} MB  (+{end[pid] - start[pid]:.1f})")
    growth = max(end[pid] - start[pid] for pid in pids)
    print(f"worker_rss_growth_mb={growth:.1f} requests={served}")


if __name__ == "__main__":
    main()
