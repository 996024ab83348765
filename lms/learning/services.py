"""Learning operations: enrol, mark lessons done, start and submit quiz attempts.

The only place in learning that writes; each operation is one write transaction.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course, Lesson, Question, Quiz
from lms.domain import attempts as rules
from lms.domain.grading import grade_attempt
from lms.domain.progress import PASSED
from lms.extensions import db
from lms.fast_reads import CompiledRead, CompiledWrite
from lms.learning.frozen_questions import expand, freeze
from lms.learning.models import AttemptAnswer, Enrolment, LessonProgress, QuizAttempt, SyncReceipt
from lms.models_base import utcnow
from lms.transactions import write_transaction


class LearningError(Exception):
    """A refused action, with a message id the view turns into words."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def get_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(user, course: Course) -> Enrolment:
    """Enrol once; enrolling again (double click) returns the same enrolment."""
    if course.retired:
        raise LearningError("retired")
    try:
        with write_transaction():
            existing = get_enrolment(user.id, course.id)
            if existing is None:
                db.session.add(Enrolment(user_id=user.id, course_id=course.id))
    except IntegrityError:
        pass  # a simultaneous request enrolled first
    return get_enrolment(user.id, course.id)


def mark_lesson_done(user, course: Course, lesson: Lesson) -> bool:
    """Record an explicit "done". Returns True if the course became passed by it."""
    if lesson.course_id != course.id or lesson.removed:
        raise LearningError("no_such_lesson")
    try:
        with write_transaction():
            if get_enrolment(user.id, course.id) is None:
                raise LearningError("not_enrolled")
            exists = db.session.get(LessonProgress, (user.id, lesson.id))
            if exists is None:
                db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id))
                db.session.flush()
            return _update_passed(user.id, course)
    except IntegrityError:
        return False  # the same mark arrived twice at once; the first one counted


def sync_lesson_done(user, course: Course, lesson: Lesson, key: str) -> str:
    """A mark queued on a device while offline: checked like any mark, accepted once per key.

    Returns "done", or "duplicate" when this key was already received.
    """
    if lesson.course_id != course.id or lesson.removed:
        raise LearningError("no_such_lesson")
    try:
        with write_transaction():
            if db.session.get(SyncReceipt, key) is not None:
                return "duplicate"
            if get_enrolment(user.id, course.id) is None:
                raise LearningError("not_enrolled")
            db.session.add(SyncReceipt(key=key, user_id=user.id, lesson_id=lesson.id))
            if db.session.get(LessonProgress, (user.id, lesson.id)) is None:
                db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id))
            db.session.flush()
            _update_passed(user.id, course)
    except IntegrityError:
        return "duplicate"  # the same key arrived twice at once
    return "done"


def unmark_lesson(user, course: Course, lesson: Lesson) -> None:
    with write_transaction():
        db.session.execute(
            LessonProgress.__table__.delete().where(
                LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
            )
        )


def progress_for(user_id: int, course: Course):
    from lms.learning.queries import progress_by_course

    return progress_by_course(user_id, [course.id])[course.id]


def _update_passed(user_id: int, course: Course) -> bool:
    """Inside a write transaction: record the pass date the first time everything is done."""
    enrolment = get_enrolment(user_id, course.id)
    if enrolment is None or enrolment.passed_at is not None:
        return False
    if progress_for(user_id, course).status != PASSED:
        return False
    enrolment.passed_at = utcnow()
    enrolment.passed_revision = course.revision
    return True


# ---- quiz attempts

def past_attempts(user_id: int, quiz_id: int) -> list[QuizAttempt]:
    return db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
        .order_by(QuizAttempt.started_at)
    ).all()


def allowance(user_id: int, quiz: Quiz, now: datetime) -> rules.AttemptAllowance:
    closed = [
        rules.PastAttempt(a.started_at, a.submitted_at, a.passed)
        for a in past_attempts(user_id, quiz.id)
        if a.status != "open"
    ]
    return rules.attempt_allowance(
        closed,
        max_attempts=int(quiz.settings.get("max_attempts") or 0),
        cooldown_hours=float(quiz.settings.get("cooldown_hours") or 0),
        now=now,
    )


