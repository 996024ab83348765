"""The kept lesson page (lms.main.page_cache): shared between learners in the same state,
never showing one learner's page to another, and changed at once by any change of state."""

from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.main.page_cache import RenderedPages, page, pages
from tests.conftest import login
from tests.factories import make_hub, make_user


def rendered(*args, **kwargs) -> bytes:
    """The kept page as plain text, as a browser without gzip gets it."""
    return page(*args, gzip=False, **kwargs).body

LESSON = "/courses/{slug}/lessons/lesson-2"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]{40,}"', 'value="TOKEN"', html)


def _learner(app, hub, name, email):
    client = app.test_client()
    login(client, make_user(hub, name=name, email=email))
    return client


def _enrol(course, *clients) -> None:
    for client in clients:
        client.post(f"/courses/{course.slug}/enrol")
        client.get("/", follow_redirects=True)  # the enrolment's flash is shown here, not on the lesson page


def test_two_learners_in_the_same_state_share_the_page_but_not_the_token(app, hub, make_course):
    course = make_course("shared", lessons=3)
    first = _learner(app, hub, "Aigerim Unique", "aigerim@example.org")
    second = _learner(app, hub, "Marat Other", "marat@example.org")
    _enrol(course, first, second)

    with app.app_context():
        cache = pages()
        hits_before = cache.hits
    page_one = first.get(LESSON.format(slug=course.slug)).get_data(as_text=True)
    page_two = second.get(LESSON.format(slug=course.slug)).get_data(as_text=True)
    assert cache.hits == hits_before + 1  # the second learner got the kept page

    assert _token(page_one) != _token(page_two)
    assert _without_tokens(page_one) == _without_tokens(page_two)
    for private in ("Aigerim", "aigerim@example.org"):
        assert private not in page_two
    # The token filled in is the second learner's own: their form is accepted.
    second.csrf = False
    done = second.post(f"/courses/{course.slug}/lessons/lesson-2/done", data={"csrf_token": _token(page_two)})
    assert done.status_code == 302


def test_every_change_of_what_the_page_shows_is_seen_at_once(app, hub, make_course):
    course = make_course("changing", lessons=3)
    user = make_user(hub)
    client = app.test_client()
    login(client, user)
    url = LESSON.format(slug=course.slug)

    assert "Enrol to track your progress" in client.get(url).get_data(as_text=True)
    client.post(f"/courses/{course.slug}/enrol")
    client.get("/", follow_redirects=True)
    enrolled = client.get(url).get_data(as_text=True)
    assert "Mark as done and continue" in enrolled

    client.post(f"/courses/{course.slug}/lessons/lesson-2/done")
    done = client.get(url).get_data(as_text=True)
    assert "You marked this lesson as done." in done
    client.post(f"/courses/{course.slug}/lessons/lesson-2/undo")
    assert "Mark as done and continue" in client.get(url).get_data(as_text=True)

    # The page's language follows the learner's choice at once.
    client.post("/language", data={"lang": "ru"})
    assert 'lang="ru"' in client.get(url).get_data(as_text=True)
    client.post("/language", data={"lang": "en"})

    # A new role changes the menu on the next page.
    from lms.auth.models import User

    assert "/author" not in client.get(url).get_data(as_text=True)
    row = db.session.get(User, user.id)
    row.roles_text = "volunteer,trainer"
    db.session.commit()
    assert "/author" in client.get(url).get_data(as_text=True)


def test_a_published_change_replaces_the_kept_page(app, hub, make_course):
    course = make_course("republished", lessons=3, body="The first wording.\n")
    client = app.test_client()
    login(client, make_user(hub))
    url = LESSON.format(slug=course.slug)
    assert "The first wording." in client.get(url).get_data(as_text=True)
    make_course("republished", lessons=3, body="The corrected wording.\n")  # a new revision
    page = client.get(url).get_data(as_text=True)
    assert "The corrected wording." in page and "The first wording." not in page


def test_hub_settings_named_in_a_lesson_change_at_once(app, make_course):
    course = make_course("route", lessons=2, body="Report to {hub:safeguarding}.\n")
    hub = make_hub(name="North", safeguarding="Aigerim, +7 700 000 00 01")
    client = app.test_client()
    login(client, make_user(hub))
    url = f"/courses/{course.slug}/lessons/lesson-1"
    assert "Aigerim, +7 700 000 00 01" in client.get(url).get_data(as_text=True)
    hub.safeguarding = "Dana, +7 700 000 00 09"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Dana, +7 700 000 00 09" in page and "Aigerim" not in page


