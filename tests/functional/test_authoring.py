"""Authoring in the browser over HTTP: create, edit, validate, preview, publish, history,
restore, zip round trip, uploads, optimistic locking and who may do what."""

from __future__ import annotations

import io
import re
import threading
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.authoring.models import CourseAuthor, CourseDraft, CourseVersion, DraftFile
from lms.courses.models import Course, Lesson, LessonText
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user


def co_author(app, hub):
    """A trainer added as co-author of 'test-course', logged in on their own client."""
    trainer = make_user(hub, roles=("trainer",))
    db.session.add(CourseAuthor(course_slug="test-course", user_id=trainer.id, role="co-author"))
    db.session.commit()
    client = app.test_client()
    login(client, trainer)
    return client, trainer


@pytest.fixture
def author(app, hub, make_course):
    make_course()
    return co_author(app, hub)


def draft_text(slug: str, path: str) -> str:
    row = db.session.scalar(
        select(DraftFile).join(CourseDraft).where(CourseDraft.course_slug == slug, DraftFile.path == path)
    )
    return row.content.decode()


def edit_form(client, slug: str, path: str) -> dict:
    page = client.get(f"/author/{slug}/files/{path}").get_data(as_text=True)
    return {
        "file_id": re.search(r'name="file_id" type="hidden" value="(\d+)"', page).group(1),
        "revision": re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1),
    }


def save(client, slug: str, path: str, text: str, base: dict | None = None):
    base = base or edit_form(client, slug, path)
    return client.post(f"/author/{slug}/files/{path}", data={**base, "text": text, "save": "1"})


def lesson_html(client, slug: str, lesson: str) -> str:
    return client.get(f"/courses/{slug}/lessons/{lesson}").get_data(as_text=True)


def test_trainer_creates_writes_previews_and_publishes_a_course(app, client, hub, make_course):
    make_course()  # the tracks
    trainer = make_user(hub, roles=("trainer",))
    login(client, trainer)
    response = client.post("/author/new", data={"title": "Чистый двор", "track": "violence-prevention",
                                                "language": "ru", "summary": "Как убрать двор с детьми."})
    assert response.status_code == 302
    slug = "chistyi-dvor"
    assert response.headers["Location"].endswith(f"/author/{slug}/")
    assert db.session.get(CourseAuthor, (slug, trainer.id)).role == "owner"
    assert client.get("/courses/chistyi-dvor").status_code == 404  # nothing published yet

    # A mistake is saved to the draft but reported with its line, and blocks publishing.
    broken = "---\ntitle: Введение\nminutes: ten\n---\nТекст.\n"
    page = save(client, slug, "01-introduction.md", broken)
    assert page.status_code == 302
    page = client.get(f"/author/{slug}/files/01-introduction.md").get_data(as_text=True)
    assert "line 3" in page and "must be a whole number" in page
    refused = client.post(f"/author/{slug}/publish", data={})
    assert refused.status_code == 409 and "01-introduction.md:3" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Course).where(Course.slug == slug)) == 0

    # Preview renders through the sanitiser and saves nothing.
    text = "---\ntitle: Введение\nminutes: 10\n---\nЭто **важно**.\n<script>alert(1)</script>\n"
    preview = client.post(f"/author/{slug}/files/01-introduction.md",
                          data={**edit_form(client, slug, "01-introduction.md"), "text": text, "preview": "1"})
    html = preview.get_data(as_text=True)
    assert "<strong>важно</strong>" in html and "<script>alert" not in html
    assert draft_text(slug, "01-introduction.md") == broken

    assert save(client, slug, "01-introduction.md", text).status_code == 302
    response = client.post(f"/author/{slug}/publish", data={"note": "first"})
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    assert course.revision == 1 and db.session.scalar(select(CourseDraft)) is None
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.course_id == course.id))
    assert (version.origin, version.note, version.created_by) == ("browser", "first", trainer.id)

    volunteer = make_user(hub)
    reader = app.test_client()
    login(reader, volunteer)
    assert "Чистый двор" in reader.get("/courses").get_data(as_text=True)
    reader.post(f"/courses/{slug}/enrol")
    assert "<strong>важно</strong>" in lesson_html(reader, slug, "introduction")


