"""Browser authoring: who may edit a course, its draft, and its published versions.

A draft is a set of source files (the same `courses/` format) keyed by the course
slug, so a course that was never published can have one too. Publishing validates
the draft, imports it like `flask courses import` does and records a version.
Versions keep their files as content-addressed blobs: an unchanged image is stored
once however many versions use it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models_base import utcnow

OWNER = "owner"
CO_AUTHOR = "co-author"


class CourseAuthor(db.Model):
    """Keyed by slug: a course being written has no Course row until its first publish."""

    __tablename__ = "course_authors"

    course_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default=CO_AUTHOR)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseDraft(db.Model):
    __tablename__ = "course_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(64), unique=True)
    # The published revision the draft started from (None: a course never published).
    base_revision: Mapped[int | None]
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftFile(db.Model):
    """One source file of a draft. `revision` is the optimistic lock: a save names the
    revision it was based on and is refused when someone saved in between."""

    __tablename__ = "draft_files"
    __table_args__ = (UniqueConstraint("draft_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("course_drafts.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    revision: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentBlob(db.Model):
    __tablename__ = "content_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class CourseVersion(db.Model):
    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # the course's revision once this version was published
    origin: Mapped[str] = mapped_column(String(16))  # "files" (flask courses import), "browser", "zip"
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_hash: Mapped[str] = mapped_column(String(64))


class CourseVersionFile(db.Model):
    __tablename__ = "course_version_files"

    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(300), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("content_blobs.sha256"), index=True)
