"""Rendered pages kept per worker, for the busiest page (the lesson page).

A key names everything the page shows: callers build it from the very rows the request
has just read (course revision, the learner's ticks, enrolment, language, menu shape,
...), so a change in the database gives a new key at once and a stale page is never
served; old entries simply age out. What differs between two learners with the same key
is only the CSRF token, stored as a slot and filled per request, as the site header does.

Bounded in bytes (PAGE_CACHE_BYTES, per worker process), least recently used out first,
so a worker's memory stays flat however many pages it serves.

Browsers take gzip (every phone sends "Accept-Encoding: gzip, deflate, br"), and compressing
a 16 KB lesson page per request cost 0.4-0.45 ms, a third of the request. A kept page is
therefore cut at its slots, and each fixed piece is compressed once, on its own (raw deflate
blocks ending on a byte boundary); a request compresses only its own small parts and joins
the pieces into one gzip stream, whose checksum runs over the plain text (microseconds).
"""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import NamedTuple

from flask import current_app, request
from flask_wtf.csrf import generate_csrf

TOKEN_SLOT = b"\x00csrf-token\x00"
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name or time, unknown system
_LAST_BLOCK = b"\x03\x00"  # an empty final block (fixed codes) ends the deflate stream
_STORED_UP_TO = 256  # a slot this short (the CSRF token) goes in stored, not compressed


class Page(NamedTuple):
    body: bytes
    encoding: str | None  # "gzip", or None for plain text


class _Text:
    """Kept text cut at its slots: fixed pieces at even positions, slot markers between.
    Each fixed piece's deflated form is made the first time a browser taking gzip asks."""

    __slots__ = ("pieces", "deflated")

    def __init__(self, text: bytes, markers: tuple[bytes, ...]) -> None:
        self.pieces = tuple(_splitter(markers).split(text)) if markers else (text,)
        self.deflated: tuple[bytes, ...] | None = None

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces)) + sum(map(len, self.deflated or ()))

    def plain(self, fills: dict[bytes, bytes]) -> bytes:
        pieces = list(self.pieces)
        for index in range(1, len(pieces), 2):
            pieces[index] = fills[pieces[index]]
        return b"".join(pieces)

    def deflate(self, level: int) -> bool:
        """Compress the fixed pieces, once; True when this call did (the entry grew)."""
        if self.deflated is not None:
            return False
        self.deflated = tuple(b"" if index % 2 else _deflated(piece, level) for index, piece in enumerate(self.pieces))
        return True


_NO_PART = _Text(b"", ())  # a page kept whole: nothing shared between its head and tail


@lru_cache(maxsize=16)
def _splitter(markers: tuple[bytes, ...]) -> re.Pattern:
    return re.compile(b"(" + b"|".join(re.escape(marker) for marker in markers) + b")")


def _deflated(text: bytes, level: int) -> bytes:
    """`text` as raw deflate blocks that end on a byte boundary and refer back to nothing
    before their start, so they can stand between any others in one stream."""
    if not text:
        return b""
    if len(text) <= _STORED_UP_TO:
        # A stored block: a header byte (not final, stored), the length and its complement.
        return b"\x00" + struct.pack("<HH", len(text), len(text) ^ 0xFFFF) + text
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _gzip(texts: list[_Text], fills: dict[bytes, bytes]) -> bytes:
    out, checksum, size = [GZIP_HEADER], 0, 0
    for text in texts:
        for index, piece in enumerate(text.pieces):
            if index % 2:
                plain = fills[piece]
                out.append(_deflated(plain, 1))  # per request: the fastest level
            else:
                plain = piece
                out.append(text.deflated[index])
            checksum = zlib.crc32(plain, checksum)
            size += len(plain)
    out.append(_LAST_BLOCK)
    out.append(struct.pack("<II", checksum, size & 0xFFFFFFFF))
    return b"".join(out)


def takes_gzip() -> bool:
    """Whether this response may go out gzipped: the browser takes it and the app compresses
    pages with it (Flask-Compress settings)."""
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return False
    config = current_app.config
    return ("gzip" in (config.get("COMPRESS_ALGORITHM") or ()) and "text/html" in (config.get("COMPRESS_MIMETYPES") or ())
            and request.accept_encodings["gzip"] > 0)


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


def page(key: Hashable | None, render: Callable[[], str],
         shared: tuple[Hashable, Callable[[], str]] | None = None,
         slots: dict[bytes, bytes] | None = None, *, gzip: bool | None = None) -> Page:
    """The page for `key`, rendered by `render()` when not kept; None as key renders
    without keeping (a page with a flash message, say). The request's CSRF token goes in
    where the kept page has its slot.

    `shared`: (its own key, a function giving its text) of a part the page shows verbatim
    and many pages share (a lesson's body, over half of its page): kept once, not once
    per page. The function is only called when the page is rendered.

    `slots`: marker -> this request's text, for parts that differ between requests with
    the same key (the learner's contents list): `render()` puts each marker where its
    text goes; the page is kept with the markers and filled per request.

    `gzip`: whether to answer gzipped (None: if the browser takes it, `takes_gzip()`); a
    page not kept is always plain (Flask-Compress compresses it as any other)."""
    slots = slots or {}
    if key is None or not current_app.config["PAGE_CACHE_BYTES"]:
        return Page(_filled(render().encode(), slots), None)
    if gzip is None:
        gzip = takes_gzip()
    fills = {TOKEN_SLOT: generate_csrf().encode(), **slots}
    cache = pages()
    kept = cache.get(key)
    if kept is not None:
        part_key = kept[1]
        part = _NO_PART if part_key is None else cache.get(part_key)
        if part is not None:
            cache.hits += 1
            return _answer(cache, key, kept, part, fills, gzip)
    cache.misses += 1
    html = render().encode()
    text = html.replace(fills[TOKEN_SLOT], TOKEN_SLOT)
    part_key, part = None, b""
    if shared is not None:
        part_key, part = ("shared", shared[0]), shared[1]().encode()
    before, found, after = text.partition(part) if part else (text, b"", b"")
    if not found or any(before.count(slot) + after.count(slot) != text.count(slot) for slot in fills):
        # Not shown verbatim after all, or it would cut a slot: keep the page whole.
        before, after, part_key = text, b"", None
    markers = tuple(fills)
    kept = (_Text(before, markers), part_key, _Text(after, markers))
    shared_text = _NO_PART if part_key is None else _Text(part, ())
    if part_key is not None:
        cache.put(part_key, shared_text, shared_text.size)
    cache.put(key, kept, kept[0].size + kept[2].size)
    return _answer(cache, key, kept, shared_text, fills, gzip)


def _answer(cache: RenderedPages, key: Hashable, kept: tuple, part: _Text, fills: dict[bytes, bytes],
            gzip: bool) -> Page:
    """A kept page (head, shared part's key, tail) with this request's slots filled in."""
    head, part_key, tail = kept
    if not gzip:
        return Page(head.plain(fills) + part.pieces[0] + tail.plain(fills), None)
    level = current_app.config.get("COMPRESS_LEVEL", 6)
    # The first gzip answer of a kept page compresses its pieces: the entries grow.
    # (`|`, not `or`: both halves are compressed.)
    if head.deflate(level) | tail.deflate(level):
        cache.put(key, kept, head.size + tail.size)
    if part.deflate(level) and part_key is not None:
        cache.put(part_key, part, part.size)
    return Page(_gzip([head, part, tail], fills), "gzip")


def _filled(html: bytes, slots: dict[bytes, bytes]) -> bytes:
    for slot, text in slots.items():
        html = html.replace(slot, text)
    return html
