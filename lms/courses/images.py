"""Course images for slow connections: at most 1200 px wide, re-encoded as WebP.

The original stays in the course's source files (exports are byte for byte); pages
use the web copy, with its width and height so the page does not jump while loading.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

MAX_WIDTH = 1200
QUALITY = 80
MAX_PIXELS = 40_000_000  # refuse decompression bombs


@dataclass(frozen=True)
class WebImage:
    content: bytes
    mimetype: str
    width: int
    height: int


def web_copy(data: bytes) -> WebImage | None:
    """A resized, re-encoded copy; None when the file is not a readable image."""
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