def test_a_flash_message_is_shown_once_and_never_kept(app, hub, make_course):
    course = make_course("flashy", lessons=3)
    client = app.test_client()
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")  # flashes "You are enrolled"
    first_lesson = f"/courses/{course.slug}/lessons/lesson-1"
    assert "You are enrolled" in client.get(first_lesson).get_data(as_text=True)
    assert "You are enrolled" not in client.get(first_lesson).get_data(as_text=True)
    other = app.test_client()
    login(other, make_user(hub, email="other@example.org"))
    other.post(f"/courses/{course.slug}/enrol")
    other.get("/", follow_redirects=True)
    assert "You are enrolled" not in other.get(first_lesson).get_data(as_text=True)


def test_no_page_is_kept_when_the_cache_is_turned_off(app, hub, make_course):
    app.config["PAGE_CACHE_BYTES"] = 0
    course = make_course("uncached", lessons=2)
    client = app.test_client()
    login(client, make_user(hub))
    for _ in range(2):
        assert client.get(f"/courses/{course.slug}/lessons/lesson-1").status_code == 200
    with app.app_context():
        assert len(pages()) == 0 and pages().hits == 0


def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used():
    cache = RenderedPages(max_bytes=10_000)
    for n in range(5):
        cache.put(n, f"page {n}", 2_400)
    assert cache.size <= 10_000 and len(cache) == 4
    assert cache.get(0) is None  # the oldest went first
    cache.get(1)  # used again: now the newest
    cache.put(5, "page 5", 2_400)
    assert cache.get(1) == "page 1" and cache.get(2) is None
    cache.put("huge", "z", 5_000)  # more than a quarter of the cache: not kept
    assert cache.get("huge") is None


def test_a_shared_part_is_kept_once_and_pages_come_back_byte_for_byte(app):
    body = "<p>" + "A long lesson body. " * 40 + "</p>"
    with app.test_request_context():
        from flask_wtf.csrf import generate_csrf

        token = generate_csrf()
        first = rendered(("page", 1), lambda: f"<form>{token}</form>{body}<i>{token}</i>", shared=("body", lambda: body))
        second = rendered(("page", 2), lambda: f"<b>other</b>{body}<i>{token}</i>", shared=("body", lambda: body))
        cache = pages()
        assert len(cache) == 3  # two pages and one copy of the body
        assert cache.size < 2 * len(body)
        assert rendered(("page", 1), lambda: "never rendered", shared=("body", lambda: body)) == first
        assert rendered(("page", 2), lambda: "never rendered", shared=("body", lambda: body)) == second
        # Without its shared part a kept page is rendered again, not served in pieces.
        cache._entries.pop(("shared", "body"))
        assert rendered(("page", 1), lambda: "rendered again", shared=("body", lambda: body)) == b"rendered again"


def test_a_lesson_removed_in_a_new_revision_is_gone_at_once(app, hub, make_course, tmp_path):
    course = make_course("shrinking", lessons=3)
    client = app.test_client()
    login(client, make_user(hub))
    first = client.get(f"/courses/{course.slug}/lessons/lesson-1").get_data(as_text=True)
    assert "/lessons/lesson-3" in first and client.get(f"/courses/{course.slug}/lessons/lesson-3").status_code == 200
    (tmp_path / "courses-shrinking" / "shrinking" / "03-lesson-3.md").unlink()
    make_course("shrinking", lessons=2)  # a new revision without lesson 3
    assert client.get(f"/courses/{course.slug}/lessons/lesson-3").status_code == 404
    assert "/lessons/lesson-3" not in client.get(f"/courses/{course.slug}/lessons/lesson-1").get_data(as_text=True)


def _contents(html: str) -> str:
    return re.search(r'<details class="toc-box"[^>]*>(.*?)</details>', html, re.S).group(1)


