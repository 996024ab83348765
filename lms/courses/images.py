"""Course images for slow connections: at most 1200 px wide, re-encoded as WebP.

The original stays in the course's source files (exports are byte for byte); pages
use the web copy, with its width and height so the page does not jump while loading.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from PIL import Image

from lms.domain.course_format.checks import IMAGE_SUFFIXES

MAX_WIDTH = 1200
QUALITY = 80
MAX_PIXELS = 40_000_000  # refuse decompression bombs


@dataclass(frozen=True)
class WebImage:
    content: bytes
    mimetype: str
    width: int
    height: int


# Web copies made ahead of a publish, by the source's SHA-256, each taken once by `web_copy`.
# Resizing a large image takes seconds, and SQLite holds its write lock for the whole
# write transaction: a publish makes its copies first, outside it (`prepare_web_copies`).
_PREPARED: OrderedDict[str, WebImage | None] = OrderedDict()
_PREPARED_MAX = 200  # a bound, not a cache policy: unused entries from an abandoned publish age out


def prepare_web_copies(files: Iterable[tuple[str, bytes]], known: Collection[str] = ()) -> int:
    """Make now (no database involved) the web copies of the images among `files` (path,
    content) whose SHA-256 is not in `known` (the digests already stored); returns how many."""
    made = 0
    for path, data in files:
        if not path.lower().endswith(IMAGE_SUFFIXES):
            continue
        key = hashlib.sha256(data).hexdigest()
        if key not in _PREPARED and key not in known:
            _PREPARED[key] = _make_web_copy(data)
            made += 1
        while len(_PREPARED) > _PREPARED_MAX:
            _PREPARED.popitem(last=False)
    return made


def web_copy(data: bytes) -> WebImage | None:
    """A resized, re-encoded copy; None when the file is not a readable image.
    Uses a copy made ahead by `prepare_web_copies` when there is one."""
    key = hashlib.sha256(data).hexdigest()
    if key in _PREPARED:
        return _PREPARED.pop(key)
    return _make_web_copy(data)


def _make_web_copy(data: bytes) -> WebImage | None:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                if image.width > MAX_WIDTH:
                    height = round(image.height * MAX_WIDTH / image.width)
                    image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
                if image.mode not in ("RGB", "RGBA"):
                    image = image.convert("RGBA" if "transparency" in image.info or image.mode in ("LA", "P") else "RGB")
                out = io.BytesIO()
                image.save(out, format="WEBP", quality=QUALITY, method=4)
                return WebImage(out.getvalue(), "image/webp", image.width, image.height)
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
