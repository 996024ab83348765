"""Keyboard only: every step of a learner's journey is reachable with Tab and Enter."""

from __future__ import annotations


def tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element shows `text` (its content, value, aria-label or id)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; if (!e || e === document.body) return '';"
            " return [e.innerText, e.value, e.getAttribute('aria-label'), e.id].filter(Boolean).join(' | '); })()"
        )
        if text.lower() in focused.lower():
            return
    raise AssertionError(f"could not reach {text!r} with the Tab key")


def enter(page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_menu(page) -> None:
    """On a phone the site menu is behind its button (a <details>): Enter opens it."""
    tab_to(page, "Menu")
    page.keyboard.press("Enter")


def log_in_by_keyboard(page, url: str, email: str) -> None:
    """Log in and switch to English with Tab, typing and Enter only."""
    page.goto(url + "/login")
    tab_to(page, "login")
    page.keyboard.type(email)
    tab_to(page, "password")
    page.keyboard.type("correct horse battery")
    enter(page)
    tab_to(page, "Eng")
    enter(page)


def test_learner_journey_by_keyboard(page, live_server):
    url = live_server["url"]
    log_in_by_keyboard(page, url, live_server["emails"]["volunteer"])
    open_menu(page)
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


def make_ready_volunteer(live_server, live_app_db, name: str) -> None:
    """A volunteer of the coordinator's hub who passed the health track's courses (set in the database:
    the learner's own steps have their keyboard test above)."""
    from sqlalchemy import select

    from lms.auth.models import User
    from lms.courses.models import Course
    from lms.learning.models import Enrolment
    from lms.models_base import utcnow
    from tests.factories import make_user

    with live_app_db() as db:
        coordinator = db.session.scalar(select(User).where(User.email == live_server["emails"]["coordinator"]))
        hub = coordinator.hub
        learner = make_user(hub, name=name, email="keyboard-ready@example.org")
        for course in db.session.scalars(select(Course).where(Course.slug.in_(["wellbeing", "safeguarding"]))):
            db.session.add(Enrolment(user_id=learner.id, course_id=course.id, passed_at=utcnow(),
                                     passed_revision=course.revision))
        db.session.commit()


def test_coordinator_issues_holder_logs_stranger_verifies_coordinator_revokes_by_keyboard(browser, live_server, live_app_db):
    from sqlalchemy import select

    from lms.certificates.models import Certificate

    name = "Keyboard Ready"
    make_ready_volunteer(live_server, live_app_db, name)
    url = live_server["url"]
    page = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
    log_in_by_keyboard(page, url, live_server["emails"]["coordinator"])
    tab_to(page, "My hub")
    enter(page)
    tab_to(page, "Certification")
    enter(page)
    tab_to(page, f"Issue to {name}")
    page.keyboard.press("Space")
    tab_to(page, "Issue the chosen certificates")
    enter(page)
    assert "1 certificate issued." in page.content()
    with live_app_db() as db:
        cert = db.session.scalar(select(Certificate).where(Certificate.holder_name == name))
        code, cert_id = cert.code, cert.id

    # The holder finds the PDF and logs a lesson, by keyboard.
    holder = browser.new_context().new_page()
    log_in_by_keyboard(holder, url, "keyboard-ready@example.org")
    tab_to(holder, "Certificates")
    enter(holder)
    tab_to(holder, "Download PDF")  # reachable (a download, not a page)
    tab_to(holder, "Log a lesson you led")
    enter(holder)
    for field, text in (("school", "School No. 5, Kokshetau"), ("region", "Akmola"), ("children", "18"),
                        ("parents", "2")):
        tab_to(holder, field)
        holder.keyboard.type(text)
    tab_to(holder, "Log the lesson")
    enter(holder)
    assert "waits for your coordinator" in holder.content()
    holder.context.close()

    stranger = browser.new_context().new_page()
    stranger.goto(url + "/verify")
    tab_to(stranger, "code")
    stranger.keyboard.type(code)
    enter(stranger)
    assert "Valid" in stranger.locator(".verdict").inner_text()

    tab_to(page, f"category-{cert_id}")
    page.keyboard.type("Withdrawn")  # a closed select picks the option that starts with what is typed
    page.keyboard.press("Tab")  # the reason
    page.keyboard.type("Left the programme")
    page.keyboard.press("Tab")  # the row's Revoke button
    enter(page)
    assert "needs a decision" in page.content() and "Left the programme" in page.content()
    stranger.goto(url + f"/verify/{code}")
    assert "Revoked" in stranger.locator(".verdict").inner_text()
    assert "Withdrawn at the holder" in stranger.content() and "Valid until" not in stranger.content()
    page.context.close()
    stranger.context.close()


def test_registration_and_a_quiz_attempt_by_keyboard(page, live_server):
    """A newcomer registers, starts a quiz, submits it and reaches "Try again", all from the keyboard.
    Choosing answers is the browser's own radio and checkbox keys (arrows, Space)."""
    url = live_server["url"]
    page.goto(url + "/register")
    for field, text in (("name", "Keyboard Newcomer"), ("email", "keyboard-new@example.org")):
        tab_to(page, field)
        page.keyboard.type(text)
    tab_to(page, "hub_id")
    page.keyboard.type("Kokshetau")  # a focused select picks the option typed
    tab_to(page, "locale")
    page.keyboard.type("English")
    tab_to(page, "password")
    page.keyboard.type("keys only, no mouse")
    tab_to(page, "confirm")
    page.keyboard.type("keys only, no mouse")
    tab_to(page, "Create")
    enter(page)
    # Registering does not log in (that would tell a new email from a taken one); the login is filled in.
    assert page.url.endswith("/login"), page.url
    tab_to(page, "password")
    page.keyboard.type("keys only, no mouse")
    enter(page)
    assert page.url.endswith("/dashboard"), page.url
    open_menu(page)
    tab_to(page, "Courses")
    enter(page)
    tab_to(page, "UNICEF: mission, values and history")
    enter(page)
    tab_to(page, "Enrol in this course")
    enter(page)
    page.goto(url + "/courses/unicef-mission/quizzes/final")
    tab_to(page, "Start the quiz")
    enter(page)
    tab_to(page, "Submit answers")
    enter(page)
    assert "You have not answered any question" in page.content()  # a blank form uses no attempt
    for _ in range(80):  # to the first answer, chosen with the space bar
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    page.keyboard.press("Space")
    tab_to(page, "Submit answers")
    enter(page)
    assert "have no answer" in page.content()
    tab_to(page, "Submit anyway")
    enter(page)
    assert "not passed" in page.content()
    tab_to(page, "Try again")
    enter(page)
    assert "/attempts/" in page.url
