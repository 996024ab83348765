"""The outline of a course page or lesson page: its steps with the learner's ticks, and
the current lesson's text, in the learner's language where the course has it.

Two parts with different lives:
- the course's content (lessons, quizzes, titles, links, lesson bodies) changes only when
  a new revision is published. It is kept per worker under (course, revision, language
  chain, mount point), filled from the database on first use;
- the learner's state (course revision, enrolment, lessons done, quizzes passed) is read on
  every request, in one statement of indexed lookups.
The revision read with the state picks the content, so a published change shows on the
next request in every worker; older revisions' content simply ages out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from flask import current_app, request, url_for
from sqlalchemy import String, and_, bindparam, case, func, literal, null, select, union_all

from lms.courses.models import Course, CourseText, Lesson, LessonText, Quiz
from lms.domain.progress import Progress, course_progress
from lms.fast_reads import CompiledRead
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt
from lms.learning.queries import fallback_chain, quiz_title
from lms.main.page_cache import RenderedPages

CONTENT_ENTRIES = 32  # courses x languages x mount points kept per worker (each up to ~100 KB)


@dataclass(frozen=True)
class Step:
    kind: str  # "lesson" or "quiz"
    id: int
    slug: str
    title: str
    done: bool
    minutes: int = 0
    href: str = ""


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


def progress_from_steps(steps: list[Step], enrolled: bool) -> Progress:
    return course_progress(
        lesson_ids=[s.id for s in steps if s.kind == "lesson"],
        completed_lesson_ids=[s.id for s in steps if s.kind == "lesson" and s.done],
        quiz_ids=[s.id for s in steps if s.kind == "quiz"],
        passed_quiz_ids=[s.id for s in steps if s.kind == "quiz" and s.done],
        enrolled=enrolled,
    )


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


# ---- the learner's state: one statement, every part an indexed lookup

def _state_statement() -> CompiledRead:
    courses, lessons, quizzes = Course.__table__, Lesson.__table__, Quiz.__table__
    enrolments, progress, attempts = Enrolment.__table__, LessonProgress.__table__, QuizAttempt.__table__
    course_id = select(courses.c.id).where(courses.c.slug == bindparam("course_slug")).scalar_subquery()
    user = bindparam("user_id")
    return CompiledRead(union_all(
        select(literal(0).label("kind"), courses.c.id, courses.c.revision.label("revision"),
               courses.c.retired.label("retired")).where(courses.c.slug == bindparam("course_slug")),
        select(literal(1), enrolments.c.id, null(), null())
        .where(enrolments.c.user_id == user, enrolments.c.course_id == course_id),
        select(literal(2), progress.c.lesson_id, null(), null())
        .join(lessons, lessons.c.id == progress.c.lesson_id)
        .where(progress.c.user_id == user, lessons.c.course_id == course_id),
        select(literal(3), attempts.c.quiz_id, null(), null())
        .join(quizzes, quizzes.c.id == attempts.c.quiz_id)
        .where(attempts.c.user_id == user, attempts.c.passed.is_(True), quizzes.c.course_id == course_id),
    ))


_STATE = _state_statement()


@dataclass(frozen=True)
class LearnerState:
    course_id: int
    revision: int
    retired: bool
    enrolled: bool
    done_lessons: frozenset[int]
    passed_quizzes: frozenset[int]


def learner_state(course_slug: str, user_id: int | None) -> LearnerState | None:
    rows = _STATE.all(course_slug=course_slug, user_id=user_id or -1)
    head = next((row for row in rows if row.kind == 0), None)
    if head is None:
        return None
    return LearnerState(
        head.id, head.revision, bool(head.retired), any(row.kind == 1 for row in rows),
        frozenset(row.id for row in rows if row.kind == 2), frozenset(row.id for row in rows if row.kind == 3),
    )


# ---- the course's content, per revision and language

@lru_cache(maxsize=4)
def _content_statement(chain_length: int) -> CompiledRead:
    """Built once per length of fallback chain: the course head, its lessons with titles,
    and one lesson's body (`lesson_slug`), in one round trip.

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
    is_current = lessons.c.slug == bindparam("lesson_slug")
    return CompiledRead(
        select(
            courses.c.id, courses.c.slug, courses.c.default_language, courses.c.languages, courses.c.retired,
            courses.c.revision, shown.label("content_language"),
            func.coalesce(course_own.c.title, course_fallback.c.title).label("course_title"),
            lessons.c.id.label("lesson_id"), lessons.c.slug.label("lesson_slug"), lessons.c.minutes,
            func.coalesce(own.c.title, fallback.c.title).label("title"),
            case((is_current, func.coalesce(own.c.body_html, fallback.c.body_html))).label("body_html"),
            case((is_current, case((own.c.lesson_id.is_(None), courses.c.default_language), else_=shown))).label("body_language"),
        )
        .select_from(courses)
        .join(lessons, and_(lessons.c.course_id == courses.c.id, lessons.c.removed.is_(False)))
        .join(fallback, and_(fallback.c.lesson_id == lessons.c.id, fallback.c.language == courses.c.default_language))
        .outerjoin(own, and_(own.c.lesson_id == lessons.c.id, own.c.language == shown))
        .join(course_fallback, and_(course_fallback.c.course_id == courses.c.id, course_fallback.c.language == courses.c.default_language))
        .outerjoin(course_own, and_(course_own.c.course_id == courses.c.id, course_own.c.language == shown))
        .where(courses.c.id == bindparam("course_id"))
        .order_by(lessons.c.position)
    )


