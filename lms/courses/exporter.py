"""Writing a course back out in the `courses/` format, byte for byte."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from lms.courses.models import Course, CourseFile, Track


def export_course(slug: str, target: Path) -> Path:
    """Write course `slug` to target/<slug>/; add target/tracks.yml when missing,
    so the folder can be checked and imported on its own."""
    from lms.extensions import db

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise LookupError(slug)
    folder = target / slug
    folder.mkdir(parents=True, exist_ok=True)
    for row in db.session.scalars(select(CourseFile).where(CourseFile.course_id == course.id)):
        path = (folder / row.path).resolve()
        if not path.is_relative_to(folder.resolve()):
            raise ValueError(f"unsafe path in stored course: {row.path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(row.content)
    tracks_file = target / "tracks.yml"
    if not tracks_file.exists():
        tracks_file.write_text(tracks_yaml(db.session.scalars(select(Track).order_by(Track.position))), encoding="utf-8")
    return folder


def tracks_yaml(tracks) -> str:
    data = {
        "tracks": [
            {"slug": t.slug, "title": t.title, "summary": t.summary, "certification": t.rule} for t in tracks
        ]
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
