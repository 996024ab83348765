"""The trainers' view: how each course is completed, and how each quiz question is answered."""

from __future__ import annotations

from sqlalchemy import and_, case, func, literal, select

from lms.courses.models import Course, Question, Quiz
from lms.extensions import db
from lms.learning.models import AttemptAnswer, Enrolment, QuizAttempt
from lms.reports.scope import Scope, course_titles, courses_in_track, people

MAX_CHOICES = 8


def _days_to_complete():
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", Enrolment.passed_at - Enrolment.enrolled_at) / 86400.0
    return func.julianday(Enrolment.passed_at) - func.julianday(Enrolment.enrolled_at)


def course_completion(scope: Scope, language: str) -> list[dict]:
    """Per course: enrolled, passed, completion rate and the median days to complete."""
    volunteers = people(scope)
    rows = db.session.execute(
        select(Course.id, Course.slug, func.count(Enrolment.id), func.count(Enrolment.passed_at))
        .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id.in_(volunteers)))
        .where(Course.id.in_(courses_in_track(scope)))
        .group_by(Course.id, Course.slug).order_by(Course.slug)
    ).all()
    titles = course_titles(language)
    result = []
    days = _days_to_complete()
    for course_id, slug, enrolled, passed in rows:
        median = None
        if passed:
            ordered = (select(days.label("d")).where(Enrolment.course_id == course_id, Enrolment.passed_at.is_not(None),
                                                     Enrolment.user_id.in_(volunteers)).order_by(days))
            middle = db.session.scalars(ordered.limit(2 - passed % 2).offset((passed - 1) // 2)).all()
            median = round(sum(float(x) for x in middle) / len(middle), 1)
        result.append({"course": slug, "title": titles.get(course_id, slug), "enrolled": enrolled, "passed": passed,
                       "completion_rate": round(100 * passed / enrolled, 1) if enrolled else 0.0,
                       "median_days": median})
    return result


def _scoped_users(scope: Scope):
    """None when the scope covers everyone (no filter needed), else the people subquery."""
    return people(scope) if scope.hub_id is not None or scope.region else None


def item_analysis(course_id: int, scope: Scope) -> list[dict]:
    """Per question: answers, share correct, and how often each choice was picked."""
    padded = literal(",") + AttemptAnswer.choices + literal(",")
    choice_columns = [func.sum(case((padded.like(f"%,{i},%"), 1), else_=0)) for i in range(MAX_CHOICES)]
    stmt = (
        select(AttemptAnswer.question_id, func.count(), func.sum(case((AttemptAnswer.status == "correct", 1), else_=0)),
               *choice_columns)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.course_id == course_id, QuizAttempt.submitted_at >= scope.start, QuizAttempt.submitted_at < scope.end)
        .group_by(AttemptAnswer.question_id)
    )
    volunteers = _scoped_users(scope)
    if volunteers is not None:
        stmt = stmt.where(QuizAttempt.user_id.in_(volunteers))
    counts = {row[0]: row[1:] for row in db.session.execute(stmt).all()}
    questions = db.session.execute(
        select(Question.id, Question.slug, Question.position, Question.kind, Question.content, Quiz.slug)
        .join(Quiz, Quiz.id == Question.quiz_id)
        .where(Quiz.course_id == course_id, Question.removed.is_(False))
        .order_by(Quiz.position, Question.position)
    ).all()
    result = []
    for qid, slug, position, kind, content, quiz_slug in questions:
        answers, correct, *picked = counts.get(qid, (0, 0, *[0] * MAX_CHOICES))
        choice_count = len(next(iter((content or {}).values()), {}).get("choices", []))
        result.append({"question": slug, "quiz": quiz_slug, "position": position, "kind": kind, "answers": answers,
                       "correct_share": round(100 * (correct or 0) / answers, 1) if answers else 0.0,
                       "choices": [int(c or 0) for c in picked[:choice_count]]})
    return result
