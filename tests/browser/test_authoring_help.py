"""The editor's help for trainers in a real browser: the cheat sheet and the insert panel open,
"Insert" puts a question at the cursor, "Add a quiz to this lesson" keeps what was typed,
and with every panel open the editor still fits a 360 px phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_authoring import LESSON, SLUG, make_trainer_an_author
from tests.browser.test_layout import log_in


def open_editor(page, live_server) -> None:
    url = live_server["url"]
    page.goto(url + f"/author/{SLUG}/")
    if page.locator("form[action$='/draft'] button").count():
        page.click("form[action$='/draft'] button")
    page.goto(url + f"/author/{SLUG}/files/{LESSON}")


@pytest.mark.parametrize("width", [360, 1280])
def test_insert_buttons_put_snippets_into_the_text_and_the_page_fits(browser, live_server, live_app_db, width):
    make_trainer_an_author(live_server, live_app_db)
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    log_in(page, live_server, "trainer")
    page.wait_for_url("**/dashboard")
    open_editor(page, live_server)
    page.click("#syntax-help summary")
    page.click("#insert-panel summary")
    assert page.locator("#syntax-help pre", has_text="::: quiz").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the editor is {overflow}px wider than a {width}px screen"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-help-{width}.png"), full_page=True)

    textarea = page.locator("textarea")
    textarea.press("Control+End")
    textarea.type("\nTyped before inserting.\n")
    button = page.locator("#insert-panel button.insert", has_text="True or false")
    assert button.is_visible()  # hidden without JavaScript, where the snippet is there to copy
    button.click()
    text = textarea.input_value()
    assert "Typed before inserting." in text and "truefalse: true" in text

    link = page.locator("a[data-append]")
    assert link.count() == 1
    before_url = page.url
    link.click()
    text = textarea.input_value()
    assert page.url == before_url  # added in place: nothing typed is lost to a page load
    assert text.rstrip().endswith(":::") and "### Q check-1" in text and "Typed before inserting." in text
    page.context.close()