def attempt_count(user_id: int, quiz: Quiz, now: datetime) -> rules.AttemptCount | None:
    """"Attempt 2 of 3 · 1 left" for the attempt open now or about to start."""
    return rules.attempt_count(allowance(user_id, quiz, now), int(quiz.settings.get("max_attempts") or 0))


def open_attempt(user_id: int, quiz_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id, QuizAttempt.status == "open"
        )
    )


def start_attempt(user, course: Course, quiz: Quiz, language: str, *, now: datetime | None = None,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Start (or resume) an attempt: draws and snapshots its questions."""
    now = now or utcnow()
    if quiz.course_id != course.id or quiz.removed:
        raise LearningError("no_such_quiz")
    if get_enrolment(user.id, course.id) is None:
        raise LearningError("not_enrolled")
    current = open_attempt(user.id, quiz.id)
    if current is not None:
        if not rules.is_late(current.deadline_at, now):
            return current
        expire_attempt(current, now)
    permit = allowance(user.id, quiz, now)
    if not permit.allowed:
        raise LearningError("attempts_used", available_at=permit.available_at, exhausted=permit.exhausted)
    rng = rng or random.Random(secrets.randbits(64))
    questions = db.session.scalars(
        select(Question).where(Question.quiz_id == quiz.id, Question.removed.is_(False)).order_by(Question.position)
    ).all()
    by_id = {q.id: q for q in questions}
    picks = rules.draw_questions(
        [(q.id, q.pool, len(q.answer_key.get("correct") or [])) for q in questions],
        quiz.pools or {},
        shuffle_questions=bool(quiz.settings.get("shuffle_questions")),
        shuffle_answers=bool(quiz.settings.get("shuffle_answers")),
        rng=rng,
    )
    languages = {language, course.default_language}
    shown = [
        {
            "question_id": pick.question_id,
            "slug": by_id[pick.question_id].slug,
            "kind": by_id[pick.question_id].kind,
            "points": by_id[pick.question_id].points,
            "order": list(pick.choice_order),
            "content": {k: v for k, v in by_id[pick.question_id].content.items() if k in languages},
            "feedback": {k: v for k, v in by_id[pick.question_id].feedback.items() if k in languages},
            "key": by_id[pick.question_id].answer_key,
        }
        for pick in picks
    ]
    attempt = QuizAttempt(
        user_id=user.id,
        quiz_id=quiz.id,
        course_revision=course.revision,
        language=language,
        started_at=now,
        deadline_at=rules.deadline_for(now, quiz.settings.get("time_limit_minutes")),
        pass_mark=float(quiz.settings.get("pass_mark", course.pass_mark)),
        reveal=quiz.settings.get("reveal", "after_pass"),
    )
    try:
        with write_transaction():
            attempt.snapshot = freeze(shown)
            db.session.add(attempt)
    except IntegrityError:
        # Another tab started one a moment ago: use that one.
        existing = open_attempt(user.id, quiz.id)
        if existing is None:
            raise
        return existing
    return attempt


def expire_attempt(attempt: QuizAttempt, now: datetime) -> None:
    with write_transaction():
        db.session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id, QuizAttempt.status == "open")
            .values(status="expired", submitted_at=now, score=0.0, max_score=0.0, percent=0.0, passed=False)
        )


@dataclass(frozen=True)
class SubmitOutcome:
    # The attempt as it stands when nothing was graded now; None after grading (the
    # result page reads it afresh).
    attempt: QuizAttempt | None
    graded_now: bool  # False when an earlier identical submission already graded it
    late: bool = False
    course_passed: bool = False
    passed: bool = False
    # Not graded, the attempt stays open: questions left unanswered without the learner's
    # "submit anyway" (positions), or nothing answered at all (`blank`).
    unanswered: tuple[int, ...] = ()
    blank: bool = False

    @property
    def held_back(self) -> bool:
        return self.blank or bool(self.unanswered)


def answers_from_form(questions: list[dict], form) -> list[list[str]]:
    """The submitted values per question shown (QuizAttempt.questions), with displayed
    choice positions mapped back to the original choice indices. Unknown fields are ignored."""
    answers = []
    for index, question in enumerate(questions):
        values = [v[:500] for v in form.getlist(f"q{index}")][:50]
        if question["kind"] in ("single", "multiple"):
            order = question["order"]
            mapped = []
            for value in values:
                if value.isdigit() and int(value) < len(order):
                    mapped.append(str(order[int(value)]))
            values = mapped
        answers.append(values)
    return answers


def _grading_statement():
    attempts = QuizAttempt.__table__
    columns = ("status", "submitted_at", "answers", "results", "score", "max_score", "percent", "passed")
    return (
        update(attempts)
        .where(attempts.c.id == bindparam("attempt_id"), attempts.c.status == "open")
        .values({name: bindparam(f"new_{name}", type_=attempts.c[name].type) for name in columns})
    )


# Claims the attempt for grading: only one of two simultaneous submissions matches "open".
_GRADE = CompiledWrite(_grading_statement())
_ATTEMPT_TO_GRADE = CompiledRead(select(*(QuizAttempt.__table__.c[name] for name in (
    "id", "user_id", "quiz_id", "status", "deadline_at", "snapshot", "pass_mark", "language",
))).where(QuizAttempt.__table__.c.id == bindparam("id")))
_ANSWERS = CompiledWrite(insert(AttemptAnswer.__table__).values(
    {name: bindparam(name, type_=AttemptAnswer.__table__.c[name].type)
     for name in ("attempt_id", "position", "question_id", "status", "score", "choices")}))


def submit_attempt(user, attempt_id: int, form, *, now: datetime | None = None,
                   submit_unanswered: bool = False) -> SubmitOutcome:
    """Grade an attempt once. A second submission (double click, second tab) changes nothing.

    A blank submission is never graded, and one with unanswered questions only with
    `submit_unanswered`: both leave the attempt open and unused (the outcome says why).
    """
    now = now or utcnow()
    # The columns grading needs, without the ORM object or a session transaction of its
    # own (the usual case only writes; the claim below is what guards against a race).
    attempt = _ATTEMPT_TO_GRADE.first(id=attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise LearningError("no_such_attempt")
    if attempt.status != "open":
        return SubmitOutcome(db.session.get(QuizAttempt, attempt_id), graded_now=False)
    if rules.is_late(attempt.deadline_at, now):
        expired = db.session.get(QuizAttempt, attempt_id)
        expire_attempt(expired, now)
        db.session.refresh(expired)
        return SubmitOutcome(expired, graded_now=expired.status == "expired", late=True)
    questions = expand(attempt.snapshot)
    answers = answers_from_form(questions, form)
    missing = rules.unanswered(answers)
    if answers and len(missing) == len(answers):
        return SubmitOutcome(db.session.get(QuizAttempt, attempt_id), graded_now=False, blank=True,
                             unanswered=tuple(missing))
    if missing and not submit_unanswered:
        return SubmitOutcome(db.session.get(QuizAttempt, attempt_id), graded_now=False, unanswered=tuple(missing))
    result = grade_attempt([q["key"] for q in questions], answers, attempt.pass_mark, attempt.language)
    course = None
    if result.passed:  # only a pass can complete the course
        course = db.session.scalar(select(Course).join(Quiz, Quiz.course_id == Course.id).where(Quiz.id == attempt.quiz_id))
    with write_transaction():
        # Compiled statements on the session's connection: no ORM object is kept in step
        # and no ORM bookkeeping runs on the busiest write (these tables feed no report
        # version); the statements skip SQLAlchemy's per-statement work (lms/fast_reads.py).
        connection = db.session.connection()
        claimed = _GRADE.run(
            connection, attempt_id=attempt_id, new_status="graded", new_submitted_at=now, new_answers=answers,
            new_results=[{"score": r.score, "max": r.max_score, "status": r.status} for r in result.questions],
            new_score=result.score, new_max_score=result.max_score, new_percent=result.percent,
            new_passed=result.passed,
        )
        if claimed:
            _ANSWERS.run_many(connection, [
                {"attempt_id": attempt_id, "position": index, "question_id": question["question_id"],
                 "status": outcome.status, "score": outcome.score,
                 "choices": ",".join(answers[index]) if question["kind"] in ("single", "multiple") else ""}
                for index, (question, outcome) in enumerate(zip(questions, result.questions, strict=True))
            ])
        course_passed = bool(claimed) and result.passed and _update_passed(user.id, course)
    return SubmitOutcome(None, graded_now=bool(claimed), course_passed=course_passed,
                         passed=bool(claimed) and result.passed)
