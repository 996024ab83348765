"""Rendered pages kept per worker, for the busiest page (the lesson page).

A key names everything the page shows: callers build it from the very rows the request
has just read (course revision, the learner's ticks, enrolment, language, menu shape,
...), so a change in the database gives a new key at once and a stale page is never
served; old entries simply age out. What differs between two learners with the same key
is only the CSRF token, stored as a slot and filled per request, as the site header does.

Bounded in bytes (PAGE_CACHE_BYTES, per worker process), least recently used out first,
so a worker's memory stays flat however many pages it serves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app
from flask_wtf.csrf import generate_csrf

TOKEN_SLOT = b"\x00csrf-token\x00"


class RenderedPages:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()  # the development server runs threads

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, page: bytes) -> None:
        if len(page) > self.max_bytes // 4:
            return  # one page must not push out most of the others
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._pages[key] = page
            self.size += len(page)
            while self.size > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0


def pages() -> RenderedPages:
    """This app's cache (tests build many apps in one process; each has its own)."""
    cache = current_app.extensions.get("lms_rendered_pages")
    if cache is None:
        cache = current_app.extensions["lms_rendered_pages"] = RenderedPages(current_app.config["PAGE_CACHE_BYTES"])
    return cache


def rendered(key: Hashable | None, render: Callable[[], str]) -> bytes:
    """The page for `key`, rendered by `render()` when not kept; None as key renders
    without keeping (a page with a flash message, say). The request's CSRF token goes in
    where the kept page has its slot."""
    if key is None or not current_app.config["PAGE_CACHE_BYTES"]:
        return render().encode()
    token = generate_csrf().encode()
    cache = pages()
    page = cache.get(key)
    if page is not None:
        return page.replace(TOKEN_SLOT, token)
    html = render().encode()
    cache.put(key, html.replace(token, TOKEN_SLOT))
    return html
