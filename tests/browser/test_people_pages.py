"""The coordinator's inbox leads to each queue, and a volunteer's record, in Chromium at
360 px and on a desktop; nothing wider than the screen. Screenshots go to test-artifacts/.

Its own hub and coordinator, so the other browser tests' queues are left as they were.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 768}}


@pytest.fixture(scope="module")
def people_hub(live_server):
    """A hub with one person waiting in each queue, and a record worth opening."""
    from lms.auth.models import User
    from lms.courses.models import Course, Track
    from lms.extensions import db
    from lms.models_base import utcnow
    from tests.factories import make_hub, make_user
    from tests.functional.test_homes import certificate, passed, pending_lesson

    with live_server["app"].app_context():
        hub = make_hub("k1-people", name="Shymkent People Hub", region="Shymkent")
        track = db.session.scalar(select(Track).where(Track.slug == "violence-prevention"))
        courses = db.session.scalars(select(Course).where(Course.slug.in_(track.rule["courses"]))).all()
        ready = make_user(hub, name="Ready Raushan")
        for course in courses:
            passed(ready, course)
        certificate(make_user(hub, name="Expiring Erlan"), track, expires_in=20)
        certificate(make_user(hub, name="Revoked Roza"), track, revoked=True)
        leader = make_user(hub, name="Айгерім Сәтбаева", phone="+77015550001")
        for course in courses:
            passed(leader, course)
        lesson = pending_lesson(leader, track, certificate(leader, track, issued_days_ago=30))
        lesson.notes = "Class 5B, many questions about online safety"
        make_user(hub, name="Quiet Kairat", created_at=utcnow() - timedelta(days=60))
        coordinator = make_user(hub, roles=("coordinator",), email="k1-coordinator@browser.example.org",
                                name="K1 Coordinator")
        db.session.commit()
        ids = {"hub": hub.id, "leader": leader.id, "coordinator_email": coordinator.email}
        assert db.session.get(User, leader.id) is not None
        db.session.remove()
    return ids


def log_in(page, url, email):
    page.goto(url + "/login")
    page.fill("#login", email)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/dashboard")


def no_overflow(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} is {overflow}px wider than the screen"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# tile id -> (a text the queue page must show, the element it should scroll to or None)
QUEUES = {
    "ready": ("Ready Raushan", "#ready"),
    "revoked": ("Revoked Roza", "#revoked"),
    "lessons": ("Айгерім Сәтбаева", None),
    "expiring": ("Expiring Erlan", "#roster"),
    "inactive": ("Quiet Kairat", None),
    "settings": (None, None),
}


@pytest.mark.parametrize("size", list(SIZES))
def test_coordinator_inbox_leads_to_each_queue(browser, live_server, people_hub, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    url = live_server["url"]
    log_in(page, url, people_hub["coordinator_email"])
    assert page.locator("#inbox").is_visible()
    no_overflow(page, f"the coordinator home ({size})")
    shot(page, f"k1-coordinator-inbox-{size}")
    counts = {name: page.locator(f"#inbox-{name} .count").inner_text() for name in QUEUES}
    assert counts == {"ready": "1", "revoked": "1", "lessons": "1", "expiring": "1", "inactive": "1", "settings": "4"}, counts
    for name, (expected, anchor) in QUEUES.items():
        page.goto(url + "/dashboard")
        page.click(f"#inbox-{name}")
        page.wait_for_load_state()
        body = page.inner_text("main")
        if expected:
            assert expected in body, (name, body[:500])
        if anchor:
            assert page.locator(anchor).is_visible(), name
        if name == "settings":
            assert page.locator("form #safeguarding").is_visible()
        no_overflow(page, f"{name} queue ({size})")
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_volunteer_record_from_the_people_page(browser, live_server, people_hub, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    url = live_server["url"]
    log_in(page, url, people_hub["coordinator_email"])
    page.goto(f"{url}/hubs/{people_hub['hub']}/members?q=8 701 555 00 01")  # a phone number as people write it
    page.click("text=Айгерім Сәтбаева")
    page.wait_for_url(f"**/people/{people_hub['leader']}")
    for section in ("#courses", "#attempts", "#certificates", "#lessons", "#actions"):
        assert page.locator(section).count() == 1, section
    text = page.inner_text("main")
    assert "Class 5B, many questions about online safety" in text
    assert "waiting for confirmation" in text
    assert page.locator("#actions button", has_text="Make a reset link").is_visible()
    assert page.locator("#certificates summary", has_text="Revoke").count() == 1  # their one valid certificate
    no_overflow(page, f"the volunteer record ({size})")
    shot(page, f"k1-volunteer-record-{size}")
    # The action on the record works: a set-password link for this volunteer.
    page.click("#actions button")
    assert "/reset/" in page.inner_text("main") or "reset" in page.url
    context.close()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_inbox_and_record_fit_a_phone_in_kazakh_and_russian(browser, live_server, people_hub, language):
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    url = live_server["url"]
    log_in(page, url, people_hub["coordinator_email"])
    page.goto(url + "/dashboard")
    page.locator(f"button[value={language}]").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == language
    no_overflow(page, f"the coordinator home in {language}")
    page.goto(f"{url}/people/{people_hub['leader']}")
    no_overflow(page, f"the volunteer record in {language}")
    page.goto(f"{url}/hubs/{people_hub['hub']}/members?show=inactive")
    no_overflow(page, f"the inactive list in {language}")
    shot(page, f"k1-inactive-{language}-phone")
    page.locator("button[value=en]").first.click()  # the account keeps its language: back to the other tests' one
    page.wait_for_load_state()
    context.close()
