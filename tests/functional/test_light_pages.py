"""Pages for weak connections: small when compressed, cached assets, conditional lesson pages."""

from __future__ import annotations

import re

import pytest

from lms.courses.importer import import_tree
from lms.domain.course_format import load_tree
from tests.conftest import login
from tests.factories import make_user

LIMIT = 30 * 1024
BROWSER = {"Accept-Encoding": "br, gzip, deflate"}


@pytest.fixture
def shipped(app):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tree, problems = load_tree(root / "courses", display_root=root)
    assert not problems
    import_tree(tree)


def transferred(client, url) -> tuple[int, str]:
    """Compressed bytes of a page plus the stylesheets and scripts it loads."""
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, url
    html = client.get(url).get_data(as_text=True)
    total = len(response.data)
    for asset in re.findall(r'(?:href|src)="(/assets/[^"]+)"', html):
        asset_response = client.get(asset, headers=BROWSER)
        assert asset_response.status_code == 200
        total += len(asset_response.data)
    return total, html


def test_learner_pages_are_under_30_kb_compressed_with_their_css_and_js(client, hub, shipped):
    login(client, make_user(hub))
    client.post("/courses/bekind/enrol")
    start = client.post("/courses/bekind/quizzes/final/start")
    attempt_url = start.headers["Location"]
    for url in ("/courses", "/courses/bekind", "/courses/bekind/lessons/running-a-bekind-lesson",
                "/courses/bekind/quizzes/final", attempt_url, "/dashboard"):
        size, html = transferred(client, url)
        assert size <= LIMIT, f"{url}: {size} bytes"
        # no third-party requests, no web fonts
        assert not re.search(r'(?:src|href)="(?:https?:)?//', re.sub(r"<a [^>]*>", "", html)), url


def test_responses_are_compressed(client):
    response = client.get("/courses", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_stylesheet_has_a_content_hashed_name_and_a_long_cache(client):
    html = client.get("/login").get_data(as_text=True)
    href = re.search(r'href="(/assets/css/site\.[0-9a-f]{10}\.css)"', html).group(1)
    response = client.get(href)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "@font-face" not in response.get_data(as_text=True)
    assert client.get(href.replace(href[-15:-5], "0000000000")).status_code == 404  # a stale name is not served


def test_lesson_page_answers_conditional_requests(client, hub, shipped):
    login(client, make_user(hub))
    client.post("/courses/bekind/enrol")
    url = "/courses/bekind/lessons/what-bullying-is"
    client.get(url)  # shows (and so clears) the "you are enrolled" message; pages with messages get no ETag
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    client.post(f"{url}/done")
    client.get("/courses/bekind")  # where the flash, if any, is shown
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_compressed_lesson_page_is_revalidated_without_building_it_again(app, client, hub, shipped):
    """Browsers hold the tag of the compressed page ("<tag>:gzip") and send that back."""
    from lms.main.page_cache import pages

    login(client, make_user(hub))
    client.post("/courses/bekind/enrol")
    url = "/courses/bekind/lessons/what-bullying-is"
    client.get(url)
    first = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    etag = first.headers["ETag"]
    assert first.headers.get("Content-Encoding") == "gzip" and etag.endswith(':gzip"')
    assert "Accept-Encoding" in first.headers["Vary"]
    with app.app_context():
        served = pages().hits + pages().misses
    again = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "br, gzip"})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    with app.app_context():
        assert pages().hits + pages().misses == served  # answered before the page was looked up


def test_a_kept_lesson_page_goes_out_gzipped_from_pieces_compressed_once(app, hub, shipped):
    """The gzip stream is joined from the page's pieces and the request's own parts (token,
    contents list): it must unpack (checksum and length checked) to exactly the plain page,
    for the learner who rendered it and for another who gets it from the cache."""
    import gzip

    from lms.main.page_cache import pages

    url = "/courses/bekind/lessons/what-bullying-is"
    learners = []
    for done in (False, True):
        learner = app.test_client()
        login(learner, make_user(hub))
        learner.post("/courses/bekind/enrol")
        if done:
            learner.post("/courses/bekind/lessons/cyberbullying/done")  # another tick in the contents list
        learner.get("/courses/bekind")  # shows and clears the flash: pages with one are not kept
        learners.append(learner)
    with app.app_context():
        pages().clear()
    bodies = []
    for learner in learners:  # the first renders and keeps the page, the second is served from it
        packed = learner.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
        assert int(packed.headers["Content-Length"]) == len(packed.data) < 0.5 * len(learner.get(url).data)
        plain = learner.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert "Content-Encoding" not in plain.headers
        assert gzip.decompress(packed.data) == plain.data
        bodies.append(plain.data)
    with app.app_context():
        assert pages().hits >= 3 and pages().misses == 1
    assert bodies[0] != bodies[1]  # each learner's own ticks and token, in one kept page


def test_offline_marks_are_accepted_once_per_key_and_checked(client, hub, make_course):
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.learning.models import LessonProgress

    course = make_course()
    login(client, make_user(hub))
    body = {"key": "k-123456789", "course": course.slug, "lesson": "lesson-1"}
    headers = {"X-LMS-Sync": "1"}
    assert client.post("/sync/lesson-done", json=body, headers=headers).status_code == 409  # not enrolled: refused
    client.post(f"/courses/{course.slug}/enrol")
    assert client.post("/sync/lesson-done", json=body, headers=headers).get_json()["status"] == "done"
    assert client.post("/sync/lesson-done", json=body, headers=headers).get_json()["status"] == "duplicate"
    assert client.post("/sync/lesson-done", json=body).status_code == 400  # no custom header: not our script
    assert client.post("/sync/lesson-done", json=body, headers={**headers, "Origin": "https://evil.example"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_offline_manifest_lists_pages_and_images_but_no_quiz(client, hub, make_course):
    course = make_course(lessons=3)
    login(client, make_user(hub))
    urls = client.get(f"/courses/{course.slug}/offline.json").get_json()["urls"]
    assert f"/courses/{course.slug}/lessons/lesson-3" in urls and not any("quiz" in url for url in urls)
    assert any(url.startswith("/assets/js/offline.") for url in urls)
    worker = client.get("/sw.js")
    assert worker.headers["Service-Worker-Allowed"] == "/" and "text/javascript" in worker.content_type