def test_learners_at_different_points_share_the_page_each_with_their_own_ticks(app, hub, make_course):
    """The contents list is filled in per learner; the rest of the page is kept once."""
    course = make_course("progressing", lessons=3)
    ahead = _learner(app, hub, "Ahead", "ahead@example.org")
    behind = _learner(app, hub, "Behind", "behind@example.org")
    _enrol(course, ahead, behind)
    for lesson in ("lesson-1", "lesson-3"):
        ahead.post(f"/courses/{course.slug}/lessons/{lesson}/done")
    ahead.get("/", follow_redirects=True)  # its flashes shown here, not on the lesson page

    url = LESSON.format(slug=course.slug)
    with app.app_context():
        cache = pages()
    page_ahead = ahead.get(url).get_data(as_text=True)
    misses = cache.misses
    page_behind = behind.get(url).get_data(as_text=True)
    assert cache.misses == misses  # the lesson itself was not rendered again

    list_ahead, list_behind = _contents(page_ahead), _contents(page_behind)
    assert list_ahead.count("✓") == 2 and "· 50%" in list_ahead  # two of three lessons, quiz not passed: 2 of 4
    assert "✓" not in list_behind and "· 0%" in list_behind
    for html in (list_ahead, list_behind):
        assert html.count('aria-current="page"') == 1 and 'class=" current"' in html
    assert _without_tokens(page_ahead).replace(list_ahead, "") == _without_tokens(page_behind).replace(list_behind, "")

    # A tick on another lesson changes this page's list and its tag at once.
    tag = behind.get(url).headers["ETag"]
    behind.post(f"/courses/{course.slug}/lessons/lesson-3/done")
    behind.get("/", follow_redirects=True)
    after = behind.get(url, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert _contents(after.get_data(as_text=True)).count("✓") == 1


def test_a_contents_line_is_rendered_as_the_course_page_renders_it(app, hub, make_course):
    course = make_course("alike", lessons=2)
    client = app.test_client()
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    client.post(f"/courses/{course.slug}/lessons/lesson-1/done")
    client.get("/", follow_redirects=True)
    lesson_page = client.get(f"/courses/{course.slug}/lessons/lesson-2").get_data(as_text=True)
    course_page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    done_line = re.search(r'<li class="done">.*?</li>', course_page).group(0)
    assert done_line in lesson_page and "(done)" in done_line


def test_a_slot_is_kept_as_its_marker_and_filled_per_request(app):
    body = "<p>" + "Shared text. " * 30 + "</p>"
    with app.test_request_context():
        def render():
            return f"<h1>Lesson</h1>{body}<div>\x00list\x00</div>"

        first = rendered(("slotted", 1), render, shared=("body-s", lambda: body), slots={b"\x00list\x00": b"<ol>mine</ol>"})
        second = rendered(("slotted", 1), lambda: "never rendered", shared=("body-s", lambda: body),
                          slots={b"\x00list\x00": b"<ol>yours</ol>"})
        assert first.endswith(b"<div><ol>mine</ol></div>") and second.endswith(b"<div><ol>yours</ol></div>")
        assert first.replace(b"mine", b"yours") == second
        # Not kept (None as key): filled just the same.
        assert rendered(None, render, slots={b"\x00list\x00": b"x"}).endswith(b"<div>x</div>")


@pytest.mark.parametrize("seed", range(6))
def test_a_gzipped_page_unpacks_to_the_plain_page_whatever_its_pieces(app, seed):
    """Pieces of any length (empty, a few bytes, stored; long, compressed), slots at the
    edges and side by side, a shared part or none: one valid gzip stream, same text."""
    import gzip
    import random

    from flask_wtf.csrf import generate_csrf

    rng = random.Random(seed)
    words = ["Бала", "құқығы", "rights", "<b>", "&amp;", "\n", "x" * rng.randint(0, 400)]

    def text(limit):
        return "".join(rng.choice(words) for _ in range(rng.randint(0, limit)))

    slot = b"\x00list\x00"
    with app.test_request_context():
        token = generate_csrf()
        body = text(300) or "body"
        html = f"{text(5)}\x00list\x00{text(40)}{token}{body}{token}\x00list\x00{text(3)}"
        fill = {slot: text(200).encode()}
        shared = ("gz-body", seed), lambda: body
        kept = page(("gz", seed), lambda: html, shared=shared, slots=fill, gzip=True)  # rendered now
        again = page(("gz", seed), lambda: "never rendered", shared=shared, slots=fill, gzip=True)  # from the cache
        plain = page(("gz", seed), lambda: "never rendered", shared=shared, slots=fill, gzip=False)
    assert kept.encoding == again.encoding == "gzip" and plain.encoding is None
    assert gzip.decompress(kept.body) == gzip.decompress(again.body) == plain.body
    assert plain.body == html.replace("\x00list\x00", fill[slot].decode()).encode()


def test_a_page_goes_gzipped_only_to_a_browser_that_takes_it(app):
    with app.test_request_context(headers={"Accept-Encoding": "br, gzip;q=0"}):
        assert page(("gz-refused",), lambda: "<p>" + "x" * 900 + "</p>").encoding is None
    with app.test_request_context(headers={"Accept-Encoding": "deflate, gzip"}):
        assert page(("gz-taken",), lambda: "<p>" + "x" * 900 + "</p>").encoding == "gzip"
        assert page(None, lambda: "<p>not kept</p>").encoding is None  # left to Flask-Compress
