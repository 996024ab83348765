from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.domain.course_format.limits import ATTEMPT_CHOICES_MAX
from lms.extensions import db
from lms.models_base import utcnow


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    passed_at: Mapped[datetime | None]
    passed_revision: Mapped[int | None]  # the course revision it was passed on


class LessonProgress(db.Model):
    """A lesson the learner marked as done (an explicit action, never a page view)."""

    __tablename__ = "lesson_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True, index=True)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # "active in the last 30 days"


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # At most one open attempt per learner and quiz, even with two tabs.
        Index(
            "uq_quiz_attempts_open", "user_id", "quiz_id", unique=True,
            sqlite_where=db.text("status = 'open'"), postgresql_where=db.text("status = 'open'"),
        ),
        Index("ix_quiz_attempts_user_quiz", "user_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    course_revision: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, graded, expired
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    pass_mark: Mapped[float]
    reveal: Mapped[str] = mapped_column(String(16), default="after_pass")
    # The questions as drawn and shown: per question the digest of its frozen text
    # (lms.learning.frozen_questions) and its choice order. Grading and review use these,
    # never the live course, so later edits do not change past attempts.
    snapshot: Mapped[list] = mapped_column(JSON)
    answers: Mapped[list | None] = mapped_column(JSON)
    results: Mapped[list | None] = mapped_column(JSON)
    score: Mapped[float | None]
    max_score: Mapped[float | None]
    percent: Mapped[float | None]
    passed: Mapped[bool] = mapped_column(default=False)

    @property
    def questions(self) -> list[dict]:
        """The questions as this attempt showed them (kind, points, content, feedback, key, order)."""
        from lms.learning.frozen_questions import expand

        return expand(self.snapshot)


class FrozenQuestion(db.Model):
    """A question's text as attempts showed it, stored once under the digest of its content
    (lms.learning.frozen_questions): never changed, so any number of attempts share it."""

    __tablename__ = "frozen_questions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[dict] = mapped_column(JSON)


class AttemptAnswer(db.Model):
    """One graded answer, kept as a row so item statistics are a GROUP BY."""

    __tablename__ = "attempt_answers"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[float]
    # Original indices of the choices ticked, e.g. "0,2" (choice questions only).
    choices: Mapped[str] = mapped_column(String(ATTEMPT_CHOICES_MAX), default="")


class SyncReceipt(db.Model):
    """A "mark as done" sent from a device after being offline, accepted once per key."""

    __tablename__ = "sync_receipts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
