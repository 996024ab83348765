"""The certificate as an A4 landscape PDF with an embedded Unicode font and a QR code,
and a file cache of rendered PDFs so a download after the first is instant."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import qrcode
from fontTools import ttLib
from fpdf import FPDF

FONTS = Path(__file__).with_name("fonts")
BRAND = (11, 94, 168)
# fpdf2 parses the font file on every render and subsets it again at output, in time
# that grows with the glyphs in the file. The small files (made by
# scripts/subset_certificate_fonts.py) hold Latin, Cyrillic with the Kazakh letters and
# punctuation, ~670 glyphs against 6,200, and make a first render several times faster;
# the full ones draw a name with any other letter.
SMALL_FONTS = {"": "DejaVuSans-LatinCyrillic.ttf", "B": "DejaVuSans-Bold-LatinCyrillic.ttf"}
FULL_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


@functools.cache
def small_fonts_draw() -> frozenset[int]:
    """The characters both small fonts have a glyph for (their cmaps, read once per process)."""
    covered: set[int] | None = None
    for name in SMALL_FONTS.values():
        with ttLib.TTFont(FONTS / name, lazy=True) as font:
            codes = set(font.getBestCmap())
        covered = codes if covered is None else covered & codes
    return frozenset(covered or ())


def font_files(texts: Iterable[str]) -> dict[str, str]:
    """The font file per style for a certificate printing `texts`: the small ones when they
    have every character, else the full ones (so a rare letter is drawn, not a box)."""
    needed = {ord(char) for text in texts for char in text if char >= " "}  # "\n" is a line break, not a glyph
    return SMALL_FONTS if needed <= small_fonts_draw() else FULL_FONTS


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules for `text` (with the quiet zone), drawn as vector squares in the PDF."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def render_certificate_pdf(*, holder: str, track: str, allows: str, hub: str, issued: str, expires: str,
                           serial: str, code: str, verify_url: str, labels: dict[str, str]) -> bytes:
    """All texts arrive translated and formatted; this only lays them out."""
    # A name typed or pasted in decomposed form (и + combining breve) is printed with the
    # composed letter: drawn better than a mark laid over a letter, and in the small fonts.
    holder, track, allows, hub = (unicodedata.normalize("NFC", text) for text in (holder, track, allows, hub))
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    texts = [holder, track, allows, hub, issued, expires, serial, code, verify_url, *labels.values()]
    for style, name in font_files(texts).items():
        pdf.add_font("DejaVu", style, str(FONTS / name))
    pdf.set_title(f"{labels['title']} {serial}")
    pdf.add_page()
    width, height = 297, 210
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(2.2)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_line_width(0.6)
    pdf.rect(12, 12, width - 24, height - 24)

    pdf.set_text_color(*BRAND)
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_xy(20, 22)
    pdf.cell(width - 40, 8, labels["organisation"], align="C")
    pdf.set_font("DejaVu", "B", 34)
    pdf.set_xy(20, 36)
    pdf.cell(width - 40, 16, labels["title"], align="C")

    pdf.set_text_color(40, 40, 40)
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(20, 60)
    pdf.cell(width - 40, 8, labels["certifies"], align="C")
    pdf.set_font("DejaVu", "B", 28)
    pdf.set_xy(20, 72)
    pdf.cell(width - 40, 14, holder, align="C")
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(20, 92)
    pdf.cell(width - 40, 8, labels["completed"], align="C")
    pdf.set_font("DejaVu", "B", 17)
    pdf.set_xy(30, 102)
    pdf.multi_cell(width - 60, 9, track, align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_x(30)
    pdf.multi_cell(width - 60, 7, f"{labels['allows']}: {allows}", align="C")

    pdf.set_font("DejaVu", "", 11)
    rows = [
        (labels["hub"], hub), (labels["issued"], issued), (labels["expires"], expires),
        (labels["serial"], serial), (labels["code"], code),
    ]
    y = 142
    for label, value in rows:
        pdf.set_xy(24, y)
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(48, 7, label)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(130, 7, value)
        y += 8
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(24, y + 1)
    pdf.cell(180, 5, f"{labels['check']}: {verify_url}")

    matrix = qr_matrix(verify_url)
    size = 44.0
    module = size / len(matrix)
    left, top = width - 24 - size, 140
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(left + col_index * module, top + row_index * module, module, module, style="F")
    return bytes(pdf.output())


# Bump when the layout changes, so cached files of the old layout are not served.
LAYOUT_VERSION = 1
CACHE_MAX_FILES = 2000  # ~26 KB each: about 50 MB of disk at most


class PdfCache:
    """Rendered certificates on disk, shared by every worker of the server.

    A file's name is the certificate id plus a hash of everything printed on it (texts,
    dates, language, the public address), so any change to what it would show makes a
    new file; revoking deletes the certificate's files (and the route refuses to serve
    a revoked certificate at all). The folder is pruned oldest-first past CACHE_MAX_FILES.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @staticmethod
    def key(cert_id: int, content: dict) -> str:
        digest = hashlib.sha256(json.dumps([LAYOUT_VERSION, content], sort_keys=True, ensure_ascii=False).encode())
        return f"{cert_id}-{digest.hexdigest()[:32]}"

    def get_or_render(self, cert_id: int, content: dict) -> bytes:
        path = self.folder / f"{self.key(cert_id, content)}.pdf"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        data = render_certificate_pdf(**content)
        self._store(path, data)
        return data

    def forget(self, cert_id: int) -> None:
        for path in self.folder.glob(f"{cert_id}-*.pdf"):
            path.unlink(missing_ok=True)

    def _store(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)  # atomic: a reader sees the whole file or none
        self._prune()

    def _prune(self) -> None:
        files = list(self.folder.glob("*.pdf"))
        if len(files) <= CACHE_MAX_FILES:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for old in files[: len(files) - CACHE_MAX_FILES]:
            old.unlink(missing_ok=True)
