"""What a learner sees of a graded attempt: per question, their answer, the result, the
feedback, and the correct answer when the quiz's reveal policy allows it.

Built from the questions as the attempt showed them (QuizAttempt.questions), never from the live course, so later edits do not
change what a past attempt shows.
"""

from __future__ import annotations

from flask_babel import gettext as _

from lms.courses.rendering import fill_hub_placeholders


def shown_language(entry: dict, language: str) -> str:
    return language if language in entry else next(iter(entry))


def build_review(attempt, *, reveal: bool, hub) -> list[dict]:
    review = []
    if attempt.status != "graded":
        return review
    questions = attempt.questions
    for index, entry in enumerate(questions):
        language = shown_language(entry["content"], attempt.language)
        content = entry["content"][language]
        feedback = entry["feedback"][shown_language(entry["feedback"], language)]
        given = (attempt.answers or [[]] * len(questions))[index]
        result = (attempt.results or [])[index]
        chosen = {int(v) for v in given if v.isdigit()} if entry["kind"] in ("single", "multiple") else set()
        choices = [
            {"html": content["choices"][original], "chosen": original in chosen,
             "correct": entry["key"]["correct"][original] if reveal else None,
             "feedback": feedback["choices"][original] if original in chosen or reveal else ""}
            for original in entry["order"]
        ]
        right = result["status"] == "correct"
        review.append({
            "prompt_html": fill_hub_placeholders(content["prompt_html"], hub), "kind": entry["kind"],
            "result": result, "choices": choices, "given": shown_answer(entry["kind"], given) if not chosen else "",
            # General feedback usually explains the answer, so it comes with the answers.
            "general": feedback.get("general", "") if reveal else "",
            "specific": feedback.get("right" if right else "wrong", ""),
            "answer": correct_answer(entry, language) if reveal else None,
        })
    return review


def shown_answer(kind: str, given: list[str]) -> str:
    """The learner's own answer as words: true/false in their language, never the raw token."""
    if kind == "truefalse":
        words = {"true": _("True"), "false": _("False")}
        return ", ".join(words.get(value.strip().lower(), value) for value in given)
    return ", ".join(given)


def correct_answer(entry: dict, language: str) -> str | None:
    key = entry["key"]
    if entry["kind"] == "truefalse":
        return _("True") if key["truefalse"] else _("False")
    if entry["kind"] == "text":
        accepted = key.get("accepted", {})
        return ", ".join(accepted.get(language) or next(iter(accepted.values()), []))
    if entry["kind"] == "number":
        tolerance = key.get("tolerance") or 0
        return f"{key['number']:g}" + (f" ± {tolerance:g}" if tolerance else "")
    return None
