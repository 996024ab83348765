"""A notice appears in the app after a coordinator's action: the coordinator issues a
certificate after in-person training; the volunteer sees the bell's count and the notice,
at 360 px and on a desktop, with nothing wider than the screen. Screenshots in test-artifacts/.

Its own hub, coordinator and volunteer per screen size, so other browser tests are untouched.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 768}}


def make_people(live_server, size: str) -> dict:
    from lms.extensions import db
    from tests.factories import make_hub, make_user

    with live_server["app"].app_context():
        hub = make_hub(f"notices-{size}", name=f"Notices Hub {size}")
        volunteer = make_user(hub, name=f"Bell Volunteer {size}", email=f"bell-volunteer-{size}@browser.example.org")
        coordinator = make_user(hub, roles=("coordinator",), email=f"bell-coordinator-{size}@browser.example.org")
        people = {"hub": hub.id, "volunteer": volunteer.id, "volunteer_email": volunteer.email,
                  "coordinator_email": coordinator.email}
        db.session.remove()
    return people


def log_in(page, url, email):
    page.goto(url + "/login")
    page.fill("#login", email)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/dashboard")


def fits(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_certificate_issued_by_the_coordinator_shows_under_the_volunteers_bell(browser, live_server, size):
    url = live_server["url"]
    people = make_people(live_server, size)
    coordinator_context = browser.new_context(viewport=SIZES[size])
    volunteer_context = browser.new_context(viewport=SIZES[size])
    try:
        volunteer = volunteer_context.new_page()
        log_in(volunteer, url, people["volunteer_email"])
        assert volunteer.locator("a.bell").is_visible()  # on phones too: outside the folded menu
        assert volunteer.locator("a.bell .bell-count").count() == 0

        coordinator = coordinator_context.new_page()
        log_in(coordinator, url, people["coordinator_email"])
        coordinator.goto(url + f"/hubs/{people['hub']}/certification")
        coordinator.select_option("select[name=volunteer_id]", str(people["volunteer"]))
        coordinator.select_option("select[name=track]", "violence-prevention")
        coordinator.fill("textarea[name=note]", "Two-day training in Kokshetau, assessed by the hub trainer")
        coordinator.locator("form[action$='/certificates/in-person'] button").click()
        expect(coordinator.locator("main")).to_contain_text("issued")

        volunteer.goto(url + "/dashboard")
        bell = volunteer.locator("a.bell")
        assert bell.is_visible() and bell.locator(".bell-count").inner_text() == "1"
        assert "1 unread notice" in bell.inner_text() or bell.locator(".visually-hidden").count() == 1
        assert fits(volunteer) <= 0, f"the dashboard is wider than the screen at {size}"
        ARTIFACTS.mkdir(exist_ok=True)
        volunteer.screenshot(path=str(ARTIFACTS / f"notices-bell-{size}.png"))
        bell.click()
        volunteer.wait_for_url("**/notices")
        notice = volunteer.locator("li.notice.unread")
        assert notice.count() == 1 and "Your certificate is ready" in notice.inner_text()
        assert fits(volunteer) <= 0, f"the notices page is wider than the screen at {size}"
        volunteer.screenshot(path=str(ARTIFACTS / f"notices-page-{size}.png"), full_page=True)
        volunteer.click("text=Mark all as read")
        expect(volunteer.locator("li.notice.unread")).to_have_count(0)
        expect(volunteer.locator("a.bell .bell-count")).to_have_count(0)
    finally:
        coordinator_context.close()
        volunteer_context.close()
