"""Pages in Kazakh and Russian on a 360-px phone: nothing wider than the screen."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

PAGES = ["/dashboard", "/courses", "/courses/bekind", "/courses/bekind/lessons/what-bullying-is", "/certificates",
         "/lessons-led", "/account"]


def log_in(page, server, role="volunteer"):
    page.goto(server["url"] + "/login")
    page.fill("#login", server["emails"][role])
    page.fill("#password", PASSWORD)
    page.click("button.primary")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_volunteer_pages_fit_a_360px_screen(page, live_server, language):
    log_in(page, live_server)
    page.click(f"button[value={language}]")
    for path in PAGES:
        page.goto(live_server["url"] + path)
        assert page.evaluate("document.documentElement.lang") == language, path
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen in {language}"


def test_bekind_is_shown_in_kazakh_to_a_kazakh_speaker(page, live_server):
    log_in(page, live_server)
    page.click("button[value=kk]")
    page.goto(live_server["url"] + "/courses/bekind/lessons/what-bullying-is")
    text = page.inner_text("article")
    assert any(letter in text for letter in "әғқңөұүһі")
    assert "not available in your language" not in page.content()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_coordinator_pages_fit_a_360px_screen(page, live_server, language):
    log_in(page, live_server, "coordinator")
    page.click(f"button[value={language}]")
    page.goto(live_server["url"] + "/hub")  # redirects to the hub's people page
    hub_path = page.url.split("/members")[0].replace(live_server["url"], "")
    for path in (f"{hub_path}/members", f"{hub_path}/certification", f"{hub_path}/lessons-led",
                 f"/reports{hub_path.replace('/hubs', '/hub')}", "/reports/courses", "/teach/"):
        page.goto(live_server["url"] + path)
        assert page.evaluate("document.documentElement.lang") == language, path
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen in {language}"


ZOOMED_PAGES = {
    "volunteer": ["/dashboard", "/courses", "/courses/bekind/lessons/what-bullying-is", "/courses/bekind/quizzes/final",
                  "/certificates", "/lessons-led"],
    "coordinator": ["/hub", "/reports/courses", "/teach/"],
    "admin": ["/admin/users", "/reports/national", "/author/", "/author/bekind/", "/author/bekind/versions"],
}


@pytest.mark.parametrize("role", list(ZOOMED_PAGES))
def test_pages_reflow_at_200_percent_zoom(browser, live_server, role):
    """A 1280 x 800 window at 200% zoom lays out 640 x 400 CSS pixels at twice the density:
    everything must reflow into that width, the page heading inside it."""
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    log_in(page, live_server, role)
    page.click("button[value=ru]")  # the longer words
    for path in ZOOMED_PAGES[role]:
        page.goto(live_server["url"] + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the window at 200% zoom"
        heading = page.locator("main h1").first.bounding_box()
        assert heading is not None and heading["x"] >= 0 and heading["x"] + heading["width"] <= 640, path
    context.close()
