"""Publishing resizes a course's images before the write transaction, not inside it:
on SQLite the write lock would otherwise stay taken while large images are re-encoded,
and a volunteer's write at that moment would wait (or fail)."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from lms.courses import images
from lms.courses.models import CourseImage
from lms.extensions import db
from lms.transactions import _immediate
from tests.functional.test_authoring import co_author


def png(size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_images_are_resized_before_the_write_transaction(app, hub, make_course, monkeypatch):
    make_course()
    client, _trainer = co_author(app, hub)
    client.post("/author/test-course/draft")
    client.post("/author/test-course/images", data={"image": (io.BytesIO(png((1600, 900))), "wide.png")},
                content_type="multipart/form-data")

    calls = []
    real = images._make_web_copy

    def watched(data):
        calls.append(_immediate.get())  # True inside write_transaction()
        return real(data)

    monkeypatch.setattr(images, "_make_web_copy", watched)
    response = client.post("/author/test-course/publish", data={"note": "with a picture"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert calls == [False]  # made once, and outside the write lock
    row = db.session.scalar(select(CourseImage).where(CourseImage.path == "images/wide.png"))
    assert (row.width, row.height) == (images.MAX_WIDTH, 675)


def test_a_copy_made_ahead_is_used_once(app):
    data = png((50, 40))
    assert images.prepare_web_copies([("a.png", data), ("images/b.PNG", data)]) == 1
    first = images.web_copy(data)
    assert first is not None and (first.width, first.height) == (50, 40)
    assert hashlib_key(data) not in images._PREPARED  # taken: the table does not grow


def hashlib_key(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_an_import_resizes_its_images_before_it_writes(app, tmp_path, monkeypatch):
    """`flask courses import` at deploy time, as a publish: the web copies are made before
    the first write, and an image already stored under the same content is not made again."""
    from lms.courses import importer
    from lms.domain.course_format import load_tree
    from tests.course_builder import write_course, write_tracks

    root = tmp_path / "courses"
    write_tracks(root, ["pics"])
    folder = write_course(root, "pics", body="Look:\n\n![A classroom](images/class.png)\n")
    (folder / "images").mkdir()
    (folder / "images" / "class.png").write_bytes(png((1600, 900)))
    events = []
    real_copy, real_import = images._make_web_copy, importer.import_course

    def watched_copy(data):
        events.append("resize")
        return real_copy(data)

    def watched_import(*args, **kwargs):
        events.append("write")
        return real_import(*args, **kwargs)

    monkeypatch.setattr(images, "_make_web_copy", watched_copy)
    monkeypatch.setattr(importer, "import_course", watched_import)
    tree, problems = load_tree(root, display_root=root)
    assert problems == []
    importer.import_tree(tree)
    assert events == ["resize", "write"]
    assert db.session.scalar(select(CourseImage.width)) == 1200
    lesson = folder / "01-lesson-1.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    events.clear()
    tree, problems = load_tree(root, display_root=root)
    importer.import_tree(tree)  # the course changed, its image did not
    assert events == ["write"]
