"""What the quiz pages show: the open attempt's questions (again with the learner's choices
after a held-back submission) and a quiz's question count. Kept apart from the views so
learning/routes.py stays about requests."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from lms.courses.models import Course, Question, Quiz
from lms.courses.rendering import fill_hub_placeholders
from lms.extensions import db
from lms.learning import queries, services
from lms.learning.models import QuizAttempt
from lms.learning.review import shown_language
from lms.models_base import utcnow


def attempt_page(attempt: QuizAttempt, viewer_hub, *, given=None, unanswered: tuple[int, ...] = (),
                 blank: bool = False) -> str:
    """The open attempt; `given` is the form sent back when nothing was graded, so no choice
    is lost, and `unanswered` names the questions left without an answer."""
    quiz = db.session.get(Quiz, attempt.quiz_id)
    course = db.session.get(Course, quiz.course_id)
    now = utcnow()
    questions = []
    for index, entry in enumerate(attempt.questions):
        content = entry["content"][shown_language(entry["content"], attempt.language)]
        choices = [content["choices"][original] for original in entry["order"]]
        questions.append({"index": index, "kind": entry["kind"], "points": entry["points"],
                          "prompt_html": fill_hub_placeholders(content["prompt_html"], viewer_hub),
                          "choices": choices, "given": given.getlist(f"q{index}")[:50] if given else [],
                          "unanswered": index in unanswered and not blank})
    # The countdown starts from the server's clock: a phone's own clock may be wrong.
    remaining = (attempt.deadline_at - now).total_seconds() if attempt.deadline_at else None
    return render_template(
        "learning/attempt.html", attempt=attempt, quiz=quiz, course=course, questions=questions,
        title=queries.quiz_title(quiz.titles, attempt.language, course.default_language),
        count=services.attempt_count(current_user.id, quiz, now), unanswered=[i + 1 for i in unanswered],
        blank=blank, seconds_left=max(int(remaining), 0) if remaining is not None else None,
    )


def question_count(quiz: Quiz) -> int:
    """Questions an attempt will have: the fixed ones plus those drawn from each pool."""
    fixed = db.session.scalar(
        select(func.count(Question.id)).where(Question.quiz_id == quiz.id, Question.removed.is_(False), Question.pool.is_(None))
    )
    return fixed + sum((quiz.pools or {}).values())
