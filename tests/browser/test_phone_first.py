"""Phone-first screens and quizzes on cheap phones, in Chromium at 360 px and on a desktop:
no table wider than the screen on any page a role can reach, the folded menu with the
current section marked, the installable manifest, the lesson's measure, and a quiz that
warns about unanswered questions, counts down and keeps answers across a reload."""

from __future__ import annotations

import re
import struct
from collections import deque
from datetime import date, timedelta
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.factories import PASSWORD

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
LONG_NAME = "Айгерім Сәрсенбайқызы-Жұмабаева"
SKIP = re.compile(r"\.(pdf|csv|xlsx|jwt|json|zip|js|png|jpe?g|svg|ico)$|^/(media|reset|reauth|login/code|sw\.js)|/draft-media/")
# Downloads chosen by the query string (e.g. ?format=xlsx) are files, not pages.
DOWNLOAD_QUERY = re.compile(r"(^|&)(format|sep)=")


@pytest.fixture(scope="module")
def seeded(live_server):
    """A certified volunteer with a long Kazakh name and lessons led, so the tables have
    wide rows; plus a volunteer for each quiz run. Returns their emails."""
    from lms.auth.models import User
    from lms.certificates import services as certification
    from lms.certificates.models import LessonDelivery
    from lms.courses.models import Track
    from lms.extensions import db
    from lms.hubs.models import Hub
    from tests.factories import make_user

    with live_server["app"].app_context():
        hub = db.session.scalar(select(Hub).where(Hub.slug == "kokshetau"))
        coordinator = db.session.scalar(select(User).where(User.email == live_server["emails"]["coordinator"]))
        volunteer = make_user(hub, email="phone.first@browser.example.org", name=LONG_NAME)
        track = db.session.scalar(select(Track).order_by(Track.id))
        cert = certification.issue(volunteer, track, actor=coordinator, kind="in_person",
                                   note="Trained in person at the hub's spring session, assessed by two trainers.")
        for n in range(3):
            db.session.add(LessonDelivery(
                user_id=volunteer.id, hub_id=hub.id, track_id=track.id, certificate_id=cert.id,
                led_on=date.today() - timedelta(days=n), school=f"№{n + 12} мектеп-гимназиясы, Көкшетау қаласы",
                region="Ақмола облысы", children=24 + n, co_leader="Данияр Әбдіғаппарұлы", notes="Сынып белсенді болды."))
        quiz_takers = {size: make_user(hub, email=f"quiz-{size}@browser.example.org").email for size in ("phone", "desktop")}
        db.session.commit()
        db.session.remove()
    return {"volunteer": "phone.first@browser.example.org", "quiz": quiz_takers}


def log_in_as(page, server, email):
    page.goto(server["url"] + "/login")
    page.fill("#login", email)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.click("button[value=ru]")  # the longer words


def too_wide(page) -> list[str]:
    """Tables (and the page) reaching past the right edge of the viewport, measured."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth, found = [];
        if (document.documentElement.scrollWidth > width) found.push('page ' + document.documentElement.scrollWidth + 'px');
        document.querySelectorAll('table').forEach((table, n) => {
            const box = table.getBoundingClientRect();
            if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5 || box.width > width))
                found.push('table ' + n + ' (' + (table.querySelector('th') || table).textContent.trim().slice(0, 40) + ') '
                           + Math.round(box.width) + 'px');
        });
        return found;
    }""")


def walk(page, server, starts, limit=45):
    """Every same-site page reachable by links from `starts` (breadth first, two of each shape)."""
    base = server["url"]
    queue, seen, shapes, visited = deque(starts), set(starts), {}, []
    while queue and len(visited) < limit:
        path = queue.popleft()
        response = page.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append((path, page.url))
        yield path
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href)[0]
            if not href.startswith(base):
                continue
            link = urlparse(href)
            target = link.path + (f"?{link.query}" if link.query else "")
            shape = re.sub(r"/(lessons|files|quizzes|items|versions|compare)/.*", r"/\1/*", re.sub(r"\d+", "N", link.path))
            if target in seen or SKIP.search(link.path) or DOWNLOAD_QUERY.search(link.query) or shapes.get(shape, 0) >= 2:
                continue
            seen.add(target)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(target)


ROLE_STARTS = {
    "volunteer": ["/dashboard", "/courses", "/courses/bekind", "/courses/bekind/lessons/what-bullying-is",
                  "/courses/bekind/quizzes/final", "/certificates", "/lessons-led", "/account"],
    "trainer": ["/dashboard", "/teach/", "/reports/courses", "/author/"],
    "coordinator": ["/hub", "/dashboard", "/reports/courses", "/teach/", "/audit"],
    "admin": ["/admin/users", "/admin/hubs", "/reports/national", "/audit", "/author/", "/hub"],
}


