"""Spreadsheet formula injection and hostile zip archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from lms.domain.safe_files import UnsafeArchive, neutralise_cell, read_zip


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Айгерім", "School No. 7", "", None, 42])
def test_ordinary_cells_are_unchanged(cell):
    assert neutralise_cell(cell) == ("" if cell is None else str(cell))


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_normal_archive_is_read():
    assert read_zip(make_zip({"bekind/course.md": b"x", "bekind/images/a.png": b"y"})) == {
        "bekind/course.md": b"x", "bekind/images/a.png": b"y"}


@pytest.mark.parametrize("name", ["../evil.md", "bekind/../../evil.md", "/etc/passwd", "C:/evil.md", "..\\evil.md"])
def test_zip_slip_is_refused(name):
    with pytest.raises(UnsafeArchive):
        read_zip(make_zip({name: b"x"}))


def test_zip_bomb_is_refused():
    with pytest.raises(UnsafeArchive):
        read_zip(make_zip({"bomb.md": b"0" * (20 * 1024 * 1024)}))


def test_not_a_zip_is_refused():
    with pytest.raises(UnsafeArchive):
        read_zip(b"<html>not a zip</html>")
