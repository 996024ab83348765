"""Read models for learning pages: few, lean queries whose count does not grow with a course.

Texts come in the learner's language when the course has it, else in the next language
of the fallback chain it has (CONTENT_FALLBACK, e.g. kk -> ru -> en), else the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from lms.courses.models import Course, CourseText, Lesson, LessonText, Quiz, Track
from lms.domain.content_language import language_chain, pick_language
from lms.domain.progress import Progress, course_progress
from lms.extensions import db
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt


def fallback_chain(wanted: str) -> tuple[str, ...]:
    """`wanted`, then the languages to try when a text is missing in it (app configuration)."""
    return language_chain(wanted, current_app.config.get("CONTENT_FALLBACK"))


def content_language(course: Course, wanted: str) -> str:
    return pick_language(course.languages.split(","), wanted, course.default_language,
                         current_app.config.get("CONTENT_FALLBACK"))


@dataclass
class CourseCard:
    course: Course
    title: str
    summary: str
    language: str  # the language shown
    languages: list[str]
    progress: Progress | None = None


@dataclass
class TrackSection:
    track: Track
    courses: list[CourseCard] = field(default_factory=list)


def catalogue(user_id: int | None, language: str, *, only_language: str | None = None) -> list[TrackSection]:
    tracks = db.session.scalars(select(Track).order_by(Track.position)).all()
    courses = db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.slug)).all()
    if only_language:
        courses = [c for c in courses if only_language in c.languages.split(",")]
    texts = course_texts(courses, language)
    progress = progress_by_course(user_id, [c.id for c in courses]) if user_id else {}
    sections = {t.id: TrackSection(t) for t in tracks}
    for course in courses:
        text = texts[course.id]
        sections[course.track_id].courses.append(
            CourseCard(course, text.title, text.summary, text.language, course.languages.split(","), progress.get(course.id))
        )
    return list(sections.values())


def course_texts(courses, language):
    rows = db.session.scalars(select(CourseText).where(CourseText.course_id.in_([c.id for c in courses]))).all()
    by_course: dict[int, dict[str, CourseText]] = {}
    for row in rows:
        by_course.setdefault(row.course_id, {})[row.language] = row
    fallback = current_app.config.get("CONTENT_FALLBACK")
    return {c.id: by_course[c.id][pick_language(by_course[c.id], language, c.default_language, fallback)]
            for c in courses}


def progress_by_course(user_id: int, course_ids: list[int]) -> dict[int, Progress]:
    """Progress for many courses at once, in a fixed number of queries."""
    if not course_ids:
        return {}
    lessons = db.session.execute(
        select(Lesson.course_id, Lesson.id).where(Lesson.course_id.in_(course_ids), Lesson.removed.is_(False))
    ).all()
    quizzes = db.session.execute(
        select(Quiz.course_id, Quiz.id).where(Quiz.course_id.in_(course_ids), Quiz.removed.is_(False))
    ).all()
    done_lessons = set(db.session.scalars(
        select(LessonProgress.lesson_id).join(Lesson).where(LessonProgress.user_id == user_id, Lesson.course_id.in_(course_ids))
    ))
    passed_quizzes = set(db.session.scalars(
        select(QuizAttempt.quiz_id).where(QuizAttempt.user_id == user_id, QuizAttempt.passed.is_(True)).distinct()
    ))
    enrolled = set(db.session.scalars(
        select(Enrolment.course_id).where(Enrolment.user_id == user_id, Enrolment.course_id.in_(course_ids))
    ))
    lesson_map: dict[int, list[int]] = {}
    quiz_map: dict[int, list[int]] = {}
    for course_id, lesson_id in lessons:
        lesson_map.setdefault(course_id, []).append(lesson_id)
    for course_id, quiz_id in quizzes:
        quiz_map.setdefault(course_id, []).append(quiz_id)
    return {
        cid: course_progress(
            lesson_ids=lesson_map.get(cid, []), completed_lesson_ids=done_lessons,
            quiz_ids=quiz_map.get(cid, []), passed_quiz_ids=passed_quizzes, enrolled=cid in enrolled,
        )
        for cid in course_ids
    }


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def quiz_title(titles: dict | None, language: str, default_language: str) -> str:
    titles = titles or {}
    return titles.get(language) or titles.get(default_language) or gettext("Quiz")


def course_text(course: Course, language: str) -> CourseText | None:
    chain = fallback_chain(language)
    rows = {t.language: t for t in db.session.scalars(
        select(CourseText).where(CourseText.course_id == course.id, CourseText.language.in_({*chain, course.default_language}))
    )}
    return rows.get(pick_language(rows, language, course.default_language, current_app.config.get("CONTENT_FALLBACK")))


def all_lesson_bodies(course: Course, wanted_language: str) -> list[tuple[str, str, str]]:
    """(title, html, language) of every current lesson, in the learner's language where it exists: one query."""
    language = content_language(course, wanted_language)
    rows = db.session.execute(
        select(Lesson.id, LessonText.language, LessonText.title, LessonText.body_html)
        .join(LessonText, LessonText.lesson_id == Lesson.id)
        .where(Lesson.course_id == course.id, Lesson.removed.is_(False),
               LessonText.language.in_({language, course.default_language}))
        .order_by(Lesson.position)
    ).all()
    chosen: dict[int, tuple[str, str, str]] = {}
    for lesson_id, lang, title, html in rows:
        if lesson_id not in chosen or lang == language:
            chosen[lesson_id] = (title, html, lang)
    return list(chosen.values())
