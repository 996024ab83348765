"""Read models for learning pages: few, lean queries whose count does not grow with a course.

Texts come in the learner's language when the course has it, else the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from lms.courses.models import Course, CourseText, Lesson, LessonText, Quiz, Track
from lms.domain.progress import Progress, course_progress
from lms.extensions import db
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt


def content_language(course: Course, wanted: str) -> str:
    return wanted if wanted in course.languages.split(",") else course.default_language


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
    texts = _texts_for(courses, language)
    progress = progress_by_course(user_id, [c.id for c in courses]) if user_id else {}
    sections = {t.id: TrackSection(t) for t in tracks}
    for course in courses:
        text = texts[course.id]
        sections[course.track_id].courses.append(
            CourseCard(course, text.title, text.summary, text.language, course.languages.split(","), progress.get(course.id))
        )
    return list(sections.values())


def _texts_for(courses, language):
    rows = db.session.scalars(select(CourseText).where(CourseText.course_id.in_([c.id for c in courses]))).all()
    by_course: dict[int, dict[str, CourseText]] = {}
    for row in rows:
        by_course.setdefault(row.course_id, {})[row.language] = row
    return {c.id: by_course[c.id].get(language) or by_course[c.id][c.default_language] for c in courses}


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


@dataclass(frozen=True)
class Step:
    kind: str  # "lesson" or "quiz"
    id: int
    slug: str
    title: str
    done: bool
    minutes: int = 0


@dataclass
class Outline:
    course: Course
    title: str
    summary: str
    overview_html: str
    language: str
    steps: list[Step]
    enrolment: Enrolment | None
    progress: Progress

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if not s.done), None)


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def outline(course: Course, user_id: int | None, wanted_language: str) -> tuple[list[Step], str]:
    """Lessons and quizzes in course order with done ticks: two queries."""
    language = content_language(course, wanted_language)
    own, fallback = aliased(LessonText), aliased(LessonText)
    done_col = LessonProgress.completed_at if user_id else None
    lesson_query = (
        select(Lesson.id, Lesson.slug, Lesson.minutes, func.coalesce(own.title, fallback.title),
               *( [done_col] if user_id else []))
        .join(fallback, and_(fallback.lesson_id == Lesson.id, fallback.language == course.default_language))
        .outerjoin(own, and_(own.lesson_id == Lesson.id, own.language == language))
        .where(Lesson.course_id == course.id, Lesson.removed.is_(False))
        .order_by(Lesson.position)
    )
    if user_id:
        lesson_query = lesson_query.outerjoin(
            LessonProgress, and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id)
        )
    lessons = db.session.execute(lesson_query).all()
    passed = (
        select(func.count(QuizAttempt.id))
        .where(QuizAttempt.quiz_id == Quiz.id, QuizAttempt.user_id == (user_id or -1), QuizAttempt.passed.is_(True))
        .scalar_subquery()
    )
    quizzes = db.session.execute(
        select(Quiz.id, Quiz.slug, Quiz.after_lesson_id, Quiz.titles, passed)
        .where(Quiz.course_id == course.id, Quiz.removed.is_(False))
        .order_by(Quiz.position)
    ).all()
    after: dict[int | None, list] = {}
    for quiz in quizzes:
        after.setdefault(quiz.after_lesson_id, []).append(quiz)
    steps: list[Step] = []
    for row in lessons:
        steps.append(Step("lesson", row[0], row[1], row[3], bool(user_id and row[4]), row[2]))
        for quiz in after.pop(row[0], []):
            steps.append(_quiz_step(quiz, language, course.default_language))
    for quizzes_left in after.values():
        steps.extend(_quiz_step(q, language, course.default_language) for q in quizzes_left)
    return steps, language


def _quiz_step(quiz, language: str, default_language: str) -> Step:
    from flask_babel import gettext as _

    title = (quiz.titles or {}).get(language) or (quiz.titles or {}).get(default_language) or _("Quiz")
    return Step("quiz", quiz.id, quiz.slug, title, bool(quiz[4]))


def progress_from_steps(steps: list[Step], enrolled: bool) -> Progress:
    return course_progress(
        lesson_ids=[s.id for s in steps if s.kind == "lesson"],
        completed_lesson_ids=[s.id for s in steps if s.kind == "lesson" and s.done],
        quiz_ids=[s.id for s in steps if s.kind == "quiz"],
        passed_quiz_ids=[s.id for s in steps if s.kind == "quiz" and s.done],
        enrolled=enrolled,
    )


def lesson_body(lesson_id: int, language: str, default_language: str) -> tuple[str, str] | None:
    """(html, language shown) of one lesson: one query."""
    rows = dict(db.session.execute(
        select(LessonText.language, LessonText.body_html).where(
            LessonText.lesson_id == lesson_id, LessonText.language.in_({language, default_language})
        )
    ).all())
    if language in rows:
        return rows[language], language
    if default_language in rows:
        return rows[default_language], default_language
    return None


def course_text(course: Course, language: str) -> CourseText | None:
    rows = {t.language: t for t in db.session.scalars(
        select(CourseText).where(CourseText.course_id == course.id, CourseText.language.in_({language, course.default_language}))
    )}
    return rows.get(language) or rows.get(course.default_language)


def course_by_slug_id(course_id: int) -> Course:
    return db.session.get(Course, course_id)
