"""The editor in a real browser: a trainer edits and publishes a lesson by keyboard alone and
a volunteer then sees it; screenshots of the editor and its preview, wide and at 360 px."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from lms.auth.models import User
from lms.authoring.models import CourseAuthor
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_keyboard import enter, tab_to
from tests.browser.test_layout import log_in

SLUG = "unicef-mission"
LESSON = "01-how-unicef-began.md"
NEW_SENTENCE = "Written in the browser by a trainer."


def make_trainer_an_author(live_server, live_app_db) -> None:
    with live_app_db() as db:
        trainer = db.session.scalar(select(User).where(User.email == live_server["emails"]["trainer"]))
        if db.session.get(CourseAuthor, (SLUG, trainer.id)) is None:
            db.session.add(CourseAuthor(course_slug=SLUG, user_id=trainer.id, role="co-author"))
            db.session.commit()


def test_trainer_edits_and_publishes_a_lesson_by_keyboard_and_a_volunteer_sees_it(browser, live_server, live_app_db):
    make_trainer_an_author(live_server, live_app_db)
    url = live_server["url"]
    trainer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(trainer, live_server, "trainer")
    trainer.wait_for_url("**/dashboard")  # keys pressed while the next page loads would be lost
    tab_to(trainer, "Eng")
    enter(trainer)
    tab_to(trainer, "Write courses")
    enter(trainer)
    tab_to(trainer, "UNICEF")
    enter(trainer)
    if trainer.locator("text=Start a draft").count():
        tab_to(trainer, "Start a draft")
        enter(trainer)
    tab_to(trainer, "How UNICEF began")
    enter(trainer)
    assert trainer.url.endswith(f"/author/{SLUG}/files/{LESSON}")
    tab_to(trainer, "title: How UNICEF began")  # the text area, by its front matter
    trainer.keyboard.press("Control+End")
    trainer.keyboard.type(f"\n\n**{NEW_SENTENCE}**\n")
    tab_to(trainer, "Save to draft")
    tab_to(trainer, "Preview")
    enter(trainer)
    assert trainer.locator("#preview-body strong", has_text=NEW_SENTENCE).count() == 1

    # Not published yet: the volunteer still reads the old lesson.
    volunteer = browser.new_context().new_page()
    log_in(volunteer, live_server, "volunteer")
    volunteer.goto(url + f"/courses/{SLUG}")
    if volunteer.locator("form[action$='/enrol'] button").count():
        volunteer.click("form[action$='/enrol'] button")
    lesson_url = url + f"/courses/{SLUG}/lessons/how-unicef-began"
    volunteer.goto(lesson_url)
    assert NEW_SENTENCE not in volunteer.content()

    trainer.locator("textarea").focus()
    tab_to(trainer, "Save to draft")
    enter(trainer)
    assert "Saved in the draft" in trainer.content()
    tab_to(trainer, "Back to the course")
    enter(trainer)
    volunteer.goto(lesson_url)
    assert NEW_SENTENCE not in volunteer.content()
    tab_to(trainer, "Publish")
    enter(trainer)
    assert "Learners see it now" in trainer.content()

    volunteer.goto(lesson_url)
    assert volunteer.locator("strong", has_text=NEW_SENTENCE).count() == 1
    trainer.context.close()
    volunteer.context.close()


def distinct_colours(png: bytes) -> int:
    with Image.open(io.BytesIO(png)) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_editor_and_preview_screenshots(browser, live_server, live_app_db):
    make_trainer_an_author(live_server, live_app_db)
    url = live_server["url"]
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "trainer")
    page.click("button[value=en]")
    page.goto(url + f"/author/{SLUG}/")
    if page.locator("text=Start a draft").count():
        page.click("text=Start a draft")
    page.goto(url + f"/author/{SLUG}/files/{LESSON}")
    page.fill("textarea", "---\ntitle: How UNICEF began\nminutes: ten\n---\n## A heading\n\n| A | B |\n|---|---|\n| 1 | 2 |\n")
    page.click("button[name=preview]")

    # Wide: editor and preview side by side; the validator's message is next to the text.
    editor, preview = page.locator("textarea").bounding_box(), page.locator(".preview").bounding_box()
    assert preview["x"] > editor["x"] + editor["width"] - 1 and abs(preview["y"] - editor["y"]) < 300
    assert "line 3" in page.locator("#problems").inner_text()
    shot = page.screenshot(path=str(ARTIFACTS / "editor-wide.png"), full_page=True)
    assert distinct_colours(page.locator(".preview").screenshot()) > 20  # rendered text and a table, not blank
    assert page.locator(".preview table td", has_text="2").count() == 1
    assert len(shot) > 10_000

    # With JavaScript the preview follows the typing (static/js/editor.js), nothing saved.
    page.locator("textarea").press("Control+End")
    page.locator("textarea").type("\n**Live text**\n")
    page.wait_for_selector("#preview-body strong:has-text('Live text')", timeout=10_000)

    # A phone: stacked, nothing sticks out sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(url + f"/author/{SLUG}/files/{LESSON}")
    page.click("button[name=preview]")
    editor, preview = page.locator("textarea").bounding_box(), page.locator(".preview").bounding_box()
    assert preview["y"] > editor["y"] + editor["height"]
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "editor-360.png"), full_page=True)
    page.goto(url + f"/author/{SLUG}/")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "workspace-360.png"), full_page=True)
    context.close()