@pytest.mark.parametrize("role", list(ROLE_STARTS))
def test_no_table_is_wider_than_a_360px_screen_on_any_page(browser, live_server, seeded, role):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in_as(page, live_server, seeded["volunteer"] if role == "volunteer" else live_server["emails"][role])
    problems, pages, tables = {}, 0, 0
    for path in walk(page, live_server, ROLE_STARTS[role]):
        pages += 1
        tables += page.locator("main table").count()
        if found := too_wide(page):
            problems[path] = found
    context.close()
    assert problems == {}, problems
    assert pages >= len(ROLE_STARTS[role]) and tables > 0, (pages, tables)


def test_a_wide_table_becomes_labelled_cards_on_a_phone_and_stays_a_table_on_a_desktop(browser, live_server, seeded):
    for viewport, stacked in ((PHONE, True), (DESKTOP, False)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        log_in_as(page, live_server, live_server["emails"]["coordinator"])
        page.goto(live_server["url"] + "/hub")
        page.goto(page.url.replace("/members", "/lessons-led"))
        table = page.locator("main table").first
        assert ("stack" in (table.get_attribute("class") or "")) is stacked, viewport
        if stacked:
            cell = table.locator("tbody td").first
            label = cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert cell.get_attribute("data-label") and label.strip('"') == cell.get_attribute("data-label")
        context.close()


def test_without_javascript_a_wide_table_scrolls_inside_its_box(browser, live_server, seeded):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in_as(page, live_server, live_server["emails"]["coordinator"])
    page.goto(live_server["url"] + "/hub")
    page.goto(page.url.replace("/members", "/lessons-led"))
    box = page.locator(".table-scroll").first
    assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the deliberate scroll
    assert "radial-gradient" in box.evaluate("b => getComputedStyle(b).backgroundImage")  # the edge shadow cue
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()


def test_phone_header_is_one_line_with_a_menu_button_and_marks_the_section(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in_as(page, live_server, live_server["emails"]["admin"])  # the longest menu
    page.goto(live_server["url"] + "/courses/bekind")
    header = page.locator("header.site").bounding_box()
    assert header["height"] <= 56, header  # one line: logo, languages, menu button
    assert page.locator("header.site .logo").is_visible()
    courses = page.locator("header.site nav a[href='/courses']")
    assert not courses.is_visible()
    page.click("header.site summary")
    assert courses.is_visible() and courses.get_attribute("aria-current") == "page"
    assert page.locator("header.site nav [aria-current=page]").count() == 1
    page.goto(live_server["url"] + "/reports/national")
    assert page.locator("header.site nav a[aria-current=page]").get_attribute("href") == "/admin/users"
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in_as(page, live_server, live_server["emails"]["admin"])
    page.goto(live_server["url"] + "/certificates")
    assert not page.locator("header.site summary").is_visible()
    current = page.locator("header.site nav a[aria-current=page]")
    assert current.is_visible() and current.get_attribute("href") == "/certificates"
    # The longest menu (admin, Russian) wraps in its own column beside the name, the bell and
    # the languages, which stay on the first line.
    assert page.locator("header.site").bounding_box()["height"] <= 96
    assert page.locator("header.site .lang").bounding_box()["y"] <= 40
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in_as(page, live_server, live_server["emails"]["volunteer"])
    assert page.locator("header.site").bounding_box()["height"] <= 66  # at most two short lines in Russian
    context.close()


def test_phone_menu_opens_without_javascript(browser, live_server):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server["url"] + "/courses")
    page.click("header.site summary")
    page.click("header.site nav a[href='/login']")
    assert page.url.endswith("/login")
    context.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_installable_with_icons_of_the_right_sizes(browser, live_server):
    # The page trusts the test server's certificate through the browser; this context's
    # own requests (page.request) need telling.
    context = browser.new_context(viewport=PHONE, ignore_https_errors=True)
    page = context.new_page()
    page.goto(live_server["url"] + "/courses")
    href = page.get_attribute("link[rel=manifest]", "href")
    response = page.request.get(live_server["url"] + href)
    assert response.status == 200 and response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    for member in ("name", "short_name", "start_url", "display", "theme_color", "icons"):
        assert manifest.get(member), member
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        image = page.request.get(live_server["url"] + icon["src"])
        assert image.status == 200 and image.headers["content-type"] == "image/png", icon
        width, height = png_size(image.body())
        assert icon["sizes"] == f"{width}x{height}", icon
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert page.request.get(live_server["url"] + "/favicon.ico").status == 200
    assert page.request.get(live_server["url"] + page.get_attribute("link[rel=icon]", "href")).status == 200
    # Chromium's own reading of it: no parse errors, nothing that stops installing.
    cdp = context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["errors"] == [], parsed["errors"]
    blocking = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    assert [e for e in blocking if e != "in-incognito"] == [], blocking  # test contexts are incognito
    context.close()


def test_lesson_reads_at_a_measure_on_a_desktop_and_says_which_lesson_it_is(browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in_as(page, live_server, live_server["emails"]["volunteer"])
    page.click("button[value=en]")
    page.goto(live_server["url"] + "/courses/bekind/lessons/what-bullying-is")
    assert re.search(r"Lesson 1 of \d+", page.inner_text(".lesson-number"))
    # The paragraph's width in "ch" (the width of a zero in its font): about 65-75.
    measure = page.evaluate("""() => {
        const p = document.querySelector('.content p'), probe = document.createElement('span');
        probe.textContent = '0'.repeat(10); p.appendChild(probe);
        const ch = probe.getBoundingClientRect().width / 10; probe.remove();
        return p.getBoundingClientRect().width / ch; }""")
    assert 60 <= measure <= 75, measure
    page.set_viewport_size(PHONE)  # on a phone the text takes the whole width
    assert page.locator(".content").bounding_box()["width"] >= 300
    context.close()


def set_time_limit(live_server, minutes):
    from lms.courses.models import Course, Quiz
    from lms.extensions import db

    with live_server["app"].app_context():
        quiz = db.session.scalar(select(Quiz).join(Course).where(Course.slug == "leading-as-volunteer", Quiz.slug == "final"))
        quiz.settings = {**quiz.settings, "time_limit_minutes": minutes}
        db.session.commit()
        db.session.remove()


def move_deadline(live_server, attempt_id, seconds):
    from lms.extensions import db
    from lms.learning.models import QuizAttempt
    from lms.models_base import utcnow

    with live_server["app"].app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.deadline_at = utcnow() + timedelta(seconds=seconds)
        db.session.commit()
        status = attempt.status
        db.session.remove()
    return status


def attempt_status(live_server, attempt_id):
    from lms.extensions import db
    from lms.learning.models import QuizAttempt

    with live_server["app"].app_context():
        status = db.session.get(QuizAttempt, attempt_id).status
        db.session.remove()
    return status


CHOICES_SELECTOR = "fieldset.question:has(input[type=radio], input[type=checkbox])"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_quiz_warns_counts_down_and_keeps_answers_across_a_reload(browser, live_server, seeded, size):
    set_time_limit(live_server, 30)
    context = browser.new_context(viewport=PHONE if size == "phone" else DESKTOP)
    page = context.new_page()
    url = live_server["url"]
    log_in_as(page, live_server, seeded["quiz"][size])
    page.click("button[value=en]")
    page.goto(url + "/courses/leading-as-volunteer")
    page.click("form[action$='/enrol'] button")
    page.goto(url + "/courses/leading-as-volunteer/quizzes/final")
    assert "Attempt 1 of 3 · 2 left" in page.inner_text("main")
    page.click("text=Start the quiz")
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    assert "Attempt 1 of 3 · 2 left" in page.inner_text("main")

    # The countdown runs from the server's seconds.
    clock = page.locator(".countdown strong")
    # quiz.js is deferred: on a busy machine the page is read before it first fills the clock.
    expect(clock).to_have_text(re.compile(r"^(29|30):\d\d$"))
    first = clock.inner_text()
    page.wait_for_timeout(1500)
    assert clock.inner_text() != first

    # A blank form is not graded and uses no attempt.
    page.click("text=Submit answers")
    assert "You have not answered any question" in page.inner_text("main")
    assert attempt_status(live_server, attempt_id) == "open"

    # Answers are kept on the device: a reload (or a dropped connection) loses nothing.
    choices = page.locator(CHOICES_SELECTOR)
    first, second = (choices.nth(n).locator("input").first for n in (0, 1))
    first.check()
    second.check()
    page.goto(url + f"/attempts/{attempt_id}")  # as after a reload or a lost connection
    first, second = (page.locator(CHOICES_SELECTOR).nth(n).locator("input").first for n in (0, 1))
    assert first.is_checked() and second.is_checked()
    assert page.locator("p.restored").is_visible()

    # Time runs out on the page; the server, not the page, decides what counts.
    move_deadline(live_server, attempt_id, 2)
    page.goto(url + f"/attempts/{attempt_id}")
    expect(page.locator(".countdown")).to_contain_text("Time is up", timeout=6000)
    assert page.locator(CHOICES_SELECTOR).first.locator("input").first.is_checked()

    # Unanswered questions are named before anything is graded; "submit anyway" grades.
    page.click("text=Submit answers")
    warning = page.inner_text(".unanswered-warning")
    assert re.search(r"\d+ questions have no answer", warning), warning
    assert page.locator("fieldset.unanswered").count() >= 1
    assert page.locator(CHOICES_SELECTOR).first.locator("input").first.is_checked()  # sent back as chosen
    assert attempt_status(live_server, attempt_id) == "open"
    page.click("button[name=submit_unanswered]")
    page.wait_for_url(f"**/attempts/{attempt_id}/result")
    assert attempt_status(live_server, attempt_id) == "graded"  # within the server's grace minute
    assert page.evaluate(f"localStorage.getItem('lms-quiz-{attempt_id}')") is None  # cleared once submitted
    assert "You have 2 attempts left." in page.inner_text("main")
    assert too_wide(page) == []
    context.close()
