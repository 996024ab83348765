"""Images uploaded for a lesson: the type is read from the bytes, never from the name.

Only PNG, JPEG and WebP pass. SVG is refused (it can carry scripts), and so is
anything whose content is not what it claims (an HTML page named `photo.png`).
The file is stored in the draft, in the database, so every app server can serve it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image

from lms.domain.course_edit import slug_from_title
from lms.domain.course_format.checks import image_kind

MAX_PIXELS = 40_000_000
UPLOAD_FORMATS = ("PNG", "JPEG", "WEBP")  # GIF stays readable in git-made courses, but is not offered


class ImageRefused(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "too-large", "svg", "not-an-image"


@dataclass(frozen=True)
class CheckedImage:
    path: str  # images/<name>.<ext>, the extension from the content
    content: bytes
    mimetype: str


def check_image(data: bytes, filename: str, *, max_bytes: int) -> CheckedImage:
    if len(data) > max_bytes:
        raise ImageRefused("too-large")
    kind = image_kind(data)
    if kind is None or kind[0] not in UPLOAD_FORMATS:
        head = data[:512].lstrip().lower()
        svg = filename.lower().endswith(".svg") or head.startswith(b"<svg") or (b"<svg" in head and head.startswith(b"<?xml"))
        raise ImageRefused("svg" if svg else "not-an-image")
    fmt, ext, mime = kind
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != fmt:
                    raise ImageRefused("not-an-image")
                image.verify()  # a truncated or forged file fails here
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("not-an-image") from None
    stem = slug_from_title(PurePosixPath(filename.replace("\\", "/")).stem) or "image"
    return CheckedImage(f"images/{stem}{ext}", data, mime)
