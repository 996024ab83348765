"""Catalogues are compiled at app start when missing or stale, so no install is English-only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from lms.i18n import compile_catalogues

SOURCE = Path(__file__).resolve().parents[2] / "lms" / "translations"


def copy_catalogues(tmp_path) -> Path:
    target = tmp_path / "translations"
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        destination = target / po.relative_to(SOURCE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po, destination)
    return target


def test_missing_catalogues_are_compiled(tmp_path):
    folder = copy_catalogues(tmp_path)
    compiled = compile_catalogues(folder)
    assert {p.parent.parent.name for p in compiled} == {"kk", "ru", "en"}
    with open(folder / "ru" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        assert read_mo(handle).get("Wrong login or password.").string == "Неверный логин или пароль."


def test_fresh_catalogues_are_left_alone_and_stale_ones_redone(tmp_path):
    folder = copy_catalogues(tmp_path)
    compile_catalogues(folder)
    assert compile_catalogues(folder) == []
    po = folder / "kk" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))  # the .po changed after
    assert compile_catalogues(folder) == [mo]


@pytest.mark.skipif(os.geteuid() == 0, reason="file modes do not stop root")
def test_a_read_only_install_starts_anyway(tmp_path):
    folder = copy_catalogues(tmp_path)
    for directory in folder.glob("*/LC_MESSAGES"):
        directory.chmod(0o555)
    try:
        assert compile_catalogues(folder) == []
    finally:
        for directory in folder.glob("*/LC_MESSAGES"):
            directory.chmod(0o755)


def test_the_app_compiles_its_catalogues_when_it_starts(app):
    mo = SOURCE / "ru" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists() and mo.stat().st_mtime >= (SOURCE / "ru" / "LC_MESSAGES" / "messages.po").stat().st_mtime
