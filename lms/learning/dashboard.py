"""The volunteer's dashboard: courses in progress and passed, and each track's status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.courses.models import Course, Track
from lms.extensions import db
from lms.learning import queries
from lms.learning.models import Enrolment


@dataclass
class TrackStatus:
    track: Track
    title: str
    allows: str
    required: list[tuple[str, str, bool]]  # (slug, title, passed)

    @property
    def passed_count(self) -> int:
        return sum(1 for _slug, _title, passed in self.required if passed)


@dataclass
class VolunteerDashboard:
    in_progress: list[queries.CourseCard]
    passed: list[tuple[queries.CourseCard, Enrolment]]
    tracks: list[TrackStatus]
    continue_with: queries.CourseCard | None


def volunteer_dashboard(user_id: int, language: str) -> VolunteerDashboard:
    enrolments = {e.course_id: e for e in db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id))}
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    texts = queries.course_texts(courses, language)
    by_slug = {c.slug: c for c in courses}
    progress = queries.progress_by_course(user_id, list(enrolments))
    cards = {
        c.id: queries.CourseCard(c, texts[c.id].title, texts[c.id].summary, texts[c.id].language,
                                 c.languages.split(","), progress.get(c.id))
        for c in courses
    }
    in_progress = [cards[cid] for cid, e in enrolments.items() if e.passed_at is None and cid in cards]
    passed = sorted(
        ((cards[cid], e) for cid, e in enrolments.items() if e.passed_at is not None and cid in cards),
        key=lambda pair: pair[1].passed_at, reverse=True,
    )
    tracks = []
    for track in db.session.scalars(select(Track).order_by(Track.position)):
        required = []
        for slug in track.rule.get("courses", []):
            course = by_slug.get(slug)
            if course is None:
                continue
            enrolment = enrolments.get(course.id)
            required.append((slug, cards[course.id].title, bool(enrolment and enrolment.passed_at)))
        allows = track.rule.get("allows", {})
        tracks.append(TrackStatus(track, track.title.get(language) or track.title.get("en", track.slug),
                                  allows.get(language) or allows.get("en", ""), required))
    in_progress.sort(key=lambda card: -(card.progress.percent if card.progress else 0))
    return VolunteerDashboard(in_progress, passed, tracks, in_progress[0] if in_progress else None)
