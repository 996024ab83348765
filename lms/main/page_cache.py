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
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()  # the development server runs threads

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value, size: int) -> None:
        if size > self.max_bytes // 4:
            return  # one page must not push out most of the others
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, size)
            self.size += size
            while self.size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


def pages() -> RenderedPages:
    """This app's cache (tests build many apps in one process; each has its own)."""
    cache = current_app.extensions.get("lms_rendered_pages")
    if cache is None:
        cache = current_app.extensions["lms_rendered_pages"] = RenderedPages(current_app.config["PAGE_CACHE_BYTES"])
    return cache


def rendered(key: Hashable | None, render: Callable[[], str],
             shared: tuple[Hashable, Callable[[], str]] | None = None,
             slots: dict[bytes, bytes] | None = None) -> bytes:
    """The page for `key`, rendered by `render()` when not kept; None as key renders
    without keeping (a page with a flash message, say). The request's CSRF token goes in
    where the kept page has its slot.

    `shared`: (its own key, a function giving its text) of a part the page shows verbatim
    and many pages share (a lesson's body, over half of its page): kept once, not once
    per page. The function is only called when the page is rendered.

    `slots`: marker -> this request's text, for parts that differ between requests with
    the same key (the learner's contents list): `render()` puts each marker where its
    text goes; the page is kept with the markers and filled per request."""
    slots = slots or {}
    if key is None or not current_app.config["PAGE_CACHE_BYTES"]:
        return _filled(render().encode(), slots)
    token = generate_csrf().encode()
    cache = pages()
    kept = cache.get(key)
    if kept is not None:
        head, part_key, tail = kept
        part = b"" if part_key is None else cache.get(part_key)
        if part is not None:
            cache.hits += 1
            return _filled(head.replace(TOKEN_SLOT, token), slots) + part + _filled(tail.replace(TOKEN_SLOT, token), slots)
    cache.misses += 1
    html = render().encode()
    page = html.replace(token, TOKEN_SLOT)
    part_key, part = None, b""
    if shared is not None:
        part_key, part = ("shared", shared[0]), shared[1]().encode()
    head, found, tail = page.partition(part) if part else (page, b"", b"")
    if not found or any(head.count(slot) + tail.count(slot) != page.count(slot) for slot in (TOKEN_SLOT, *slots)):
        # Not shown verbatim after all, or it would cut a slot: keep the page whole.
        head, tail, part_key = page, b"", None
    if part_key is not None:
        cache.put(part_key, part, len(part))
    cache.put(key, (head, part_key, tail), len(head) + len(tail))
    return _filled(html, slots)


def _filled(html: bytes, slots: dict[bytes, bytes]) -> bytes:
    for slot, text in slots.items():
        html = html.replace(slot, text)
    return html
