"""Make the small certificate fonts: DejaVu Sans and Sans Bold cut down to the scripts
the app prints (Latin, Cyrillic with every Kazakh letter, punctuation, №, ₸).

fpdf2 parses the whole font on every render and subsets it again at output, in time
that grows with the glyphs in the file: the full DejaVu files hold 6,200 each (740 KB),
of which a certificate uses ~60. These hold ~670 (a wider cut of 1,200, with Latin
Extended-B, Cyrillic Supplement and the letterlike symbols, took nearly twice as long in
those two steps). The full files stay beside them: lms/certificates/pdf.py falls back to
them for a name with a letter outside these ranges (Greek, Georgian, Azerbaijani Ə ...),
so no name is drawn as empty boxes.

Reproducible: the same fontTools (pinned in requirements.txt) gives the same bytes,
and tests/unit/test_certificate_fonts.py checks that the committed files are this
script's output. The DejaVu licence (fonts/LICENSE-DejaVu.txt) covers the cut files;
it asks only that a modified font not be named "Bitstream" or "Vera", and these keep
the DejaVu names.

    .venv/bin/python scripts/subset_certificate_fonts.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset, ttLib

FONTS = Path(__file__).resolve().parents[1] / "lms" / "certificates" / "fonts"

# (full file, cut file): the names lms/certificates/pdf.py loads.
FILES = [
    ("DejaVuSans.ttf", "DejaVuSans-LatinCyrillic.ttf"),
    ("DejaVuSans-Bold.ttf", "DejaVuSans-Bold-LatinCyrillic.ttf"),
]

RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1: no-break space, « », accented letters
    (0x0100, 0x017F),  # Latin Extended-A: Kazakh Latin Ğ Ş Ū, Turkish, Central European
    (0x0400, 0x04FF),  # Cyrillic, with Kazakh Ә Ғ Қ Ң Ө Ұ Ү Һ І
    (0x2000, 0x2027),  # spaces, dashes, quotes, bullet, ellipsis
    (0x202F, 0x202F),  # narrow no-break space (dates and numbers in some locales)
    (0x2030, 0x2030),  # per mille
    (0x2039, 0x203A),  # ‹ ›
    (0x20AC, 0x20AC),  # €
    (0x20B8, 0x20B8),  # ₸
    (0x20BD, 0x20BD),  # ₽
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
    (0x2212, 0x2212),  # minus sign
]


def codepoints() -> list[int]:
    return [code for first, last in RANGES for code in range(first, last + 1)]


def cut(source: Path, target: Path) -> None:
    """Write `source` cut to RANGES as `target` (glyph names and hinting kept, layout tables
    dropped: fpdf2 drops them from the embedded font in any case)."""
    options = subset.Options()
    options.glyph_names = True  # fpdf2 looks glyphs up by name
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "FFTM"]
    font = ttLib.TTFont(source, recalcTimestamp=False)  # keep head.modified: same bytes each run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    font.save(target)
    font.close()


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for full, small in FILES:
        cut(FONTS / full, folder / small)
        print(f"{folder / small}: {(folder / small).stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FONTS)
