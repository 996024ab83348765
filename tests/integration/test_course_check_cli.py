"""`flask --app wsgi courses check` on broken and on shipped courses."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def test_check_reports_every_broken_course_problem_with_path_and_line(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["courses", "check", "tests/fixtures/broken_courses"])
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if line.startswith("tests/")]
    expected = (FIXTURES / "broken_courses.expected").read_text(encoding="utf-8").splitlines()
    assert printed == expected
    # the named kinds of mistake are each among them
    for fragment in (
        "unknown track 'violence-prevension', did you mean 'violence-prevention'?",
        "unknown key 'pass_mrak', did you mean 'pass_mark'?",
        "duplicate lesson slug 'intro'",
        "has no correct answer",
        "single-choice question 'two-correct' has 2 correct answers",
        "numeric answer 'fifty-four' is not a number",
        "pass mark 120 is outside 0-100",
        "missing lesson title",
        "broken image link 'images/missing.png'",
        "bad-yaml/course.md:2: invalid YAML",
    ):
        assert any(fragment in line for line in printed), fragment


def test_shipped_curriculum_is_valid(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["courses", "check", "courses/"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 6 tracks, 7 courses")


def test_check_does_not_touch_the_database(runner, monkeypatch, app):
    from sqlalchemy import event

    from lms.extensions import db

    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    monkeypatch.chdir(ROOT)
    runner.invoke(args=["courses", "check", "courses/"])
    assert statements == []