_QUIZZES = CompiledRead(
    select(Quiz.id, Quiz.slug, Quiz.after_lesson_id, Quiz.titles)
    .where(Quiz.course_id == bindparam("course_id"), Quiz.removed.is_(False))
    .order_by(Quiz.position)
)


@dataclass
class CourseContent:
    head: CourseHead
    language: str
    steps: tuple[Step, ...]  # every step, not done
    bodies: dict[str, tuple[str, str]] = field(default_factory=dict)  # lesson slug -> (html, language)


def _content_cache() -> RenderedPages:
    """Kept course contents, counted one unit each (RenderedPages bounds any "size")."""
    cache = current_app.extensions.get("lms_course_content")
    if cache is None:
        cache = current_app.extensions["lms_course_content"] = RenderedPages(max_bytes=CONTENT_ENTRIES)
    return cache


def _load_content(course_id: int, chain: tuple[str, ...], lesson_slug: str) -> CourseContent | None:
    parameters = {"course_id": course_id, "lesson_slug": lesson_slug}
    parameters.update({f"language_{i}": language for i, language in enumerate(chain)})
    rows = _content_statement(len(chain)).all(**parameters)
    if not rows:
        return None
    first = rows[0]
    head = CourseHead(first.id, first.slug, first.default_language, tuple(first.languages.split(",")), first.retired,
                      first.course_title, first.revision)
    language = first.content_language
    after: dict[int | None, list] = {}
    for quiz in _QUIZZES.all(course_id=course_id):
        after.setdefault(quiz.after_lesson_id, []).append(quiz)
    # One URL pattern per kind, then plain string work: a long contents list stays cheap.
    lesson_href = course_url("learning.lesson", head.slug, lesson_slug=STEP)
    quiz_href = course_url("learning.quiz", head.slug, quiz_slug=STEP)

    def quiz_step(quiz) -> Step:
        return Step("quiz", quiz.id, quiz.slug, quiz_title(quiz.titles, language, head.default_language), False, 0,
                    quiz_href.replace(STEP, quiz.slug))

    steps: list[Step] = []
    content = CourseContent(head, language, ())
    for row in rows:
        steps.append(Step("lesson", row.lesson_id, row.lesson_slug, row.title, False, row.minutes,
                          lesson_href.replace(STEP, row.lesson_slug)))
        if row.body_html is not None:
            content.bodies[row.lesson_slug] = (row.body_html, row.body_language)
        steps.extend(quiz_step(quiz) for quiz in after.pop(row.lesson_id, []))
    for remaining in after.values():
        steps.extend(quiz_step(quiz) for quiz in remaining)
    content.steps = tuple(steps)
    return content


def page_outline(course_slug: str, user_id: int | None, wanted_language: str, lesson_slug: str = "") -> PageOutline | None:
    """Everything a course or lesson page shows: one statement for the learner's state,
    and the course's content from this worker's cache (read on first use)."""
    state = learner_state(course_slug, user_id)
    if state is None:
        return None
    chain = fallback_chain(wanted_language)
    key = (state.course_id, state.revision, chain, request.script_root)
    cache = _content_cache()
    content = cache.get(key)
    if content is None or (lesson_slug and lesson_slug not in content.bodies):
        loaded = _load_content(state.course_id, chain, lesson_slug)
        if loaded is None:
            return None
        if loaded.head.revision != state.revision:
            content = loaded  # published in between (PostgreSQL reads each statement afresh): not kept
        elif content is not None:
            content.bodies.update(loaded.bodies)  # the same revision: only this lesson's body was missing
        else:
            content = loaded
            cache.put(key, content, 1)
    head = content.head if content.head.retired == state.retired else replace(content.head, retired=state.retired)
    done = {("lesson", i) for i in state.done_lessons} | {("quiz", i) for i in state.passed_quizzes}
    steps = [replace(step, done=True) if (step.kind, step.id) in done else step for step in content.steps]
    outline = PageOutline(head, steps, content.language, state.enrolled)
    if lesson_slug:
        outline.body_html, outline.body_language = content.bodies.get(lesson_slug, (None, None))
    return outline
