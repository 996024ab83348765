"""A trainer's home: their courses with learner counts, open drafts, and where learners
are stuck (the questions answered wrong most often lately; learners who failed a quiz
twice and have not passed it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import case, func, select

from lms.authoring.models import CourseDraft
from lms.courses.models import Course, Question, Quiz
from lms.extensions import db
from lms.learning import queries
from lms.learning.models import AttemptAnswer, Enrolment, QuizAttempt

RECENT_DAYS = 90
MIN_ANSWERS = 5  # fewer answers say nothing about a question
HARD_QUESTIONS = 5
HARD_BELOW_PERCENT = 60


@dataclass(frozen=True)
class CourseLine:
    course: Course
    title: str
    enrolled: int
    passed: int
    draft: CourseDraft | None
    failed_twice: int  # learners with 2+ failed attempts at one quiz and no pass of it


@dataclass(frozen=True)
class HardQuestion:
    course: Course
    course_title: str
    prompt: str
    answers: int
    correct_percent: int


@dataclass(frozen=True)
class TrainerHome:
    courses: list[CourseLine]
    hard_questions: list[HardQuestion]


def trainer_home(slugs: set[str] | None, language: str, now: datetime) -> TrainerHome:
    """`slugs`: the courses the trainer authors (None: all, for admins)."""
    stmt = select(Course).where(Course.retired.is_(False)).order_by(Course.slug)
    if slugs is not None:
        if not slugs:
            return TrainerHome([], [])
        stmt = stmt.where(Course.slug.in_(slugs))
    courses = db.session.scalars(stmt).all()
    if not courses:
        return TrainerHome([], [])
    ids = [c.id for c in courses]
    texts = queries.course_texts(courses, language)
    counts = {cid: (n, p) for cid, n, p in db.session.execute(
        select(Enrolment.course_id, func.count(), func.count(Enrolment.passed_at))
        .where(Enrolment.course_id.in_(ids)).group_by(Enrolment.course_id))}
    drafts = {d.course_slug: d for d in db.session.scalars(
        select(CourseDraft).where(CourseDraft.course_slug.in_([c.slug for c in courses])))}

    failures = (
        select(Quiz.course_id.label("course_id"), QuizAttempt.user_id.label("user_id"), QuizAttempt.quiz_id.label("quiz_id"))
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.course_id.in_(ids), QuizAttempt.status == "graded")
        .group_by(Quiz.course_id, QuizAttempt.user_id, QuizAttempt.quiz_id)
        .having(func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)) == 0, func.count() >= 2)
        .subquery()
    )
    stuck = dict(db.session.execute(
        select(failures.c.course_id, func.count(func.distinct(failures.c.user_id))).group_by(failures.c.course_id)).all())

    lines = [CourseLine(c, texts[c.id].title, *counts.get(c.id, (0, 0)), drafts.get(c.slug), stuck.get(c.id, 0))
             for c in courses]
    return TrainerHome(lines, _hard_questions(courses, texts, language, now))


def _hard_questions(courses, texts, language: str, now: datetime) -> list[HardQuestion]:
    by_id = {c.id: c for c in courses}
    correct = func.sum(case((AttemptAnswer.status == "correct", 1), else_=0))
    answers = func.count()
    rows = db.session.execute(
        select(Question, Quiz.course_id, answers, correct)
        .join(AttemptAnswer, AttemptAnswer.question_id == Question.id)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == Question.quiz_id)
        .where(Quiz.course_id.in_(list(by_id)), Question.removed.is_(False),
               QuizAttempt.submitted_at >= now - timedelta(days=RECENT_DAYS))
        .group_by(Question.id, Quiz.course_id)
        .having(answers >= MIN_ANSWERS, correct * 100 < HARD_BELOW_PERCENT * answers)
        .order_by((correct * 1.0 / answers).asc(), Question.id)
        .limit(HARD_QUESTIONS)
    ).all()
    result = []
    for question, course_id, n, right in rows:
        course = by_id[course_id]
        content = question.content or {}
        shown = content.get(language) or content.get(course.default_language) or next(iter(content.values()), {})
        # Markup only to strip the tags: the plain text is escaped again where it is shown.
        prompt = Markup(shown.get("prompt_html", "")).striptags() or question.slug  # noqa: S704
        result.append(HardQuestion(course, texts[course_id].title, prompt, n, round(100 * (right or 0) / n)))
    return result
