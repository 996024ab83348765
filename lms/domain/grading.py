"""Grading quiz answers. Pure: an answer key and the submitted form values in, a score out.

Every input is untrusted (a crafted POST can send anything), so each function accepts
any strings and treats what it cannot use as a wrong or blank answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

BLANK, WRONG, PARTIAL, CORRECT = "blank", "wrong", "partial", "correct"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "«": '"', "»": '"', "“": '"', "”": '"'})
_SPACES = re.compile(r"\s+")
MAX_NUMBER_LENGTH = 40


@dataclass(frozen=True)
class QuestionResult:
    score: float
    max_score: float
    status: str  # blank, wrong, partial, correct


@dataclass(frozen=True)
class AttemptResult:
    score: float
    max_score: float
    percent: float
    passed: bool
    questions: tuple[QuestionResult, ...]


def normalise_text(value: str) -> str:
    """How short text answers compare: case, spacing, apostrophe style and a final full stop ignored."""
    value = unicodedata.normalize("NFKC", value or "").translate(_APOSTROPHES)
    value = _SPACES.sub(" ", value).strip().casefold()
    return value.rstrip(".").rstrip()


def parse_number(value: str) -> float | None:
    value = (value or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not value or len(value) > MAX_NUMBER_LENGTH:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def grade_question(key: dict, answer: list[str], language: str) -> QuestionResult:
    """Grade one question. `answer` is the list of submitted values for it (maybe empty).

    Choice values are indices into the key's original choice order.
    """
    kind, points = key["kind"], float(key["points"])
    values = [v for v in answer if isinstance(v, str) and v.strip() != ""]
    if not values:
        return QuestionResult(0.0, points, BLANK)
    if kind == "single":
        correct = key["correct"]
        index = _choice_index(values[0], len(correct))
        ok = len(values) == 1 and index is not None and correct[index]
        return QuestionResult(points if ok else 0.0, points, CORRECT if ok else WRONG)
    if kind == "multiple":
        correct = key["correct"]
        ticked = {i for i in (_choice_index(v, len(correct)) for v in values) if i is not None}
        right_total = sum(correct)
        wrong_total = len(correct) - right_total
        right = sum(1 for i in ticked if correct[i])
        wrong = len(ticked) - right
        share = right / right_total - (wrong / wrong_total if wrong_total else 0.0)
        score = round(points * max(0.0, share), 4)
        status = CORRECT if score >= points else (PARTIAL if score > 0 else WRONG)
        return QuestionResult(score, points, status)
    if kind == "truefalse":
        given = values[0].strip().lower()
        ok = given in ("true", "false") and (given == "true") == key["truefalse"]
        return QuestionResult(points if ok else 0.0, points, CORRECT if ok else WRONG)
    if kind == "text":
        accepted_by_language = key.get("accepted") or {}
        # The learner's language first, but an answer accepted in any language counts.
        accepted = {normalise_text(a) for texts in accepted_by_language.values() for a in texts}
        ok = normalise_text(values[0]) in accepted
        return QuestionResult(points if ok else 0.0, points, CORRECT if ok else WRONG)
    if kind == "number":
        number = parse_number(values[0])
        ok = number is not None and abs(number - float(key["number"])) <= float(key["tolerance"]) + 1e-9
        return QuestionResult(points if ok else 0.0, points, CORRECT if ok else WRONG)
    return QuestionResult(0.0, points, WRONG)


def _choice_index(value: str, count: int) -> int | None:
    if not value.isdigit() or len(value) > 4:
        return None
    index = int(value)
    return index if 0 <= index < count else None


def grade_attempt(keys: list[dict], answers: list[list[str]], pass_mark: float, language: str) -> AttemptResult:
    """Grade a whole attempt; `answers[i]` belongs to `keys[i]`."""
    results = tuple(grade_question(k, a, language) for k, a in zip(keys, answers, strict=True))
    score = round(sum(r.score for r in results), 4)
    max_score = sum(r.max_score for r in results)
    percent = round(100.0 * score / max_score, 2) if max_score else 0.0
    # A hair of tolerance so 4/5 of 100 meets a pass mark of 80 despite float rounding.
    return AttemptResult(score, max_score, percent, percent + 1e-9 >= pass_mark, results)
