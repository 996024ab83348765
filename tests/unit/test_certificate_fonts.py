"""The certificate PDF's small fonts: they draw every Kazakh, Russian and Latin letter
exactly as the full fonts do, a name beyond them falls back to the full fonts, and the
committed files are what scripts/subset_certificate_fonts.py makes."""

from __future__ import annotations

import importlib.util
import io
import logging
import unicodedata
from pathlib import Path

import pytest
from fontTools import ttLib

from lms.certificates import pdf

KAZAKH = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ"
RUSSIAN = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜÉÇĞŞŪİÑabcdefghijklmnopqrstuvwxyzäöüéçğşūıñ"  # with the Kazakh Latin letters
PUNCTUATION = "0123456789 .,:;!?-–—«»„“”‘’\"'()[]/№%&@#*+=…•\u00a0\u202f₸€$"
LABELS = {key: key.capitalize() for key in
          ("organisation", "title", "certifies", "completed", "allows", "hub", "issued", "expires", "serial", "code", "check")}


def content(holder: str, **overrides) -> dict:
    texts = dict(holder=holder, track="Зорлық-зомбылықтың алдын алу", allows="Балалармен сабақ «BeKind»",
                 hub="Көкшетау еріктілер хабы", issued="2026 ж. 1 қараша", expires="1 ноября 2028 г.",
                 serial="VH-2026-000001", code="ABCD-EFGH-JKMN-PQRS", verify_url="http://lms.test/verify/ABCD-EFGH-JKMN-PQRS",
                 labels=LABELS)
    texts.update(overrides)
    return texts


def text_of(data: bytes) -> str:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def pixels_of(data: bytes) -> bytes:
    import pypdfium2

    return pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil().tobytes()


@pytest.mark.parametrize("name", list(pdf.SMALL_FONTS.values()))
def test_each_small_font_has_every_kazakh_russian_and_latin_letter_and_the_punctuation(name):
    with ttLib.TTFont(pdf.FONTS / name, lazy=True) as font:
        cmap = font.getBestCmap()
    letters = KAZAKH + KAZAKH.lower() + RUSSIAN + RUSSIAN.lower() + LATIN + PUNCTUATION
    assert [char for char in letters if ord(char) not in cmap] == []


def test_a_kazakh_name_is_drawn_from_the_small_fonts_exactly_as_from_the_full_ones(monkeypatch, caplog):
    holder = f"{KAZAKH[:24]} {KAZAKH[24:].lower()}"  # every letter, bold, on one line
    texts = content(holder, track=f"{KAZAKH.lower()} {RUSSIAN}", allows=LATIN + PUNCTUATION)
    assert pdf.font_files([holder, texts["track"], texts["allows"]]) is pdf.SMALL_FONTS
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        small = pdf.render_certificate_pdf(**texts)
    monkeypatch.setattr(pdf, "SMALL_FONTS", pdf.FULL_FONTS)
    full = pdf.render_certificate_pdf(**texts)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # no glyph drawn as a box
    assert holder in text_of(small)
    assert pixels_of(small) == pixels_of(full)


@pytest.mark.parametrize("holder", ["Ελένη Παπαδοπούλου", "ნინო ბერიძე", "Əli Məmmədov"])
def test_a_name_with_letters_beyond_the_small_fonts_is_drawn_from_the_full_ones(holder, caplog):
    assert pdf.font_files([holder]) is pdf.FULL_FONTS
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data = pdf.render_certificate_pdf(**content(holder))
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert holder in text_of(data)


def test_a_line_break_in_a_text_does_not_call_for_the_full_fonts():
    assert pdf.font_files(["Айгерім\nСәтбаева"]) is pdf.SMALL_FONTS


def test_a_name_in_decomposed_form_is_printed_composed_from_the_small_fonts(caplog):
    decomposed = unicodedata.normalize("NFD", "Айгерім Йорданқызы Ёлкина")
    assert decomposed != "Айгерім Йорданқызы Ёлкина"  # и + combining breve, е + combining diaeresis
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data = pdf.render_certificate_pdf(**content(decomposed))
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert "Айгерім Йорданқызы Ёлкина" in text_of(data)


def test_the_committed_small_fonts_are_what_the_script_makes(tmp_path):
    script = Path(__file__).resolve().parents[2] / "scripts" / "subset_certificate_fonts.py"
    spec = importlib.util.spec_from_file_location("subset_certificate_fonts", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for _full, small in module.FILES:
        assert (tmp_path / small).read_bytes() == (pdf.FONTS / small).read_bytes(), (
            f"{small} differs from the script's output: run scripts/subset_certificate_fonts.py")
    assert sorted(small for _full, small in module.FILES) == sorted(pdf.SMALL_FONTS.values())
