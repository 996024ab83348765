"""The interface in Kazakh, Russian and English: complete catalogues, plurals, language choice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from tests.conftest import login
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "lms" / "translations"


def catalogue(language: str):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every translatable string in the code and templates, extracted afresh."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "--ignore-dirs=.* __pycache__",
         "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(out), "."],
        cwd=ROOT, check=True,
    )
    with open(out, "rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_string_is_translated_and_none_is_fuzzy(extracted, language):
    po = catalogue(language)
    present = {m.id if isinstance(m.id, str) else m.id[0]: m for m in po if m.id}
    missing = sorted(extracted - set(present))
    assert missing == [], f"not in the {language} catalogue: run scripts/translations update and translate {missing[:5]}"
    untranslated = [k for k, m in present.items() if k in extracted and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [k for k, m in present.items() if m.fuzzy]
    assert untranslated == [] and fuzzy == [], (untranslated[:5], fuzzy[:5])
    problems = [(m.id, errors) for m in po if m.id and (errors := list(m.check(po)))]
    assert problems == []


def test_extraction_finds_template_and_code_strings(extracted):
    assert {"Courses", "Log in", "Mark as done and continue", "Certificate check", "Wrong login or password."} <= extracted


def test_russian_plural_forms(app):
    with app.test_request_context(), force_locale("ru"):
        forms = [ngettext("%(num)s learner", "%(num)s learners", n) for n in (1, 2, 5, 21, 22, 11)]
    one, few, many = forms[0], forms[1], forms[2]
    assert len({one.split()[1], few.split()[1], many.split()[1]}) == 3, forms
    assert forms[3].split()[1] == one.split()[1] and forms[4].split()[1] == few.split()[1] and forms[5].split()[1] == many.split()[1]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_same_page_in_each_language(client, language):
    page = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    expected = "Courses" if language == "en" else catalogue(language)["Courses"].string
    assert f">{expected}<" in page
    if language == "kk":
        assert any(letter in page for letter in "әғқңөұүһі")


def test_switcher_choice_persists_for_logged_in_user(app, hub):
    user = make_user(hub, locale=None)
    browser = app.test_client()
    login(browser, user)
    browser.post("/language", data={"lang": "kk", "next": "/dashboard"})
    other_device = app.test_client()
    login(other_device, user)
    page = other_device.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="kk"' in page and catalogue("kk")["Dashboard"].string in page


def test_dates_follow_the_locale(app):
    from datetime import date

    from flask_babel import format_date

    with app.test_request_context(), force_locale("ru"):
        russian = format_date(date(2026, 11, 22), "long")
    with app.test_request_context(), force_locale("en"):
        english = format_date(date(2026, 11, 22), "long")
    assert "ноября" in russian and "November" in english


@pytest.mark.parametrize(("language", "expected"), [("kk", "Бұл өріс міндетті түрде керек."), ("ru", "Обязательное поле.")])
def test_form_errors_are_translated(client, language, expected):
    page = client.post("/login", data={"login": "", "password": ""}, headers={"Accept-Language": language}).get_data(as_text=True)
    assert expected in page
    assert catalogue(language)["Email or phone number"].string in page  # the label too
