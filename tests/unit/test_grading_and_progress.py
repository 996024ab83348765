"""Grading, progress and attempt rules, without HTTP or a database."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.domain import attempts as rules
from lms.domain.grading import grade_attempt, grade_question, normalise_text, parse_number
from lms.domain.progress import IN_PROGRESS, NOT_STARTED, PASSED, course_progress

SINGLE = {"kind": "single", "points": 1, "correct": [False, True, False]}
MULTI = {"kind": "multiple", "points": 2, "correct": [True, True, False, False]}
TF = {"kind": "truefalse", "points": 1, "truefalse": False}
TEXT = {"kind": "text", "points": 1, "accepted": {"kk": ["Бала құқықтары"], "ru": ["ЮНИСЕФ"], "en": ["UNICEF"]}}
NUMBER = {"kind": "number", "points": 1, "number": 54.0, "tolerance": 1.0}


def score(key, *values):
    return grade_question(key, list(values), "en")


def test_single_choice():
    assert score(SINGLE, "1").status == "correct"
    assert score(SINGLE, "0").status == "wrong"
    assert score(SINGLE).status == "blank" and score(SINGLE, "").status == "blank"


@pytest.mark.parametrize("tampered", ["7", "-1", "1.0", "x", "99999999", "1; DROP TABLE"])
def test_tampered_choice_ids_are_wrong_not_errors(tampered):
    assert score(SINGLE, tampered).score == 0


def test_single_choice_with_two_values_is_wrong():
    assert score(SINGLE, "1", "0").status == "wrong"


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [(["0", "1"], 2.0), (["0"], 1.0), (["0", "1", "2"], 1.0), (["0", "1", "2", "3"], 0.0), (["2", "3"], 0.0), (["0", "2"], 0.0)],
)
def test_multiple_answers_partial_credit(ticked, expected):
    assert score(MULTI, *ticked).score == expected


def test_multiple_answers_duplicates_count_once():
    assert score(MULTI, "0", "0", "0").score == 1.0


def test_true_false():
    assert score(TF, "false").status == "correct"
    assert score(TF, "TRUE").status == "wrong"
    assert score(TF, "maybe").status == "wrong"


@pytest.mark.parametrize("answer", ["unicef", "  UNICEF ", "Unicef.", "юнисеф", "БАЛА ҚҰҚЫҚТАРЫ", "бала   құқықтары"])
def test_text_answers_ignore_case_spacing_in_every_language(answer):
    assert score(TEXT, answer).status == "correct"


def test_text_answer_apostrophes():
    key = {"kind": "text", "points": 1, "accepted": {"en": ["World Children's Day"]}}
    assert score(key, "world children’s day").status == "correct"
    assert normalise_text("Ә Ғ Қ Ң Ө Ұ Ү Һ І") == "ә ғ қ ң ө ұ ү һ і"


@pytest.mark.parametrize(("answer", "status"), [("54", "correct"), ("53", "correct"), ("55,0", "correct"), ("56", "wrong"),
                                                ("-54", "wrong"), ("1e308", "wrong"), ("inf", "wrong"), ("nan", "wrong"),
                                                ("9" * 500, "wrong"), ("fifty", "wrong")])
def test_numeric_answers(answer, status):
    assert score(NUMBER, answer).status == status


def test_parse_number_refuses_non_finite():
    assert parse_number("1e999") is None and parse_number("") is None and parse_number(" 1 000,5 ") == 1000.5


def test_attempt_totals_and_pass_mark():
    result = grade_attempt([SINGLE, MULTI, TF, TEXT, NUMBER], [["1"], ["0", "1"], ["false"], ["unicef"], []], 80, "en")
    assert (result.score, result.max_score, result.percent, result.passed) == (5.0, 6.0, 83.33, True)
    borderline = grade_attempt([SINGLE] * 5, [["1"]] * 4 + [["0"]], 80, "en")
    assert borderline.percent == 80.0 and borderline.passed


@given(st.sets(st.integers(0, 30)), st.sets(st.integers(0, 30)), st.sets(st.integers(-5, 40)), st.sets(st.integers(-5, 40)))
def test_progress_always_between_0_and_100(lessons, quizzes, done, passed):
    progress = course_progress(lesson_ids=lessons, completed_lesson_ids=done, quiz_ids=quizzes, passed_quiz_ids=passed, enrolled=True)
    assert 0 <= progress.percent <= 100
    assert progress.done <= progress.total
    assert (progress.status == PASSED) == (progress.total > 0 and progress.done == progress.total)


def test_progress_ignores_removed_lessons():
    progress = course_progress(lesson_ids=[1, 2], completed_lesson_ids=[1, 2, 3], quiz_ids=[9], passed_quiz_ids=[], enrolled=True)
    assert (progress.done, progress.total, progress.percent, progress.status) == (2, 3, 66, IN_PROGRESS)
    assert course_progress(lesson_ids=[1], completed_lesson_ids=[], quiz_ids=[], passed_quiz_ids=[], enrolled=False).status == NOT_STARTED


NOW = datetime(2026, 11, 22, 12, 0)


def past(*minutes_ago, passed=False):
    return [rules.PastAttempt(NOW - timedelta(minutes=m), NOW - timedelta(minutes=m - 1), passed) for m in minutes_ago]


def test_attempt_limit_then_cooldown():
    assert rules.attempt_allowance(past(30, 20), max_attempts=3, cooldown_hours=24, now=NOW).allowed
    blocked = rules.attempt_allowance(past(30, 20, 10), max_attempts=3, cooldown_hours=24, now=NOW)
    assert not blocked.allowed and blocked.available_at == NOW - timedelta(minutes=9) + timedelta(hours=24)
    later = rules.attempt_allowance(past(30, 20, 10), max_attempts=3, cooldown_hours=24, now=NOW + timedelta(hours=24))
    assert later.allowed and later.used_in_round == 0


def test_new_round_after_cooldown_counts_again():
    history = past(3000, 2990, 2980) + past(20, 10, 5)  # a full round, a day's wait, another full round
    allowance = rules.attempt_allowance(history, max_attempts=3, cooldown_hours=24, now=NOW)
    assert not allowance.allowed and allowance.available_at is not None


def test_limit_without_cooldown_is_final():
    result = rules.attempt_allowance(past(30, 20), max_attempts=2, cooldown_hours=0, now=NOW + timedelta(days=365))
    assert not result.allowed and result.exhausted
    assert rules.attempt_allowance(past(*range(100, 0, -1)), max_attempts=0, cooldown_hours=0, now=NOW).allowed


def test_late_submission_rule():
    deadline = rules.deadline_for(NOW, 20)
    assert not rules.is_late(deadline, deadline + timedelta(seconds=59))
    assert rules.is_late(deadline, deadline + timedelta(seconds=61))
    assert not rules.is_late(None, NOW + timedelta(days=3))


def test_draw_with_pools_and_shuffles_is_per_attempt():
    questions = [(1, None, 3), (2, None, 0), (3, "p", 2), (4, "p", 2), (5, "p", 2), (6, "p", 2)]
    a = rules.draw_questions(questions, {"p": 2}, shuffle_questions=True, shuffle_answers=True, rng=random.Random(1))
    b = rules.draw_questions(questions, {"p": 2}, shuffle_questions=True, shuffle_answers=True, rng=random.Random(2))
    for picks in (a, b):
        ids = [p.question_id for p in picks]
        assert len(ids) == 4 and {1, 2} <= set(ids) and len({3, 4, 5, 6} & set(ids)) == 2
        assert all(sorted(p.choice_order) == list(range(dict((q[0], q[2]) for q in questions)[p.question_id])) for p in picks)
    assert [p.question_id for p in a] != [p.question_id for p in b] or [p.choice_order for p in a] != [p.choice_order for p in b]
    plain = rules.draw_questions(questions[:2], {}, shuffle_questions=False, shuffle_answers=False, rng=random.Random(1))
    assert [(p.question_id, p.choice_order) for p in plain] == [(1, (0, 1, 2)), (2, ())]


def test_reveal_policy():
    assert rules.reveal_answers("after_pass", True) and not rules.reveal_answers("after_pass", False)
    assert rules.reveal_answers("always", False) and not rules.reveal_answers("never", True)
