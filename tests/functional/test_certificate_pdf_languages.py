"""The certificate PDF in each interface language: holder's name and labels come out as
text, drawn from the small fonts (the fast first render) with no glyph missing."""

from __future__ import annotations

import io
import logging

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from lms.certificates import pdf as pdf_module
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user
from tests.functional.test_certificates import pass_course


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_pdf_in_each_language_draws_name_and_labels_from_the_small_fonts(app, hub, make_course, monkeypatch, caplog, lang):
    from pypdf import PdfReader

    course = make_course(issuance="auto")
    volunteer = make_user(hub, name="Әлия Ғабитқызы Құрманова-Үмбетова", locale=lang)
    client = app.test_client()
    login(client, volunteer)
    pass_course(client, course)
    cert = db.session.scalar(select(Certificate))
    chosen = []
    real_font_files = pdf_module.font_files
    monkeypatch.setattr(pdf_module, "font_files", lambda texts: chosen.append(real_font_files(texts)) or chosen[-1])

    with caplog.at_level(logging.WARNING, logger="fpdf"):
        response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 200
    assert chosen == [pdf_module.SMALL_FONTS]
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    with app.test_request_context(), force_locale(lang):
        labels = [gettext("Certificate"), gettext("This certifies that"), gettext("Valid until")]
    assert "Әлия Ғабитқызы Құрманова-Үмбетова" in text
    assert all(label in text for label in labels), (labels, text)
