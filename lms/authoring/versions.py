"""Published versions of a course: recorded by every import that changes it, whatever
its origin (files, the browser editor, an uploaded zip)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from lms.authoring.models import ContentBlob, CourseVersion, CourseVersionFile
from lms.extensions import db


def digests_of(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(content).hexdigest() for path, content in files.items()}


def store_blobs(files: dict[str, bytes]) -> dict[str, str]:
    """Store each distinct content once; returns path -> sha256."""
    digests = digests_of(files)
    wanted = set(digests.values())
    present = set(db.session.scalars(select(ContentBlob.sha256).where(ContentBlob.sha256.in_(wanted)))) if wanted else set()
    added = set()
    for path, digest in digests.items():
        if digest not in present and digest not in added:
            db.session.add(ContentBlob(sha256=digest, content=files[path]))
            added.add(digest)
    return digests


def record_version(course, files: dict[str, bytes], *, origin: str, user_id: int | None, note: str = "") -> CourseVersion:
    digests = store_blobs(files)
    version = CourseVersion(
        course_id=course.id, number=course.revision, origin=origin, note=note[:300], created_by=user_id,
        source_hash=course.source_hash,
    )
    db.session.add(version)
    db.session.flush()
    db.session.add_all(CourseVersionFile(version_id=version.id, path=path, sha256=digest) for path, digest in digests.items())
    return version


def version_files(version_id: int) -> dict[str, bytes]:
    rows = db.session.execute(
        select(CourseVersionFile.path, ContentBlob.content)
        .join(ContentBlob, ContentBlob.sha256 == CourseVersionFile.sha256)
        .where(CourseVersionFile.version_id == version_id)
    )
    return {path: content for path, content in rows}


def version_digests(version_id: int) -> dict[str, str]:
    rows = db.session.execute(
        select(CourseVersionFile.path, CourseVersionFile.sha256).where(CourseVersionFile.version_id == version_id)
    )
    return dict(rows.all())


def latest_version(course_id: int) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion).where(CourseVersion.course_id == course_id).order_by(CourseVersion.number.desc()).limit(1)
    )
