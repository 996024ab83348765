"""Tracks and course content, materialised from the Markdown sources.

The sources themselves (CourseFile) stay authoritative: export writes them back,
and browser editing changes them. Lessons and questions are keyed by their slug
within the course, so re-imports keep learners' progress and attempts attached.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.domain.course_format.limits import FILE_PATH_MAX, ITEM_ID_MAX, SLUG_MAX, TITLE_MAX, VERSION_MAX
from lms.extensions import db
from lms.models_base import utcnow


class Track(db.Model):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(JSON)  # {"en": ..., "ru": ..., "kk": ...}
    summary: Mapped[dict] = mapped_column(JSON)
    rule: Mapped[dict] = mapped_column(JSON)  # courses, refresher, valid_months, issuance, allows


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    default_language: Mapped[str] = mapped_column(String(8))
    languages: Mapped[str] = mapped_column(String(32))  # "en,kk,ru", default first
    author_version: Mapped[str] = mapped_column(String(VERSION_MAX), default="")
    revision: Mapped[int] = mapped_column(default=1)  # bumped by every changed import
    minutes: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=80)
    source_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    track = relationship("Track")
    texts = relationship("CourseText", cascade="all, delete-orphan")


class CourseText(db.Model):
    __tablename__ = "course_texts"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    overview_html: Mapped[str] = mapped_column(Text, default="")


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(ITEM_ID_MAX))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    # Removed from the sources: hidden, never deleted, so learners' history stays.
    removed: Mapped[bool] = mapped_column(default=False)


class LessonText(db.Model):
    __tablename__ = "lesson_texts"

    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body_html: Mapped[str] = mapped_column(Text)


class Quiz(db.Model):
    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(ITEM_ID_MAX))  # "final" for quiz.md, else the lesson's slug
    after_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id"))
    position: Mapped[int] = mapped_column(default=0)
    settings: Mapped[dict] = mapped_column(JSON)
    titles: Mapped[dict] = mapped_column(JSON)  # language -> title
    pools: Mapped[dict] = mapped_column(JSON)  # pool id -> number drawn
    removed: Mapped[bool] = mapped_column(default=False)


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(ITEM_ID_MAX))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(default=1.0)
    pool: Mapped[str | None] = mapped_column(String(ITEM_ID_MAX))
    # Three parts, so a quiz page can only ever show the first:
    # content: language -> {prompt_html, choices: [html, ...]}         (shown while answering)
    # feedback: language -> {general, right, wrong, choices: [html]}   (shown after submitting)
    # answer_key: kind, points, correct flags, truefalse, number, tolerance, accepted texts per language
    content: Mapped[dict] = mapped_column(JSON)
    feedback: Mapped[dict] = mapped_column(JSON)
    answer_key: Mapped[dict] = mapped_column(JSON)
    removed: Mapped[bool] = mapped_column(default=False)


class CourseFile(db.Model):
    """A source file of a course (Markdown or image), byte for byte."""

    __tablename__ = "course_files"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(FILE_PATH_MAX))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class CourseImage(db.Model):
    """The web copy of a course image (resized, re-encoded); the original is a CourseFile."""

    __tablename__ = "course_images"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(FILE_PATH_MAX))
    source_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mimetype: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
