"""Dates a test module builds its data around, read again before each of its tests.

The app reads the clock when it runs. A module constant read at import time went stale
when a run crossed midnight: rows made after midnight fell outside "today's" period, and
three report tests failed (a fresh-clone run at 23:59).
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import pytest


def read_per_test(module_name: str):
    """An autouse fixture setting the module's TODAY (and NOW, if it has one) before each test:
    `_clock = read_per_test(__name__)`."""

    @pytest.fixture(autouse=True)
    def clock(monkeypatch):
        module = sys.modules[module_name]
        monkeypatch.setattr(module, "TODAY", date.today())
        if hasattr(module, "NOW"):
            monkeypatch.setattr(module, "NOW", datetime.now().replace(microsecond=0))

    return clock
