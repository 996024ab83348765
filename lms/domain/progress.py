"""Course progress: one definition, used by every page and report."""

from __future__ import annotations

from dataclasses import dataclass

NOT_STARTED, IN_PROGRESS, PASSED = "not_started", "in_progress", "passed"


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    percent: int
    status: str


def course_progress(
    *, lesson_ids, completed_lesson_ids, quiz_ids, passed_quiz_ids, enrolled: bool
) -> Progress:
    """Progress counts only the course's current lessons and quizzes.

    Ticks on lessons that were later removed, and stray ids, are ignored, so the
    figure stays within 0-100 whatever the history.
    """
    lessons, quizzes = set(lesson_ids), set(quiz_ids)
    done = len(lessons & set(completed_lesson_ids)) + len(quizzes & set(passed_quiz_ids))
    total = len(lessons) + len(quizzes)
    percent = int(100 * done / total) if total else 0
    if total and done == total:
        status = PASSED
    elif enrolled or done:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return Progress(done, total, min(100, max(0, percent)), status)