def test_learners_see_edits_only_after_publishing_and_restore_brings_back_a_version(app, hub, author):
    client, _trainer = author
    volunteer = make_user(hub)
    reader = app.test_client()
    login(reader, volunteer)
    reader.post("/courses/test-course/enrol")
    assert "Some <strong>text</strong>" in lesson_html(reader, "test-course", "lesson-1")

    assert client.post("/author/test-course/draft").status_code == 302
    new_text = "---\ntitle: Lesson 1\nminutes: 10\n---\n## Part 1\n\nA brand new paragraph.\n"
    assert save(client, "test-course", "01-lesson-1.md", new_text).status_code == 302
    assert "brand new" not in lesson_html(reader, "test-course", "lesson-1")  # still the published text

    assert client.post("/author/test-course/publish", data={"note": "rewrite"}).status_code == 302
    assert "brand new" in lesson_html(reader, "test-course", "lesson-1")

    history = client.get("/author/test-course/versions").get_data(as_text=True)
    assert "rewrite" in history and "imported from files" in history
    diff = client.get("/author/test-course/compare?from=1&to=2&path=01-lesson-1.md").get_data(as_text=True)
    assert "A brand new paragraph." in diff and "Some **text** for the lesson." in diff

    assert client.post("/author/test-course/versions/1/restore").status_code == 302
    assert "Some **text**" in draft_text("test-course", "01-lesson-1.md")
    assert "brand new" in lesson_html(reader, "test-course", "lesson-1")  # restore only makes a draft
    client.post("/author/test-course/publish", data={})
    course = db.session.scalar(select(Course).where(Course.slug == "test-course"))
    assert course.revision == 3
    assert "Some <strong>text</strong>" in lesson_html(reader, "test-course", "lesson-1")


