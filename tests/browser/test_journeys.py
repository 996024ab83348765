"""Journeys in a real browser: a volunteer registers, learns, fails then passes, becomes ready;
a coordinator issues the certificate; the volunteer downloads it and logs a lesson; a stranger
verifies it; the coordinator revokes it; the check shows "revoked" and logging is refused."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.learning.models import QuizAttempt
from tests.browser.test_layout import log_in
from tests.learning_helpers import correct_form, wrong_form


def answer(page, app_db, form_for):
    """Fill in the open attempt's form with `form_for(attempt)` (right or wrong answers)."""
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    with app_db() as db:
        answers = form_for(db.session.get(QuizAttempt, attempt_id))
    for name, value in answers.items():
        if isinstance(value, list):
            for item in value:
                page.check(f"input[name={name}][value='{item}']")
        elif value in ("true", "false") or page.locator(f"input[name={name}][type=radio]").count():
            page.check(f"input[name={name}][value='{value}']")
        else:
            page.fill(f"input[name={name}]", value)


def pass_course(page, url, app_db, slug):
    page.goto(url + f"/courses/{slug}")
    if page.locator("form[action$='/enrol'] button").count():
        page.click("form[action$='/enrol'] button")
    while True:
        page.goto(url + f"/courses/{slug}")
        progress = int(page.locator(".progress progress").get_attribute("value"))
        nxt = page.locator("a.button.primary", has_text="Continue")
        if not nxt.count():
            break
        nxt.click()
        if "/lessons/" in page.url:
            page.click("form.mark-done button")
            page.goto(url + f"/courses/{slug}")
            assert int(page.locator(".progress progress").get_attribute("value")) > progress  # the bar moves
            continue
        # a quiz: a blank submission is not graded; then a wrong attempt, then a right one
        page.click("text=Start the quiz")
        page.click("text=Submit answers")
        assert "You have not answered any question" in page.content()
        answer(page, app_db, wrong_form)
        page.click("text=Submit answers")
        assert "not passed" in page.content()
        page.click("text=Try again")
        answer(page, app_db, correct_form)
        page.click("text=Submit answers")
        assert "Your score: 100%" in page.content()


def test_certificate_journey_end_to_end(browser, live_server, live_app_db):
    url = live_server["url"]
    volunteer = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    volunteer.goto(url + "/register")
    volunteer.fill("#name", "Сәуле Журнал")
    volunteer.fill("#email", "journey@example.org")
    volunteer.select_option("#hub_id", label="Kokshetau Volunteer Hub")
    volunteer.select_option("#locale", "en")
    volunteer.fill("#password", "a long journey phrase")
    volunteer.fill("#confirm", "a long journey phrase")
    volunteer.click("button.primary")
    # Registering does not log in (that would tell a new email from a taken one); the login is filled in.
    assert volunteer.url.endswith("/login")
    volunteer.fill("#password", "a long journey phrase")
    volunteer.click("button.primary")
    assert volunteer.url.endswith("/dashboard")
    for slug in ("safeguarding", "bekind"):
        pass_course(volunteer, url, live_app_db, slug)
    volunteer.goto(url + "/dashboard")
    assert "Ready: your hub will issue it" in volunteer.content()

    coordinator = browser.new_context().new_page()
    log_in(coordinator, live_server, "coordinator")
    coordinator.click("button[value=en]")
    coordinator.goto(url + "/hub")
    coordinator.click("text=Certification")
    coordinator.check("input[aria-label='Issue to Сәуле Журнал']")
    coordinator.click("text=Issue the chosen certificates")
    assert "1 certificate issued." in coordinator.content()

    volunteer.goto(url + "/certificates")
    pdf = volunteer.context.request.get(url + volunteer.locator("text=Download PDF").first.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    with live_app_db() as db:
        code = db.session.scalar(select(Certificate.code).where(Certificate.holder_name == "Сәуле Журнал"))
    volunteer.goto(url + "/lessons-led")
    volunteer.select_option("#track", "violence-prevention")
    volunteer.fill("#school", "School No. 3, Kokshetau")
    volunteer.select_option("#region", "Akmola region")  # a fixed list of regions (lms.domain.regions)
    volunteer.fill("#children", "24")
    volunteer.fill("#parents", "5")
    volunteer.click("text=Log the lesson")
    assert "waits for your coordinator" in volunteer.content()

    stranger = browser.new_context().new_page()
    stranger.goto(url + "/verify")
    stranger.fill("#code", code.lower())
    stranger.click("button.primary")
    assert "Valid" in stranger.locator(".verdict").inner_text() and "Сәуле Журнал" in stranger.content()

    coordinator.goto(url + "/hub")
    coordinator.click("text=Certification")
    row = coordinator.locator("tr", has_text="Сәуле Журнал").filter(has=coordinator.locator("input[name=reason]"))
    row.locator("select[name=category]").select_option("safeguarding")
    row.locator("input[name=reason]").fill("Safeguarding concern confirmed")
    row.locator("button", has_text="Revoke").click()
    assert "Safeguarding concern confirmed" in coordinator.locator("#revoked ~ ul").inner_text()  # waits for a decision
    stranger.goto(url + f"/verify/{code}")
    assert "Revoked" in stranger.locator(".verdict").inner_text()
    assert "Safeguarding concern confirmed" not in stranger.content()  # the category only, never the reason
    volunteer.goto(url + "/lessons-led")
    assert "once you hold a valid certificate" in volunteer.content()
