"""Phone-first pages through the test client: the web app manifest and icons, the favicon,
the menu's current section, and "lesson 3 of 6"."""

from __future__ import annotations

import re
import struct

import pytest

from lms.main.chrome import _sections, mark_section
from tests.conftest import login
from tests.factories import make_user


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_has_what_installing_needs_and_its_icons_load_at_their_sizes(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/dashboard" and manifest["scope"] == "/"
    assert manifest["name"] and manifest["short_name"] and re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    png = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in png} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in png)
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == icon["type"], icon
        if icon["type"] == "image/png":
            width, height = png_size(image.data)
            assert icon["sizes"] == f"{width}x{height}"


def test_manifest_speaks_the_visitors_language(client):
    russian = client.get("/manifest.webmanifest", headers={"Accept-Language": "ru"}).get_json(force=True)
    english = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"}).get_json(force=True)
    assert russian["lang"] == "ru" and russian["short_name"] != english["short_name"]
    assert "Accept-Language" in client.get("/manifest.webmanifest").headers["Vary"]


def test_every_page_links_the_manifest_icon_and_theme_colour(client):
    page = client.get("/courses").get_data(as_text=True)
    manifest = re.search(r'<link rel="manifest" href="([^"]+)">', page).group(1)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert manifest == "/manifest.webmanifest" and client.get(icon).status_code == 200
    assert '<meta name="theme-color" content="#0b5ea8">' in page


def test_favicon_is_served_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon" and response.data[:4] == b"\x00\x00\x01\x00"


def header(html: str) -> str:
    return html[html.index('<header class="site"'):html.index("</header>")]


@pytest.mark.parametrize(("path", "current"), [
    ("/courses", "/courses"), ("/courses/bekind", "/courses"), ("/certificates", "/certificates"),
    ("/lessons-led", "/certificates"), ("/account", "/account"), ("/dashboard", "/dashboard"),
])
def test_menu_marks_the_current_section_once(client, hub, path, current):
    from pathlib import Path

    from lms.courses.importer import import_tree
    from lms.domain.course_format import load_tree

    root = Path(__file__).resolve().parents[2]
    import_tree(load_tree(root / "courses", display_root=root)[0])
    login(client, make_user(hub))
    bar = header(client.get(path).get_data(as_text=True))
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', bar) == [current]
    assert "data-section" not in bar.replace('class="bell" data-section', "")  # markers do not reach the page
    assert "<details class=\"menu\">" in bar and "<summary>" in bar  # the phone menu needs no script


def test_national_report_belongs_to_admin_not_my_hub(client, hub):
    login(client, make_user(hub, roles=("admin",)))
    bar = header(client.get("/reports/national").get_data(as_text=True))
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', bar) == ["/admin/users"]


def test_mark_section_takes_the_longest_whole_segment_prefix():
    html = ('<a href="/h" data-section="/hub /reports">H</a><a href="/a" data-section="/admin /reports/national">A</a>'
            '<a href="/c" data-section="/courses">C</a>')
    sections = _sections(html)
    assert 'href="/a" aria-current="page"' in mark_section(html, "/reports/national", sections)
    assert 'href="/h" aria-current="page"' in mark_section(html, "/reports/hub/3", sections)
    assert "aria-current" not in mark_section(html, "/coursesx", sections)  # a prefix ends at a slash
    assert "aria-current" not in mark_section(html, "/", sections) and "data-section" not in mark_section(html, "/", sections)


def test_lesson_page_says_which_lesson_of_how_many(client, hub, make_course):
    course = make_course(lessons=4, lesson_quiz_questions=1)
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    for number in (1, 3):
        page = client.get(f"/courses/{course.slug}/lessons/lesson-{number}").get_data(as_text=True)
        assert f"Lesson {number} of 4" in page  # quizzes between lessons are not counted


def test_two_factor_set_up_page_gets_its_stylesheet_and_icons(make_app, hub):
    """Staff who must set up two-factor login first are sent to that page for everything
    else, but not for the page's own stylesheet, scripts, icon and manifest."""
    from tests.factories import make_hub

    app = make_app(REQUIRE_2FA_FOR_STAFF=True)
    client = app.test_client()
    login(client, make_user(make_hub("aktau"), roles=("coordinator",)))
    page = client.get("/account/two-factor").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/assets/[^"]+)"', page)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".svg") for a in assets)
    for url in [*assets, "/manifest.webmanifest", "/favicon.ico"]:
        assert client.get(url).status_code == 200, url
    assert client.get("/dashboard").status_code == 302  # everything else still waits for the set-up