def test_exported_zip_passes_the_checker_and_reimports_as_the_same_course(app, author, tmp_path):
    client, _trainer = author
    client.post("/author/test-course/draft")
    save(client, "test-course", "02-lesson-2.md", "---\ntitle: Lesson two, edited\nminutes: 10\n---\nEdited.\n")
    client.post("/author/test-course/publish", data={})
    response = client.get("/author/test-course/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path)

    result = app.test_cli_runner().invoke(args=["courses", "check", str(tmp_path / "test-course")])
    assert result.exit_code == 0 and result.output.startswith("ok:"), result.output

    before = db.session.scalar(select(Course).where(Course.slug == "test-course"))
    upload = client.post("/author/import", data={"archive": (io.BytesIO(response.data), "test-course.zip")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    published = client.post("/author/test-course/publish", data={})
    assert "Nothing had changed" in client.get(published.headers["Location"]).get_data(as_text=True)
    after = db.session.scalar(select(Course).where(Course.slug == "test-course"))
    assert (after.revision, after.source_hash) == (before.revision, before.source_hash)


def test_zip_with_problems_or_path_tricks_changes_nothing(author):
    client, _trainer = author
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("test-course/course.md", "---\ntitle: X\ntrack: no-such-track\nlanguage: en\n---\n")
        archive.writestr("test-course/01-a.md", "---\ntitle: A\n---\nText\n")
    response = client.post("/author/import", data={"archive": (io.BytesIO(broken.getvalue()), "c.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "unknown track" in response.get_data(as_text=True)
    escaping = io.BytesIO()
    with zipfile.ZipFile(escaping, "w") as archive:
        archive.writestr("../evil/course.md", "x")
    response = client.post("/author/import", data={"archive": (io.BytesIO(escaping.getvalue()), "e.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "unsafe path" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_image_upload_checks_content_not_name(app, author):
    client, _trainer = author
    client.post("/author/test-course/draft")

    def upload(data: bytes, name: str):
        client.post("/author/test-course/images", data={"image": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
        return client.get("/author/test-course/").get_data(as_text=True)

    page = upload(b"<html><script>alert(1)</script></html>", "photo.png")
    assert "not a PNG, JPEG or WebP image" in page
    page = upload(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "logo.svg")
    assert "SVG images are not accepted" in page
    app.config["AUTHOR_IMAGE_MAX_BYTES"] = 1000
    assert "larger than" in upload(png_bytes((400, 400)), "big.png")
    app.config["AUTHOR_IMAGE_MAX_BYTES"] = 2 * 1024 * 1024
    paths = set(db.session.scalars(select(DraftFile.path)))
    assert not any(p.startswith("images/") for p in paths)

    upload(png_bytes(), "Фото двора.JPG")  # a PNG under a JPEG name: stored by what it is
    assert "images/foto-dvora.png" in set(db.session.scalars(select(DraftFile.path)))
    media = client.get("/author/test-course/draft-media/images/foto-dvora.png")
    assert media.status_code == 200 and media.mimetype == "image/png"

    text = "---\ntitle: Lesson 1\nminutes: 10\n---\n![Our yard](images/foto-dvora.png)\n"
    save(client, "test-course", "01-lesson-1.md", text)
    client.post("/author/test-course/publish", data={})
    assert client.get("/media/test-course/images/foto-dvora.png").status_code == 200


def test_second_save_from_the_same_base_is_refused_and_nothing_is_lost(app, hub, author):
    first, _trainer = author
    second, _other = co_author(app, hub)
    first.post("/author/test-course/draft")
    base_first = edit_form(first, "test-course", "01-lesson-1.md")
    base_second = edit_form(second, "test-course", "01-lesson-1.md")
    assert base_first == base_second

    mine = "---\ntitle: Lesson 1\nminutes: 10\n---\nFirst trainer's words.\n"
    theirs = "---\ntitle: Lesson 1\nminutes: 10\n---\nSecond trainer's words.\n"
    assert save(first, "test-course", "01-lesson-1.md", mine, base_first).status_code == 302
    refused = save(second, "test-course", "01-lesson-1.md", theirs, base_second)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "someone else saved this file" in page
    assert "Second trainer&#39;s words." in page  # their text is still in the form
    assert draft_text("test-course", "01-lesson-1.md") == mine

    # Saving again from the conflict page is a deliberate overwrite.
    retry = {"file_id": re.search(r'name="file_id" type="hidden" value="(\d+)"', page).group(1),
             "revision": re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)}
    assert save(second, "test-course", "01-lesson-1.md", theirs, retry).status_code == 302
    assert draft_text("test-course", "01-lesson-1.md") == theirs


def test_reorder_hide_and_retire(app, hub, author):
    client, _trainer = author
    client.post("/author/test-course/draft")
    client.post("/author/test-course/lessons/lesson-3/move", data={"direction": "up"})
    paths = set(db.session.scalars(select(DraftFile.path)))
    assert {"02-lesson-3.md", "03-lesson-2.md"} <= paths
    client.post("/author/test-course/lessons/lesson-1/hide")
    assert "hidden: true" in draft_text("test-course", "01-lesson-1.md")
    assert client.post("/author/test-course/publish", data={}).status_code == 302

    lessons = db.session.execute(select(Lesson.slug, Lesson.position, Lesson.removed)
                                 .order_by(Lesson.position)).all()
    assert [(s, r) for s, _p, r in lessons] == [("lesson-1", True), ("lesson-3", False), ("lesson-2", False)]
    volunteer = make_user(hub)
    reader = app.test_client()
    login(reader, volunteer)
    reader.post("/courses/test-course/enrol")
    outline = reader.get("/courses/test-course").get_data(as_text=True)
    assert "Lesson 1" not in outline and outline.index("Lesson 3") < outline.index("Lesson 2")

    # Only the owner or an admin retires; the co-author may not.
    assert client.post("/author/test-course/retire").status_code == 403
    admin = app.test_client()
    login(admin, make_user(hub, roles=("admin",)))
    admin.post("/author/test-course/retire")
    assert "Course test-course" not in reader.get("/courses").get_data(as_text=True)
    assert reader.get("/courses/test-course/lessons/lesson-2").status_code == 200  # history stays readable


def test_who_may_reach_the_editor(app, hub, other_hub, author, make_course):
    client, trainer = author
    client.post("/author/test-course/draft")
    for role in ("volunteer", "coordinator"):
        outsider = app.test_client()
        login(outsider, make_user(hub, roles=(role,)))
        for method, url in (("GET", "/author/"), ("GET", "/author/test-course/"),
                            ("POST", "/author/test-course/publish"), ("POST", "/author/new"),
                            ("POST", "/author/test-course/files/01-lesson-1.md"),
                            ("GET", "/author/test-course/export.zip")):
            assert outsider.open(url, method=method, data={"text": "x", "save": "1"}).status_code == 403, (role, url)
    stranger = app.test_client()
    stranger_user = make_user(other_hub, roles=("trainer",))
    login(stranger, stranger_user)
    assert stranger.get("/author/test-course/").status_code == 403
    assert stranger.post("/author/test-course/publish").status_code == 403
    assert "test-course" not in stranger.get("/author/").get_data(as_text=True)

    # A co-author cannot add authors; an admin can, and the new co-author gets in.
    assert client.post("/author/test-course/authors", data={"email": stranger_user.email}).status_code == 403
    admin = app.test_client()
    login(admin, make_user(hub, roles=("admin",)))
    admin.post("/author/test-course/authors", data={"email": stranger_user.email})
    assert stranger.get("/author/test-course/").status_code == 200
    assert "Course test-course" in stranger.get("/author/").get_data(as_text=True)


def test_forms_need_a_csrf_token(app, author):
    client, _trainer = author
    client.csrf = False  # this test is about the missing token (the test client sends one by default)
    assert client.post("/author/test-course/draft").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0


def test_flask_import_leaves_browser_published_courses_alone(app, author, tmp_path):
    from tests.course_builder import write_course, write_tracks

    client, _trainer = author
    client.post("/author/test-course/draft")
    save(client, "test-course", "01-lesson-1.md", "---\ntitle: Lesson 1\nminutes: 10\n---\nFrom the browser.\n")
    client.post("/author/test-course/publish", data={})
    root = tmp_path / "on-disk"
    write_tracks(root, ["test-course"])
    write_course(root, "test-course", body="From the files, changed.\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", str(root)])
    assert "test-course: skipped" in result.output, result.output
    body = db.session.scalar(select(LessonText.body_html).join(Lesson).where(Lesson.slug == "lesson-1"))
    assert "From the browser." in body
    result = runner.invoke(args=["courses", "import", "--force", str(root)])
    assert "test-course: changed" in result.output
    db.session.expire_all()
    body = db.session.scalar(select(LessonText.body_html).join(Lesson).where(Lesson.slug == "lesson-1"))
    assert "From the files" in body


def test_new_lesson_translation_and_removal_with_its_translation(author):
    client, _trainer = author
    client.post("/author/test-course/draft")
    response = client.post("/author/test-course/lessons", data={"lesson-title": "Что делать свидетелю"})
    assert response.headers["Location"].endswith("/files/04-chto-delat-svideteliu.md")
    taken = client.post("/author/test-course/lessons", data={"lesson-title": "Again", "lesson-slug": "lesson-1"})
    assert taken.status_code == 422 and "already" in taken.get_data(as_text=True)
    added = client.post("/author/test-course/files", data={"file-name": "04-chto-delat-svideteliu.kk.md"})
    assert added.status_code == 302
    assert draft_text("test-course", "04-chto-delat-svideteliu.kk.md").startswith("---\ntitle: Что делать свидетелю")
    refused = client.post("/author/test-course/files", data={"file-name": "notes.txt"})
    assert refused.status_code == 422
    client.post("/author/test-course/files/04-chto-delat-svideteliu.md/delete")
    paths = set(db.session.scalars(select(DraftFile.path)))
    assert not any(p.startswith("04-") for p in paths) and "01-lesson-1.md" in paths
    assert client.post("/author/test-course/files/course.md/delete").status_code == 400


def test_demo_trainer_co_authors_the_shipped_courses(app, make_course):
    make_course()
    app.test_cli_runner().invoke(args=["demo"])
    app.test_cli_runner().invoke(args=["demo"])  # idempotent
    rows = db.session.execute(select(CourseAuthor.course_slug, CourseAuthor.role)).all()
    assert rows == [("test-course", "co-author")]


def test_saving_after_the_draft_was_published_keeps_the_text_and_saves_nothing(author):
    client, _trainer = author
    client.post("/author/test-course/draft")
    base = edit_form(client, "test-course", "01-lesson-1.md")
    client.post("/author/test-course/publish", data={})
    late = save(client, "test-course", "01-lesson-1.md", "---\ntitle: Lesson 1\n---\nLate words.\n", base)
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and "Not saved" in page and "Late words." in page
    assert db.session.scalar(select(func.count()).select_from(DraftFile)) == 0
    client.post("/author/test-course/draft")
    client.post("/author/test-course/lessons/lesson-2/move", data={"direction": "up"})
    moved = save(client, "test-course", "02-lesson-2.md", "---\ntitle: Lesson 2\n---\nText.\n",
                 {"file_id": "1", "revision": "1"})
    assert moved.status_code == 409 and "Text." in moved.get_data(as_text=True)


def test_zip_with_a_page_named_like_an_image_is_refused(author):
    client, _trainer = author
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("test-course/course.md", "---\ntitle: X\ntrack: violence-prevention\nlanguage: en\n---\n")
        out.writestr("test-course/01-a.md", "---\ntitle: A\n---\n![x](images/cat.png)\n")
        out.writestr("test-course/images/cat.png", "<html><script>alert(1)</script></html>")
    response = client.post("/author/import", data={"archive": (io.BytesIO(archive.getvalue()), "c.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "test-course/images/cat.png:1: this file is named like an image" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CourseDraft)) == 0


def test_two_simultaneous_saves_from_one_base_store_one(app, hub, author):
    first, _trainer = author
    second, _other = co_author(app, hub)
    first.post("/author/test-course/draft")
    base = edit_form(first, "test-course", "01-lesson-1.md")
    barrier = threading.Barrier(2)
    codes = {}

    def save_as(client, words):
        barrier.wait()
        codes[words] = save(client, "test-course", "01-lesson-1.md", f"---\ntitle: L\n---\n{words}\n", base).status_code

    threads = [threading.Thread(target=save_as, args=args) for args in ((first, "one"), (second, "two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.commit()
    db.session.expire_all()
    assert sorted(codes.values()) == [302, 409]
    winner = next(words for words, code in codes.items() if code == 302)
    assert draft_text("test-course", "01-lesson-1.md") == f"---\ntitle: L\n---\n{winner}\n"
    row = db.session.scalar(select(DraftFile).where(DraftFile.path == "01-lesson-1.md"))
    assert row.revision == int(base["revision"]) + 1


def test_publishing_over_a_newer_version_needs_confirmation(app, author, tmp_path):
    from tests.course_builder import write_course, write_tracks

    client, _trainer = author
    client.post("/author/test-course/draft")
    save(client, "test-course", "01-lesson-1.md", "---\ntitle: Lesson 1\n---\nDraft words.\n")
    root = tmp_path / "newer"
    write_tracks(root, ["test-course"])
    write_course(root, "test-course", body="Imported meanwhile.\n")
    assert "test-course: changed" in app.test_cli_runner().invoke(args=["courses", "import", str(root)]).output
    refused = client.post("/author/test-course/publish", data={})
    assert refused.status_code == 409 and "Publish anyway" in refused.get_data(as_text=True)
    assert client.post("/author/test-course/publish", data={"overwrite": "y"}).status_code == 302
    db.session.expire_all()
    body = db.session.scalar(select(LessonText.body_html).join(Lesson).where(Lesson.slug == "lesson-1"))
    assert "Draft words." in body


def test_history_links_each_version_to_the_one_before_it_even_with_gaps(author):
    client, _trainer = author
    course = db.session.scalar(select(Course).where(Course.slug == "test-course"))
    course.revision = 7  # as after imports that predate version records: only version 1 is on record
    db.session.commit()
    client.post("/author/test-course/draft")
    save(client, "test-course", "01-lesson-1.md", "---\ntitle: Lesson 1\n---\nNew.\n")
    client.post("/author/test-course/publish", data={"overwrite": "y"})
    history = client.get("/author/test-course/versions").get_data(as_text=True)
    link = re.search(r'href="(/author/test-course/compare\?[^"]+)"', history).group(1).replace("&amp;", "&")
    assert "to=8" in link and "from=1" in link
    assert "New." in client.get(link).get_data(as_text=True)
