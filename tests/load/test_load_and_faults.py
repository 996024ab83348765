"""Short runs of bench/load.py: under load, with a worker killed, and across a restart,
every acknowledged submission is stored exactly once, with no 5xx and no lock errors."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(*flags: str, database_url: str | None = None) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_TEST_URL")}
    if database_url:
        env.update(DATABASE_URL=database_url, LOAD_TEST_WIPE="1")
    result = subprocess.run([sys.executable, "bench/load.py", "--volunteers", "10", "--seconds", "8", *flags],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", last)}


def check(figures: dict[str, int]) -> None:
    assert figures["acknowledged"] > 0
    assert figures["stored"] == figures["acknowledged"]
    assert figures["duplicates"] == 0 and figures["errors_5xx"] == 0 and figures["locked"] == 0


@pytest.mark.parametrize("flags", [(), ("--kill-worker",), ("--restart",)], ids=["load", "kill-worker", "restart"])
def test_load_on_sqlite(flags):
    check(run(*flags))


def pg_reachable() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 5432)) == 0


@pytest.mark.skipif(not pg_reachable(), reason="PostgreSQL is not reachable on 127.0.0.1:5432")
def test_load_with_a_killed_worker_on_postgresql():
    from sqlalchemy import create_engine, text

    engine = create_engine(PG)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS load_test CASCADE"))
        conn.execute(text("CREATE SCHEMA load_test"))
    try:
        check(run("--kill-worker", database_url=PG + "?options=-csearch_path%3Dload_test"))
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS load_test CASCADE"))
        engine.dispose()
