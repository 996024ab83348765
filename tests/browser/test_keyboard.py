"""Keyboard only: every step of a learner's journey is reachable with Tab and Enter."""

from __future__ import annotations


def tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element shows `text` (its label, value or content)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return (e.innerText || e.value || e.getAttribute('aria-label') || e.id || '').trim(); })()"
        )
        if text.lower() in focused.lower():
            return
    raise AssertionError(f"could not reach {text!r} with the Tab key")


def enter(page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_learner_journey_by_keyboard(page, live_server):
    url = live_server["url"]
    page.goto(url + "/login")
    tab_to(page, "login")
    page.keyboard.type(live_server["emails"]["volunteer"])
    tab_to(page, "password")
    page.keyboard.type("correct horse battery")
    enter(page)
    tab_to(page, "Eng")
    enter(page)
    tab_to(page, "Courses")
    enter(page)
    tab_to(page, "UNICEF: mission, values and history")
    enter(page)
    if page.locator("form[action$='/enrol'] button").count():
        tab_to(page, "Enrol in this course")
    else:
        tab_to(page, "Continue")
    enter(page)
    tab_to(page, "Mark as done and continue")
    enter(page)
    page.goto(url + "/courses/unicef-mission")
    assert page.locator("ol.toc li.done").count() >= 1
