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
    assert images.prepare_web_copies([data, data]) == 1
    first = images.web_copy(data)
    assert first is not None and (first.width, first.height) == (50, 40)
    assert hashlib_key(data) not in images._PREPARED  # taken: the table does not grow


def hashlib_key(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
