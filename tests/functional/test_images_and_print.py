"""Trainer images shrink for slow connections; a whole course prints on one page."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from lms.courses.importer import import_tree
from lms.courses.models import CourseFile, CourseImage
from lms.domain.course_format import load_tree
from lms.extensions import db
from tests.conftest import login
from tests.course_builder import write_course, write_tracks
from tests.factories import make_user


def big_png() -> bytes:
    image = Image.new("RGB", (4000, 2000))
    for x in range(0, 4000, 50):  # some detail, so it is not trivially compressible
        for y in range(0, 2000, 50):
            image.putpixel((x, y), (x % 255, y % 255, 120))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_large_image_is_resized_and_served_smaller_with_its_size(client, hub, tmp_path):
    root = tmp_path / "courses"
    write_tracks(root, ["pics"])
    folder = write_course(root, "pics", body="Look:\n\n![A classroom](images/class.png)\n")
    (folder / "images").mkdir()
    original = big_png()
    (folder / "images" / "class.png").write_bytes(original)
    tree, problems = load_tree(root, display_root=root)
    assert problems == []
    import_tree(tree)
    web = db.session.scalar(select(CourseImage))
    assert (web.width, web.height) == (1200, 600) and web.mimetype == "image/webp"
    assert len(web.content) < len(original) / 4
    assert db.session.scalar(select(CourseFile.content).where(CourseFile.path == "images/class.png")) == original  # kept
    login(client, make_user(hub))
    client.post("/courses/pics/enrol")
    page = client.get("/courses/pics/lessons/lesson-1").get_data(as_text=True)
    assert 'width="1200"' in page and 'height="600"' in page and 'loading="lazy"' in page
    served = client.get("/media/pics/images/class.png")
    assert served.mimetype == "image/webp" and Image.open(io.BytesIO(served.data)).size == (1200, 600)


def test_whole_course_on_one_page(client, hub, make_course):
    make_course(lessons=4)
    login(client, make_user(hub))
    page = client.get("/courses/test-course/print").get_data(as_text=True)
    assert all(f"Lesson {n}" in page for n in range(1, 5)) and page.count('class="print-lesson"') == 4
    assert "Question number" not in page  # quizzes stay online
