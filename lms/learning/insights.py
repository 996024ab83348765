"""What trainers and coordinators see of learning: learners' progress per course.

All aggregates are SQL GROUP BYs; a hub id narrows every figure to that hub's people.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import Course, Lesson, Quiz
from lms.domain.progress import Progress, course_progress
from lms.extensions import db
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    hub_id: int | None
    enrolled_at: object
    passed_at: object
    progress: Progress


def course_summaries(hub_id: int | None) -> list[tuple[Course, int, int]]:
    """(course, enrolled, passed) for every course, within a hub when given."""
    stmt = (
        select(Course, func.count(Enrolment.id), func.count(Enrolment.passed_at))
        .outerjoin(Enrolment, Enrolment.course_id == Course.id)
        .group_by(Course.id)
        .order_by(Course.slug)
    )
    if hub_id is not None:
        stmt = (
            select(Course, func.count(Enrolment.id), func.count(Enrolment.passed_at))
            .outerjoin(Enrolment, Enrolment.course_id == Course.id)
            .outerjoin(User, User.id == Enrolment.user_id)
            .where((User.hub_id == hub_id) | (Enrolment.id.is_(None)))
            .group_by(Course.id)
            .order_by(Course.slug)
        )
    return [(row[0], row[1], row[2]) for row in db.session.execute(stmt)]


def learners(course: Course, hub_id: int | None, sort: str = "name") -> list[LearnerRow]:
    lesson_ids = db.session.scalars(select(Lesson.id).where(Lesson.course_id == course.id, Lesson.removed.is_(False))).all()
    quiz_ids = db.session.scalars(select(Quiz.id).where(Quiz.course_id == course.id, Quiz.removed.is_(False))).all()
    people = select(Enrolment, User.name, User.hub_id).join(User, User.id == Enrolment.user_id).where(Enrolment.course_id == course.id)
    if hub_id is not None:
        people = people.where(User.hub_id == hub_id)
    rows = db.session.execute(people).all()
    user_ids = [row[0].user_id for row in rows]
    done = dict(db.session.execute(
        select(LessonProgress.user_id, func.count())
        .where(LessonProgress.lesson_id.in_(lesson_ids), LessonProgress.user_id.in_(user_ids))
        .group_by(LessonProgress.user_id)
    ).all()) if user_ids else {}
    passed = dict(db.session.execute(
        select(QuizAttempt.user_id, func.count(func.distinct(QuizAttempt.quiz_id)))
        .where(QuizAttempt.quiz_id.in_(quiz_ids), QuizAttempt.passed.is_(True), QuizAttempt.user_id.in_(user_ids))
        .group_by(QuizAttempt.user_id)
    ).all()) if user_ids else {}
    result = []
    for enrolment, name, user_hub in rows:
        # The same progress definition as the learner's own page, from counts.
        lessons_done = done.get(enrolment.user_id, 0)
        quizzes_passed = passed.get(enrolment.user_id, 0)
        progress = course_progress(
            lesson_ids=range(len(lesson_ids)), completed_lesson_ids=range(lessons_done),
            quiz_ids=range(len(quiz_ids)), passed_quiz_ids=range(quizzes_passed), enrolled=True,
        )
        result.append(LearnerRow(enrolment.user_id, name, user_hub, enrolment.enrolled_at, enrolment.passed_at, progress))
    if sort == "progress":
        result.sort(key=lambda r: (-r.progress.percent, r.name))
    elif sort == "enrolled":
        result.sort(key=lambda r: r.enrolled_at, reverse=True)
    else:
        result.sort(key=lambda r: r.name.casefold())
    return result
