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
    assert result.output.startswith("ok: 6 tracks, ")


def test_check_does_not_touch_the_database(runner, monkeypatch, app):
    from sqlalchemy import event

    from lms.extensions import db

    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    monkeypatch.chdir(ROOT)
    runner.invoke(args=["courses", "check", "courses/"])
    assert statements == []


def test_check_reports_each_deliberately_broken_course_at_its_line(runner, monkeypatch):
    """tests/fixtures/checker_courses: one course per way the checker used to let a course
    through that then crashed the import or showed learners the answers (issue 18)."""
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["courses", "check", "tests/fixtures/checker_courses"])
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if line.startswith("tests/")]
    assert printed == (FIXTURES / "checker_courses.expected").read_text(encoding="utf-8").splitlines()
    assert "Traceback" not in result.output


def test_an_alias_bomb_is_refused_within_a_second_with_its_line(runner, tmp_path):
    import time

    from tests.course_builder import write_tracks

    write_tracks(tmp_path, ["bomb"])
    folder = tmp_path / "bomb"
    folder.mkdir()
    levels = ['a0: &a0 ["' + "x" * 8 + '"' + ', "xxxxxxxx"' * 9 + "]"]
    levels += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 18)]
    front = "\n".join(levels)
    assert 900 < len(front) < 1100  # about 1 KB that would expand to 10^18 strings
    (folder / "course.md").write_text(f"---\ntitle: Bomb\ntrack: violence-prevention\nlanguage: en\n{front}\n---\nx\n")
    (folder / "01-intro.md").write_text("---\ntitle: Intro\n---\nHello.\n")
    started = time.perf_counter()
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert time.perf_counter() - started < 1.0
    assert result.exit_code == 1
    assert "bomb/course.md:5: anchors and aliases ('&name', '*name') are not allowed" in result.output


def test_messages_never_show_the_machines_absolute_paths(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the checked folder is outside the current folder
    from tests.course_builder import write_course, write_tracks

    write_tracks(tmp_path / "courses", ["alpha"])
    write_course(tmp_path / "courses", "alpha")
    (tmp_path / "courses" / "alpha" / "01-lesson-1.md").write_text("---\ntitle: [unclosed\n---\n")
    result = runner.invoke(args=["courses", "check", str(tmp_path / "courses")])
    assert result.exit_code == 1
    assert str(tmp_path) not in result.output
    assert result.output.startswith("courses/alpha/01-lesson-1.md:2: invalid YAML")


def test_check_of_a_missing_or_unreadable_folder_is_a_message(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "nowhere:1: no such folder" in result.output
    assert "Traceback" not in result.output


def test_check_answers_even_a_checker_bug_with_a_message_not_a_traceback(runner, monkeypatch):
    import lms.domain.course_format as course_format

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(course_format, "load_tree", broken)
    result = runner.invoke(args=["courses", "check", "courses/"])
    assert result.exit_code == 1
    assert "the checker failed on this input (RuntimeError)" in result.output and "Traceback" not in result.output


def test_check_from_the_command_line_on_mutated_courses_prints_no_traceback(runner, tmp_path):
    from hypothesis import HealthCheck, given, settings

    from tests.course_builder import write_tracks
    from tests.unit.test_course_check_fuzz import mutated

    write_tracks(tmp_path, ["seed"])
    counter = iter(range(10_000))

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(files=mutated())
    def run(files):
        folder = tmp_path / f"seed-{next(counter)}" / "seed"
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        (folder.parent / "tracks.yml").write_text((tmp_path / "tracks.yml").read_text().replace("violence-prevention", "eco"))
        result = runner.invoke(args=["courses", "check", str(folder.parent)])
        assert result.exit_code in (0, 1)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)

    run()


def test_every_duplicate_key_in_tracks_yml_is_reported_at_its_line(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["courses", "check", "tests/fixtures/checker_tracks"])
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if line.startswith("tests/")]
    assert printed == (FIXTURES / "checker_tracks.expected").read_text(encoding="utf-8").splitlines()


def test_links_out_of_a_course_are_refused_by_check_and_import(runner, monkeypatch):
    from sqlalchemy import func, select

    from lms.courses.models import Course
    from lms.extensions import db

    monkeypatch.chdir(ROOT)
    assert (FIXTURES / "checker_links" / "linked" / "02-outside.md").is_symlink()  # git keeps the link
    expected = (FIXTURES / "checker_links.expected").read_text(encoding="utf-8").splitlines()
    for command in ("check", "import"):
        result = runner.invoke(args=["courses", command, "tests/fixtures/checker_links"])
        assert result.exit_code == 1
        assert [line for line in result.output.splitlines() if line.startswith("tests/")] == expected
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0
