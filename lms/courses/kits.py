"""Lesson kits in the database: one printable page set per course and language.

Imported with the course (the source files stay in CourseFile, so export writes them
back); served by lms.courses.kit_routes to staff and to volunteers certified in the track.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.domain.content_language import pick_language
from lms.domain.kit_access import STAFF_ROLES, may_open_kit
from lms.extensions import db


class CourseKit(db.Model):
    __tablename__ = "course_kits"
    __table_args__ = (UniqueConstraint("course_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    track: Mapped[str] = mapped_column(String(64), index=True)  # a track slug, or "any"
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)  # sanitised; {hub:...} placeholders filled when served


def sync_kits(course, source, renderer) -> None:
    """Make the course's kit rows match its sources (called by the importer)."""
    current = {k.language: k for k in db.session.scalars(select(CourseKit).where(CourseKit.course_id == course.id))}
    for language, kit in source.kits.items():
        values = {"track": kit.track, "title": kit.title, "html": renderer.block(kit.body)}
        row = current.pop(language, None)
        if row is None:
            db.session.add(CourseKit(course_id=course.id, language=language, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
    for row in current.values():
        db.session.delete(row)


@dataclass(frozen=True)
class KitChoice:
    kit: CourseKit
    languages: tuple[str, ...]  # every language the kit exists in


def choose_kit(course_id: int, wanted_language: str, default_language: str) -> KitChoice | None:
    """The course's kit in `wanted_language`, else the next language of the fallback chain."""
    kits = {k.language: k for k in db.session.scalars(select(CourseKit).where(CourseKit.course_id == course_id))}
    if not kits:
        return None
    language = pick_language(kits, wanted_language, default_language, current_app.config.get("CONTENT_FALLBACK"))
    kit = kits.get(language) or next(iter(kits.values()))
    return KitChoice(kit, tuple(sorted(kits)))


def kit_track_of(course_id: int) -> str | None:
    """The track a course's kit is for ("any" for shared forms), or None without a kit."""
    return db.session.scalar(select(CourseKit.track).where(CourseKit.course_id == course_id).limit(1))


def user_may_open(user, kit_track: str) -> bool:
    """Staff without a lookup; volunteers by their certificates valid today."""
    if STAFF_ROLES.intersection(user.roles):
        return user.is_active
    from lms.certificates.services import eligible_tracks, today

    return may_open_kit(user.roles, kit_track, [t.slug for t in eligible_tracks(user, today())])
