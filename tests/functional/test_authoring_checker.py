"""The browser editor runs the same checker as `courses check`: an alias bomb typed into
the editor is refused at once with its line, and the preview stays bounded."""

from __future__ import annotations

import html
import io
import re
import time
import zipfile

from sqlalchemy import func, select

from lms.authoring.models import CourseAuthor, CourseDraft
from lms.authoring.preview import preview
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user

BOMB = "\n".join(['a0: &a0 ["xxxxxxxx"' + ', "xxxxxxxx"' * 9 + "]"]
                 + [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 18)])


def edit_form(client, slug: str, path: str) -> dict:
    page = client.get(f"/author/{slug}/files/{path}").get_data(as_text=True)
    return {
        "file_id": re.search(r'name="file_id" type="hidden" value="(\d+)"', page).group(1),
        "revision": re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1),
    }


def test_an_alias_bomb_in_the_editor_preview_is_refused_within_a_second_with_its_line(app, client, hub, make_course):
    make_course()
    trainer = make_user(hub, roles=("trainer",))
    db.session.add(CourseAuthor(course_slug="test-course", user_id=trainer.id, role="co-author"))
    db.session.commit()
    login(client, trainer)
    assert client.post("/author/test-course/draft").status_code in (200, 302)
    path = "01-lesson-1.md"
    text = f"---\ntitle: Bomb\n{BOMB}\n---\nBody.\n"
    assert 900 < len(text.encode()) < 1100
    form = edit_form(client, "test-course", path)
    started = time.perf_counter()
    response = client.post(f"/author/test-course/files/{path}", data={**form, "text": text, "preview": "1"})
    assert time.perf_counter() - started < 1.0
    page = html.unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))
    assert "line 3: anchors and aliases ('&name', '*name') are not allowed" in page


def test_preview_refuses_the_bomb_and_oversized_text_quickly():
    started = time.perf_counter()
    shown = preview("c/01-a.md", f"---\ntitle: Bomb\n{BOMB}\n---\nBody.\n", {}, "/media/c/")
    assert shown.title == "" and "Body." in shown.body_html
    huge = preview("c/01-a.md", "---\ntitle: Big\n---\n" + "x " * 400_000, {}, "/media/c/")
    assert huge.body_html == "" and huge.questions == []
    assert time.perf_counter() - started < 1.0


def test_preview_shows_a_fenced_quiz_example_as_code_not_as_questions():
    text = "---\ntitle: L\n---\n```\n::: quiz\n### Q a\nA?\n\n(x) Yes\n:::\n```\n"
    shown = preview("c/01-a.md", text, {}, "/media/c/")
    assert shown.questions == [] and "::: quiz" in shown.body_html


def test_a_preview_that_renders_too_long_shows_the_plain_text_instead():
    slow = "---\ntitle: Slow\n---\n" + "[" * 3000 + "\n"  # seconds of work for Python-Markdown
    started = time.perf_counter()
    shown = preview("c/01-a.md", slow, {}, "/media/c/", seconds=0.2)
    assert time.perf_counter() - started < 1.0
    assert shown.body_html.startswith("<pre>---\ntitle: Slow") and shown.questions == []
    quick = preview("c/01-a.md", "---\ntitle: Quick\n---\nText.\n", {}, "/media/c/", seconds=0.2)
    assert quick.title == "Quick" and "<p>Text.</p>" in quick.body_html


def test_a_zip_upload_with_a_symbolic_link_changes_nothing(app, client, hub, make_course):
    make_course()
    trainer = make_user(hub, roles=("trainer",))
    db.session.add(CourseAuthor(course_slug="test-course", user_id=trainer.id, role="co-author"))
    db.session.commit()
    login(client, trainer)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("test-course/course.md", "---\ntitle: X\ntrack: violence-prevention\nlanguage: en\n---\n")
        link = zipfile.ZipInfo("test-course/01-a.md")
        link.create_system, link.external_attr = 3, 0o120777 << 16  # a Unix symbolic link to /etc/passwd
        out.writestr(link, "/etc/passwd")
    response = client.post("/author/import", data={"archive": (io.BytesIO(archive.getvalue()), "c.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "symbolic link in archive: test-course/01-a.md" in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0
