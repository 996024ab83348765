"""Save a course for offline reading, read it with no connection, mark a lesson done
offline, and see it recorded once when the connection returns."""

from __future__ import annotations

import time

from tests.browser.test_layout import log_in


def wait_until(page, expression: str, timeout: float = 20) -> None:
    """Poll with page.evaluate: wait_for_function would need 'unsafe-eval', which our CSP forbids."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.evaluate(expression):
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {expression}")


def test_course_saved_for_offline_and_progress_synced_once(page, live_server):
    url = live_server["url"]
    log_in(page, live_server)
    page.click("button[value=en]")  # other tests may have left this user in another language
    page.goto(url + "/courses/safeguarding")
    enrol = page.locator("form[action$='/enrol'] button")
    if enrol.count():
        enrol.click()
    page.goto(url + "/courses/safeguarding")
    page.click("button.offline-save")
    wait_until(page, "document.querySelector('.offline-status').textContent.indexOf('(') > 0")
    lessons = page.evaluate("fetch('/courses/safeguarding/offline.json').then(r => r.json()).then(d => d.urls.filter(u => u.includes('/lessons/')))")
    page.reload()  # make sure the service worker controls the page
    wait_until(page, "navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    for lesson in lessons:
        page.goto(url + lesson)
        assert page.locator("article.lesson h1").inner_text()
        assert "offline" in page.locator("#offline-banner").inner_text().lower()
    page.goto(url + lessons[0])
    page.click("form.mark-done button")
    assert "online" in page.locator("#offline-banner").inner_text().lower()
    assert page.evaluate("JSON.parse(localStorage.getItem('lms-offline-queue')).length") == 1
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "JSON.parse(localStorage.getItem('lms-offline-queue') || '[]').length === 0")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second flush sends nothing twice
    page.goto(url + "/courses/safeguarding")
    ticks = page.locator("ol.toc li.done").count()
    assert ticks == 1
