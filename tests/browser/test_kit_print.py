"""Lesson kits printed by a real browser at A4: every track's kit (and the shared safeguarding
forms) in kk, ru and en comes out as several pages, each `# ` section on a page of its own,
for a volunteer certified in every track. A screenshot of each, in print media, is kept in
test-artifacts/ for a human look."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, ROOT
from tests.factories import PASSWORD

TRACKS = yaml.safe_load((ROOT / "courses" / "tracks.yml").read_text(encoding="utf-8"))["tracks"]
# Each track's kit lives in its main (first) course; the shared forms in the safeguarding course.
KIT_COURSES = sorted({track["certification"]["courses"][0] for track in TRACKS} | {"safeguarding"})


@pytest.fixture(scope="module")
def certified_volunteer(live_server):
    """A volunteer of the live server holding a valid certificate in every track."""
    from lms.certificates.models import Certificate
    from lms.courses.models import Track
    from lms.extensions import db
    from tests.factories import make_user

    with live_server["app"].app_context():
        from lms.hubs.models import Hub

        hub = db.session.scalar(select(Hub).where(Hub.slug == "kokshetau"))
        user = make_user(hub, email="kits@browser.example.org", name="Kit Printer", locale="en")
        today = date.today()
        for track in db.session.scalars(select(Track)):
            db.session.add(Certificate(
                serial=f"VH-KIT-{track.id}", code=f"KITP-{track.id:04d}-0000-0000", user_id=user.id, track_id=track.id,
                hub_id=hub.id, holder_name=user.name, course_versions={}, issued_on=today - timedelta(days=1),
                expires_on=today + timedelta(days=700),
            ))
        db.session.commit()
        email = user.email
        db.session.remove()
    return email


def count_pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("course", KIT_COURSES)
def test_kit_prints_as_a4_pages(browser, live_server, certified_volunteer, course, language):
    context = browser.new_context(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    page = context.new_page()
    try:
        page.goto(live_server["url"] + "/login")
        page.fill("#login", certified_volunteer)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        response = page.goto(live_server["url"] + f"/courses/{course}/kit?lang={language}")
        assert response.status == 200, (course, language, response.status)
        # The kit exists in this language: no fallback note, the article is in it.
        assert page.locator("article.kit").get_attribute("lang") == language
        sections = page.locator("article.kit h1").count()
        assert sections >= 2, f"{course} kit ({language}) has {sections} printable section(s)"
        assert page.locator("button.kit-print").is_visible()  # print.js showed the button
        page.emulate_media(media="print")
        assert page.locator("header.site").is_hidden() and page.locator(".kit-tools").is_hidden()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"kit-{course}-{language}.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
        pages = count_pdf_pages(pdf)
        # Every `# ` section starts a new sheet, so there are at least as many sheets.
        assert pages >= sections > 1, f"{course} ({language}): {pages} A4 pages for {sections} sections"
        Path(ARTIFACTS / f"kit-{course}-{language}.pdf").write_bytes(pdf)
    finally:
        context.close()


def test_kit_print_page_is_refused_to_a_volunteer_without_a_certificate(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live_server["url"] + "/login")
        page.fill("#login", live_server["emails"]["volunteer"])
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        response = page.goto(live_server["url"] + "/courses/bekind/kit")
        assert response.status == 403
        assert "certified volunteers" in page.content()
    finally:
        context.close()
