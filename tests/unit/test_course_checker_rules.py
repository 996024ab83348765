"""The checker's rules that issue 18 found missing: strict YAML, numbers, fenced code,
quiz markers, translations, links and limits. Pure domain: no app, no database."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from lms.domain.course_format import load_tracks, load_tree
from lms.domain.course_format.blocks import scan_lesson_body
from lms.domain.course_format.course import parse_course_files, read_course_files
from lms.domain.course_format.limits import CHOICES_MAX, max_choices
from lms.domain.course_format.problems import Collector
from lms.domain.course_format.quiz import parse_number, parse_quiz
from lms.domain.course_format.yamlio import load_yaml
from lms.domain.safe_files import UnsafeArchive, read_zip

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checker_courses"
COURSE = "---\ntitle: C\ntrack: eco\nlanguage: en\n{extra}---\nOverview.\n"
LESSON = "---\ntitle: L\nminutes: 5\n---\nText.\n"


def check(files: dict[str, str]):
    return parse_course_files("c", {k: v.encode() for k, v in files.items()}, display_prefix="c", known_tracks={"eco"})


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("a: 1\nb: !!python/object:os.system x\n", 2, "YAML tags such as '!!python/object:os.system' are not allowed"),
    ("a: !!str 3\n", 1, "YAML tags such as '!!str' are not allowed"),
    ("base: &b {x: 1}\nother: *b\n", 1, "anchors and aliases ('&name', '*name') are not allowed"),
    ("a: {x: 1}\nb:\n  <<: {y: 2}\n", 3, "merge keys ('<<') are not allowed"),
    ("title: A\nminutes: 5\ntitle: B\n", 3, "duplicate key 'title' (first on line 1)"),
])
def test_strict_yaml_refuses_with_the_line(text, line, message):
    collector = Collector("f")
    data, _lines = load_yaml(text, collector)
    assert data is None
    [problem] = collector.problems
    assert problem.line == line and problem.message.startswith(message)


def test_tracks_yml_with_a_duplicate_key_is_refused_at_the_second():
    text = "tracks:\n  - slug: eco\n    title: Eco\n    title: Eco again\n"
    _tracks, problems = load_tracks(text, "tracks.yml")
    assert messages(problems) == [
        "tracks.yml:4: duplicate key 'title' (first on line 3); YAML would silently keep only the last"]


def test_an_unquoted_version_is_kept_as_written():
    source, problems = check({"course.md": COURSE.format(extra="version: 2026.10\n"), "01-a.md": LESSON})
    assert problems == [] and source.version == "2026.10"


@pytest.mark.parametrize(("extra", "message"), [
    ("pass_mark: 80.5\n", "c/course.md:5: 'pass_mark' must be a whole number from 0 to 100, not '80.5'"),
    ("minutes: 1_000\n", "c/course.md:5: 'minutes' must be a whole number from 0 to 100000, not '1_000'"),
    ("minutes: 0x10\n", "c/course.md:5: 'minutes' must be a whole number from 0 to 100000, not '0x10'"),
    ("version: [1, 2]\n", "c/course.md:5: 'version' must be a short text, e.g. \"2026.10\""),
])
def test_course_numbers_are_plain_and_whole(extra, message):
    assert messages(check({"course.md": COURSE.format(extra=extra), "01-a.md": LESSON})[1]) == [message]


@pytest.mark.parametrize(("raw", "value"), [("54", 54.0), ("-3", -3.0), ("2.5", 2.5), ("2,5", 2.5), ("0,125", 0.125),
                                            ("1.000", 1.0), ("1000", 1000.0)])
def test_numbers_take_a_decimal_point_or_comma(raw, value):
    assert parse_number(raw) == (value, "")


@pytest.mark.parametrize(("raw", "why"), [
    ("1,000", "'1,000' is ambiguous (a thousands separator or a decimal comma?): write 1000, or 1.000 for a decimal"),
    ("12,500", "'12,500' is ambiguous"),
    ("1 000", "'1 000' is not a number"),
    ("1,000,000", "'1,000,000' is not a number"),
    ("1e3", "'1e3' is not a number"),
    ("9" * 400, "is too large"),
])
def test_thousands_separators_and_huge_numbers_are_refused(raw, why):
    value, message = parse_number(raw)
    assert value is None and why in message


def test_number_1000_with_a_comma_is_refused_at_its_line_not_stored_as_one():
    collector = Collector("quiz.md")
    quiz = parse_quiz("### Q year\nWhich year?\n\nnumber: 1,000\n", slug="final", path="quiz.md", first_line=1,
                      collector=collector)
    assert quiz.questions == ()
    assert [p.message.split(" is ")[0] for p in collector.problems if p.line == 4] == ["numeric answer '1,000'"]


def test_a_quiz_example_inside_a_fence_is_text_and_code_in_a_question_is_its_text():
    files = {name: (FIXTURES / "fenced-code" / name).read_text() for name in ("course.md", "01-example.md",
                                                                                "02-code-in-question.md")}
    source, problems = check(files)
    assert problems == []
    example, code = source.lessons
    assert "::: quiz" in example.texts["en"].body
    [quiz] = source.quizzes["en"]
    assert quiz.slug == code.slug
    [question] = quiz.questions
    assert "( ) not a choice" in question.prompt and len(question.choices) == 2


def test_an_unclosed_fence_in_a_quiz_file_is_reported_where_it_opens():
    collector = Collector("quiz.md")
    parse_quiz("### Q a\nText:\n\n```\n( ) code\n\n(x) A\n( ) B\n", slug="final", path="quiz.md", first_line=1,
               collector=collector)
    assert any(p.line == 4 and "is not closed" in p.message for p in collector.problems)


def test_quiz_markers_outside_fences_are_checked_and_inside_are_not():
    collector = Collector("l.md")
    body = "```\n:::quiz\n```\n::: note\n"
    scan = scan_lesson_body(body, 5, collector)
    assert scan.quiz_text is None and scan.code_lines == {5, 6, 7}
    assert messages(collector.problems) == ["l.md:8: unknown block marker '::: note': the only block is '::: quiz' ... ':::'"]


def test_lines_after_a_quiz_block_keep_their_file_line_numbers():
    lesson = "---\ntitle: L\n---\n::: quiz\n### Q a\nA?\n\ntruefalse: true\n:::\n![x](images/none.png)\n"
    assert messages(check({"course.md": COURSE.format(extra=""), "01-a.md": lesson})[1]) == [
        "c/01-a.md:10: broken image link 'images/none.png': no such file in the course folder"]


def test_a_translation_belongs_to_the_lesson_of_the_same_file_name():
    files = {"course.md": COURSE.format(extra=""), "course.ru.md": "---\ntitle: К\n---\n",
             "01-a.md": "---\ntitle: L\nid: kept\n---\nText.\n",
             "01-a.ru.md": "---\ntitle: У\nid: other\n---\nТекст.\n"}
    assert messages(check(files)[1]) == [
        "c/01-a.ru.md:3: 'id' is 'other' here but 'kept' in 01-a.md; a translation belongs to the lesson of the same file name"]
    files["01-a.ru.md"] = "---\ntitle: У\n---\nТекст.\n"
    source, problems = check(files)
    assert problems == [] and source.lessons[0].slug == "kept" and source.lessons[0].texts["ru"].minutes == 0


def test_a_renumbered_translation_is_told_which_file_it_should_follow():
    files = {"course.md": COURSE.format(extra=""), "course.ru.md": "---\ntitle: К\n---\n",
             "02-a.md": LESSON, "01-a.ru.md": LESSON}
    assert "c/01-a.ru.md:1: no 01-a.md in the default language for this translation: rename it after 02-a.md" in \
        messages(check(files)[1])


def test_too_many_choices_for_the_attempt_column_are_refused():
    assert max_choices(200) == CHOICES_MAX == 70
    assert len(",".join(str(i) for i in range(CHOICES_MAX))) <= 200 < len(",".join(str(i) for i in range(CHOICES_MAX + 1)))
    choices = "".join(f"[x] Choice {i}\n" for i in range(CHOICES_MAX + 1))
    collector = Collector("quiz.md")
    parse_quiz(f"### Q many\nPick.\n\n{choices}", slug="final", path="quiz.md", first_line=1, collector=collector)
    assert messages(collector.problems) == [f"quiz.md:1: question 'many' has {CHOICES_MAX + 1} choices; at most {CHOICES_MAX}"]


@pytest.mark.parametrize(("settings", "message"), [
    ("cooldown_hours: 1e9\n", "'cooldown_hours' must be a number, not '1e9'"),
    ("cooldown_hours: 100000\n", "'cooldown_hours' is at most 8760, not 100000"),
    ("time_limit_minutes: 99999999\n", "'time_limit_minutes' is at most 10080, not 99999999"),
    ("max_attempts: 5000\n", "'max_attempts' is at most 1000, not 5000"),
])
def test_quiz_settings_stay_within_what_date_arithmetic_can_hold(settings, message):
    files = {"course.md": COURSE.format(extra=""), "01-a.md": LESSON,
             "quiz.md": f"---\n{settings}---\n### Q a\nA?\n\ntruefalse: true\n"}
    assert messages(check(files)[1]) == [f"c/quiz.md:2: {message}"]


def test_points_beyond_the_limit_are_refused():
    collector = Collector("quiz.md")
    parse_quiz("### Q a (99999 points)\nA?\n\ntruefalse: true\n", slug="final", path="quiz.md", first_line=1,
               collector=collector)
    assert messages(collector.problems) == ["quiz.md:1: question 'a' is worth 99999 points; at most 1000"]


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    (root / "c").mkdir(parents=True)
    (root / "tracks.yml").write_text("tracks:\n  - slug: eco\n    title: Eco\n    certification:\n      courses: [c]\n"
                                     "      valid_months: 24\n      issuance: review\n      allows: Eco\n")
    (root / "c" / "course.md").write_text(COURSE.format(extra=""))
    (root / "c" / "01-a.md").write_text(LESSON)
    return root


def test_a_symbolic_link_in_a_course_is_refused_and_not_read(tmp_path):
    root = _tree(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: not yours\n---\n")
    (root / "c" / "02-b.md").symlink_to(secret)
    (root / "c" / "images").symlink_to(tmp_path)
    tree, problems = load_tree(root, display_root=tmp_path)
    assert tree is None
    assert [(p.path, p.message.split(" (")[0]) for p in problems] == [
        ("courses/c/02-b.md", "symbolic links are not allowed in a course"),
        ("courses/c/images", "symbolic links are not allowed in a course"),
    ]
    assert "02-b.md" not in read_course_files(root / "c")


def test_a_linked_course_folder_or_tracks_file_is_refused(tmp_path):
    root = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (root / "c").rename(elsewhere)
    (root / "c").symlink_to(elsewhere)
    _loaded, problems = load_tree(root, display_root=tmp_path)
    assert "courses/c:1: symbolic links are not allowed" in messages(problems)[0]
    (tmp_path / "tracks.yml").write_bytes((root / "tracks.yml").read_bytes())
    (root / "tracks.yml").unlink()
    (root / "tracks.yml").symlink_to(tmp_path / "tracks.yml")
    _loaded, problems = load_tree(root, display_root=tmp_path)
    assert any(m.startswith("courses/tracks.yml:1: symbolic links are not allowed") for m in messages(problems))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_in_a_course_is_refused_without_blocking(tmp_path):
    root = _tree(tmp_path)
    os.mkfifo(root / "c" / "02-b.md")
    _loaded, problems = load_tree(root, display_root=tmp_path)
    assert messages(problems) == ["courses/c/02-b.md:1: only regular files can be part of a course, not devices, pipes or sockets"]


def test_a_zip_with_a_symbolic_link_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("c/course.md", "x")
        link = zipfile.ZipInfo("c/01-a.md")
        link.create_system = 3
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeArchive, match="symbolic link in archive: c/01-a.md"):
        read_zip(buffer.getvalue())


def test_a_huge_text_file_is_refused_before_parsing():
    _source, problems = check({"course.md": COURSE.format(extra=""), "01-a.md": LESSON + "x" * (600 * 1024)})
    assert "c/01-a.md:1: the file is larger than 128 KB; split it into several lessons" in messages(problems)


def test_the_editors_lesson_list_reads_front_matter_with_the_strict_reader():
    import time

    from lms.domain.course_edit import course_title, lesson_entries

    bomb = "\n".join(['a0: &a0 ["xxxxxxxx"' + ', "xxxxxxxx"' * 9 + "]"]
                     + [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 18)])
    files = {"course.md": f"---\ntitle: C\n{bomb}\n---\n".encode(), "01-a.md": f"---\ntitle: L\n{bomb}\n---\n".encode()}
    started = time.perf_counter()
    assert course_title(files) == ""
    assert [entry.path for entry in lesson_entries(files)] == ["01-a.md"]
    assert time.perf_counter() - started < 1.0


def test_kit_files_get_the_strict_yaml_and_the_title_limit():
    base = {"course.md": COURSE.format(extra=""), "01-a.md": LESSON}
    long_title = "---\ntitle: " + "K" * 301 + "\ntrack: eco\n---\n# Page\n"
    assert messages(check({**base, "kit.md": long_title})[1]) == ["c/kit.md:2: the title is 301 characters long; at most 300"]
    duplicate = "---\ntitle: Kit\ntrack: eco\ntrack: any\n---\n# Page\n"
    assert messages(check({**base, "kit.md": duplicate})[1])[0].startswith("c/kit.md:4: duplicate key 'track' (first on line 3)")


def test_files_from_windows_editors_pass_and_hidden_files_are_not_part_of_a_course():
    files = {"course.md": "\ufeff" + COURSE.format(extra="").replace("\n", "\r\n"), "01-a.md": LESSON.replace("\n", "\r\n")}
    source, problems = check(files)
    assert problems == [] and source.texts["en"].title == "C"


def test_hidden_files_are_skipped_when_reading_a_folder(tmp_path):
    root = _tree(tmp_path)
    (root / "c" / ".DS_Store").write_bytes(b"\x00\x01")
    (root / "c" / ".notes").mkdir()
    (root / "c" / ".notes" / "x.txt").write_text("x")
    tree, problems = load_tree(root, display_root=tmp_path)
    assert problems == [] and ".DS_Store" not in tree.courses[0].files


def test_lesson_numbers_may_have_gaps_but_not_repeats():
    source, problems = check({"course.md": COURSE.format(extra=""), "01-a.md": LESSON, "05-b.md": LESSON})
    assert problems == [] and [lesson.number for lesson in source.lessons] == [1, 5]
    assert messages(check({"course.md": COURSE.format(extra=""), "01-a.md": LESSON, "01-b.md": LESSON})[1]) == [
        "c/01-b.md:1: two lessons are numbered 01 (also 01-a.md)"]


def test_values_are_taken_as_written():
    source, problems = check({"course.md": COURSE.format(extra="").replace("title: C", "title: 2026"), "01-a.md": LESSON})
    assert problems == [] and source.texts["en"].title == "2026"
    _source, problems = check({"course.md": COURSE.format(extra="").replace("language: en", "language: no"),
                               "01-a.md": LESSON})
    assert messages(problems) == ["c/course.md:4: unknown language 'no' (use en, ru or kk)"]


def test_tabs_cannot_indent_front_matter():
    _source, problems = check({"course.md": COURSE.format(extra="summary:\n\t- a\n"), "01-a.md": LESSON})
    assert len(problems) == 1 and problems[0].message.startswith("invalid YAML") and problems[0].line == 6


def test_upper_case_x_marks_a_correct_choice():
    collector = Collector("quiz.md")
    quiz = parse_quiz("### Q a\nA?\n\n(X) Yes\n( ) No\n\n### Q b\nB?\n\n[X] One\n[x] Two\n[ ] Three\n", slug="final",
                      path="quiz.md", first_line=1, collector=collector)
    assert collector.problems == []
    assert [[c.correct for c in q.choices] for q in quiz.questions] == [[True, False], [True, True, False]]


def test_a_quiz_block_in_course_md_is_refused_and_a_stray_closing_line_too():
    overview = "Overview.\n\n::: quiz\n### Q a\nA?\n\ntruefalse: true\n:::\n\n:::\n"
    files = {"course.md": COURSE.format(extra="").replace("Overview.\n", overview), "01-a.md": LESSON}
    assert messages(check(files)[1]) == [
        "c/course.md:8: a quiz block belongs in a lesson (or quiz.md), not in course.md",
        "c/course.md:15: a ':::' line closes a quiz block, but no '::: quiz' line is open here",
    ]


def test_a_fence_closes_only_with_the_same_fence():
    collector = Collector("l.md")
    scan = scan_lesson_body("~~~~\n::: quiz\n~~~\n:::\n~~~~\n::: quiz\n### Q a\nA?\n\ntruefalse: true\n:::\n", 1, collector)
    assert collector.problems == [] and scan.quiz_line == 7 and scan.code_lines == {1, 2, 3, 4, 5}


def test_a_path_longer_than_the_column_is_refused():
    name = "images/" + "p" * 300 + ".png"
    _source, problems = parse_course_files("c", {"course.md": COURSE.format(extra="").encode(), "01-a.md": LESSON.encode(),
                                                 name: b"\x89PNG\r\n\x1a\n"}, display_prefix="c", known_tracks={"eco"})
    assert [p.message for p in problems] == ["the file's path is longer than 300 characters"]


def test_fences_are_recognised_exactly_as_the_renderer_does():
    from lms.courses.rendering import Renderer

    collector = Collector("l.md")
    # "``` some words" is inline code to Python-Markdown, not a fence: the quiz after it is real.
    body = "``` some words\n\n::: quiz\n### Q a\nA?\n\ntruefalse: true\n:::\n"
    scan = scan_lesson_body(body, 1, collector)
    assert scan.quiz_line == 4 and scan.code_lines == set()
    assert "<pre>" not in Renderer(media_prefix="/m/").block("``` some words\ncode\n```\n")
    fenced = "```py hl_lines=\"1\"\n::: quiz\n```\n"
    assert scan_lesson_body(fenced, 1, collector).quiz_text is None and collector.problems == []


def test_a_nul_character_is_refused_with_its_line_as_postgresql_cannot_store_it():
    _source, problems = check({"course.md": COURSE.format(extra=""), "01-a.md": LESSON + "one\ntwo\x00\n"})
    assert messages(problems) == [
        "c/01-a.md:1: the file contains a NUL character (a zero byte) on line 7; text files cannot hold it"]
    _source, problems = parse_course_files("c", {"course.md": COURSE.format(extra="").encode(),
                                                 "01-a.md": LESSON.encode() + b"\xff\n"}, display_prefix="c")
    assert messages(problems) == ["c/01-a.md:1: the file is not UTF-8 text (line 6)"]


def test_many_brackets_outside_code_are_refused_at_the_line_passing_the_cap():
    lines = ["[" * 100] * 6
    lesson = LESSON + "\n".join(lines) + "\n```\n" + "[" * 1000 + "\n```\n"
    assert messages(check({"course.md": COURSE.format(extra=""), "01-a.md": lesson})[1]) == [
        "c/01-a.md:11: more than 500 '[' characters outside code in this file (the page would take too long to show); "
        "put such text in a fenced code block or split the file"]


def test_emphasis_deep_enough_to_overflow_the_renderer_and_deep_nesting_are_refused():
    from lms.courses.rendering import Renderer

    nested = "*a " * 1000 + "b" + " c*" * 1000
    with pytest.raises(RecursionError):  # what the import and the lesson page would do
        Renderer(media_prefix="/m/").block(nested)
    lesson = LESSON + nested + "\n\n" + " " * 201 + "- deep\n"
    assert messages(check({"course.md": COURSE.format(extra=""), "01-a.md": lesson})[1]) == [
        "c/01-a.md:6: more than 1000 '*' and '_' in one paragraph (the page could not be shown); "
        "split it with blank lines or put it in a fenced code block",
        "c/01-a.md:8: a line indented by more than 200 spaces (lists nested that deep take too long to show)",
    ]
    fill_in = "\n\n".join(["Name: " + "_" * 40] * 50)  # a kit's fill-in lines, paragraph by paragraph
    assert check({"course.md": COURSE.format(extra=""), "01-a.md": LESSON + fill_in + "\n"})[1] == []


def test_a_title_must_be_a_text_and_zero_is_a_text():
    lesson = "---\ntitle: [a, b]\n---\nText.\n"
    assert messages(check({"course.md": COURSE.format(extra=""), "01-a.md": lesson})[1]) == [
        "c/01-a.md:1: missing lesson title ('title: ...' in the front matter)",
        "c/01-a.md:2: 'title' must be a text, not a list or mapping",
    ]
    source, problems = check({"course.md": COURSE.format(extra=""), "01-a.md": "---\ntitle: 0\n---\nText.\n"})
    assert problems == [] and source.lessons[0].texts["en"].title == "0"


def test_the_folder_named_to_the_checker_may_itself_be_a_link(tmp_path):
    root = _tree(tmp_path)
    (tmp_path / "current").symlink_to(root)
    tree, problems = load_tree(tmp_path / "current", display_root=tmp_path)
    assert problems == [] and tree.courses[0].slug == "c"


def test_an_indented_quiz_marker_is_refused_as_learners_would_see_the_answers():
    collector = Collector("l.md")
    scan = scan_lesson_body("!!! note\n    ::: quiz\n    ### Q a\n    (x) Yes\n    :::\n", 5, collector)
    assert scan.quiz_text is None
    assert messages(collector.problems) == [
        "l.md:6: an indented '::: quiz' line is shown to learners as text, answers included: "
        "start the quiz block at the beginning of the line"]


def test_a_question_outside_the_quiz_block_is_refused():
    collector = Collector("l.md")
    body = "### Q early\nA?\n\n(x) Yes\n\n::: quiz\n### Q a\nA?\n\ntruefalse: true\n:::\n### Q late (2 points)\n"
    scan = scan_lesson_body(body, 1, collector)
    assert scan.quiz_line == 7
    assert [p.line for p in collector.problems] == [1, 12]
    assert collector.problems[0].message.startswith("a question heading outside a '::: quiz' block would be shown")
