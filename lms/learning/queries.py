"""Read models for learning pages: few, lean queries whose count does not grow with a course.

Texts come in the learner's language when the course has it, else in the next language
of the fallback chain it has (CONTENT_FALLBACK, e.g. kk -> ru -> en), else the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app, request, url_for
from flask_babel import gettext
from sqlalchemy import String, and_, bindparam, case, func, literal, select

from lms.courses.models import Course, CourseText, Lesson, LessonText, Quiz, Track
from lms.domain.content_language import language_chain, pick_language
from lms.domain.progress import Progress, course_progress
from lms.extensions import db
from lms.fast_reads import CompiledRead
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


@dataclass(frozen=True)
class Step:
    kind: str  # "lesson" or "quiz"
    id: int
    slug: str
    title: str
    done: bool
    minutes: int = 0
    href: str = ""


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


@dataclass(frozen=True)
class CourseHead:
    """The few course facts a lesson or course page needs."""

    id: int
    slug: str
    default_language: str
    languages: tuple[str, ...]
    retired: bool
    title: str
    revision: int = 0


@lru_cache(maxsize=4)
def _outline_statement(chain_length: int) -> CompiledRead:
    """Built once per length of fallback chain: the course, its lessons with titles and
    ticks, the current lesson's body and the learner's enrolment, in one round trip.

    The language shown is worked out in the same query: the first of the bound chain
    `language_0`, `language_1`, ... that the course's `languages` list holds, else its
    default. Every lesson of a course has every language of the course (the checker
    makes sure), so one choice per course serves all its lessons."""
    courses, lessons = Course.__table__, Lesson.__table__
    listed = literal(",") + courses.c.languages + literal(",")
    chain = [bindparam(f"language_{i}", type_=String) for i in range(chain_length)]
    shown = case(*((listed.like(literal("%,") + slot + literal(",%")), slot) for slot in chain),
                 else_=courses.c.default_language)
    own, fallback = LessonText.__table__.alias("own"), LessonText.__table__.alias("fallback")
    course_own, course_fallback = CourseText.__table__.alias("course_own"), CourseText.__table__.alias("course_fallback")
    progress = LessonProgress.__table__
    is_current = lessons.c.slug == bindparam("lesson_slug")
    enrolment = (
        select(Enrolment.__table__.c.id)
        .where(Enrolment.__table__.c.user_id == bindparam("user_id"), Enrolment.__table__.c.course_id == courses.c.id)
        .scalar_subquery()
    )
    return CompiledRead(
        select(
            courses.c.id, courses.c.slug, courses.c.default_language, courses.c.languages, courses.c.retired,
            courses.c.revision, shown.label("content_language"),
            func.coalesce(course_own.c.title, course_fallback.c.title).label("course_title"),
            enrolment.label("enrolment_id"),
            lessons.c.id.label("lesson_id"), lessons.c.slug.label("lesson_slug"), lessons.c.minutes,
            func.coalesce(own.c.title, fallback.c.title).label("title"),
            progress.c.lesson_id.is_not(None).label("done"),
            case((is_current, func.coalesce(own.c.body_html, fallback.c.body_html))).label("body_html"),
            case((is_current, case((own.c.lesson_id.is_(None), courses.c.default_language), else_=shown))).label("body_language"),
        )
        .select_from(courses)
        .join(lessons, and_(lessons.c.course_id == courses.c.id, lessons.c.removed.is_(False)))
        .join(fallback, and_(fallback.c.lesson_id == lessons.c.id, fallback.c.language == courses.c.default_language))
        .outerjoin(own, and_(own.c.lesson_id == lessons.c.id, own.c.language == shown))
        .outerjoin(progress, and_(progress.c.lesson_id == lessons.c.id, progress.c.user_id == bindparam("user_id")))
        .join(course_fallback, and_(course_fallback.c.course_id == courses.c.id, course_fallback.c.language == courses.c.default_language))
        .outerjoin(course_own, and_(course_own.c.course_id == courses.c.id, course_own.c.language == shown))
        .where(courses.c.slug == bindparam("course_slug"))
        .order_by(lessons.c.position)
    )


def _quizzes_statement():
    quizzes, attempts = Quiz.__table__, QuizAttempt.__table__
    passed = (
        select(func.count(attempts.c.id))
        .where(attempts.c.quiz_id == quizzes.c.id, attempts.c.user_id == bindparam("user_id"), attempts.c.passed.is_(True))
        .scalar_subquery()
    )
    return CompiledRead(
        select(quizzes.c.id, quizzes.c.slug, quizzes.c.after_lesson_id, quizzes.c.titles, passed.label("passed"))
        .where(quizzes.c.course_id == bindparam("course_id"), quizzes.c.removed.is_(False))
        .order_by(quizzes.c.position)
    )


_QUIZZES = _quizzes_statement()


@dataclass
class PageOutline:
    course: CourseHead
    steps: list[Step]
    language: str  # the content language shown for the course
    enrolled: bool
    body_html: str | None = None
    body_language: str | None = None

    @property
    def progress(self) -> Progress:
        return progress_from_steps(self.steps, self.enrolled)


STEP = "__step__"  # stands for a lesson's or quiz's slug in a URL pattern


def course_url(endpoint: str, course_slug: str, **values: str) -> str:
    """url_for of one of a course's pages, remembered per app and mount point: the URL
    map does not change while the app serves, and a lesson page needs several."""
    cache = current_app.extensions.setdefault("lms_course_urls", {})
    key = (endpoint, course_slug, tuple(values.items()), request.script_root)
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, slug=course_slug, **values)
    return url


def page_outline(course_slug: str, user_id: int | None, wanted_language: str, lesson_slug: str = "") -> PageOutline | None:
    """Everything a course or lesson page shows, in two queries whatever the course size."""
    chain = fallback_chain(wanted_language)
    parameters = {"course_slug": course_slug, "user_id": user_id or -1, "lesson_slug": lesson_slug}
    parameters.update({f"language_{i}": language for i, language in enumerate(chain)})
    rows = _outline_statement(len(chain)).all(**parameters)
    if not rows:
        return None
    first = rows[0]
    languages = tuple(first.languages.split(","))
    course = CourseHead(first.id, first.slug, first.default_language, languages, first.retired, first.course_title,
                        first.revision)
    language = first.content_language
    quizzes = _QUIZZES.all(course_id=course.id, user_id=user_id or -1)
    after: dict[int | None, list] = {}
    for quiz in quizzes:
        after.setdefault(quiz.after_lesson_id, []).append(quiz)
    steps: list[Step] = []
    outline = PageOutline(course, steps, language, first.enrolment_id is not None)
    # One URL pattern per kind, then plain string work: a long contents list stays cheap.
    lesson_href = course_url("learning.lesson", course.slug, lesson_slug=STEP)
    quiz_href = course_url("learning.quiz", course.slug, quiz_slug=STEP)
    for row in rows:
        steps.append(Step("lesson", row.lesson_id, row.lesson_slug, row.title, bool(row.done),
                          row.minutes, lesson_href.replace(STEP, row.lesson_slug)))
        if row.body_html is not None:
            outline.body_html, outline.body_language = row.body_html, row.body_language
        for quiz in after.pop(row.lesson_id, []):
            steps.append(_quiz_step(quiz, language, course.default_language, quiz_href))
    for remaining in after.values():
        steps.extend(_quiz_step(q, language, course.default_language, quiz_href) for q in remaining)
    return outline


def quiz_title(titles: dict | None, language: str, default_language: str) -> str:
    titles = titles or {}
    return titles.get(language) or titles.get(default_language) or gettext("Quiz")


def _quiz_step(quiz, language: str, default_language: str, href: str) -> Step:
    title = quiz_title(quiz.titles, language, default_language)
    return Step("quiz", quiz.id, quiz.slug, title, bool(quiz.passed), 0, href.replace(STEP, quiz.slug))


def progress_from_steps(steps: list[Step], enrolled: bool) -> Progress:
    return course_progress(
        lesson_ids=[s.id for s in steps if s.kind == "lesson"],
        completed_lesson_ids=[s.id for s in steps if s.kind == "lesson" and s.done],
        quiz_ids=[s.id for s in steps if s.kind == "quiz"],
        passed_quiz_ids=[s.id for s in steps if s.kind == "quiz" and s.done],
        enrolled=enrolled,
    )


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
