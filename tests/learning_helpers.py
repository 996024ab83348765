"""Answering quizzes in tests, from the questions as the attempt showed them."""

from __future__ import annotations


def correct_form(attempt) -> dict:
    form = {}
    for index, question in enumerate(attempt.questions):
        key, order = question["key"], question["order"]
        name = f"q{index}"
        if question["kind"] in ("single", "multiple"):
            shown = [str(pos) for pos, original in enumerate(order) if key["correct"][original]]
            form[name] = shown if question["kind"] == "multiple" else shown[0]
        elif question["kind"] == "truefalse":
            form[name] = "true" if key["truefalse"] else "false"
        elif question["kind"] == "text":
            form[name] = next(iter(key["accepted"].values()))[0]
        else:
            form[name] = f"{key['number']:g}"
    return form


def wrong_form(attempt) -> dict:
    """Every question answered, every answer wrong: a graded, failed attempt (a blank form
    is not graded at all)."""
    form = {}
    for index, question in enumerate(attempt.questions):
        key, order = question["key"], question["order"]
        name = f"q{index}"
        if question["kind"] in ("single", "multiple"):
            wrong = next(str(pos) for pos, original in enumerate(order) if not key["correct"][original])
            form[name] = [wrong] if question["kind"] == "multiple" else wrong
        elif question["kind"] == "truefalse":
            form[name] = "false" if key["truefalse"] else "true"
        elif question["kind"] == "text":
            form[name] = "certainly not this"
        else:
            form[name] = f"{key['number'] + 1000:g}"
    return form
