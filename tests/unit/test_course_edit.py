"""Editing a course's file set without a browser: new files, lesson order, hiding, diffs."""

from __future__ import annotations

from lms.authoring.uploads import ImageRefused, check_image
from lms.domain import course_edit
from lms.domain.course_format.course import parse_course_files


def valid(files):
    source, problems = parse_course_files("c", files, display_prefix="c", known_tracks={"eco"})
    assert problems == [], problems
    return source


def test_a_new_course_is_valid_and_lessons_are_numbered_after_the_last():
    files = course_edit.new_course_files(track="eco", language="kk", title="Таза аула: 1-сабақ", summary="Қысқаша")
    source = valid(files)
    assert source.default_language == "kk" and source.texts["kk"].title == "Таза аула: 1-сабақ"
    path, content = course_edit.new_lesson(files, title="Second: a colon", slug="second")
    assert path == "02-second.md"
    files[path] = content
    assert [lesson.slug for lesson in valid(files).lessons] == ["introduction", "second"]


def test_slugs_from_kazakh_and_russian_titles():
    assert course_edit.slug_from_title("Балалар құқықтары") == "balalar-quqyqtary"
    assert course_edit.slug_from_title("Что такое буллинг?") == "chto-takoe-bulling"
    assert course_edit.slug_from_title("!!!") == ""
    assert not course_edit.is_valid_slug("") and course_edit.is_valid_slug("eco-1")


def test_moving_a_lesson_renames_it_and_its_translations():
    files = {
        "01-a.md": b"---\ntitle: A\n---\n", "02-b.md": b"---\ntitle: B\n---\n", "02-b.ru.md": b"---\ntitle: B\n---\n",
    }
    assert course_edit.move_lesson(files, "b", -1) == {"02-b.md": "01-b.md", "02-b.ru.md": "01-b.ru.md", "01-a.md": "02-a.md"}
    assert course_edit.move_lesson(files, "a", -1) == {}  # already first
    assert course_edit.move_lesson(files, "zzz", 1) == {}


def test_front_matter_key_is_set_and_removed_leaving_other_lines_alone():
    text = "---\ntitle: A  # my comment\nminutes: 5\n---\nBody\n---\nnot front matter\n"
    hidden = course_edit.set_front_matter_key(text, "hidden", True)
    assert hidden == "---\ntitle: A  # my comment\nminutes: 5\nhidden: true\n---\nBody\n---\nnot front matter\n"
    assert course_edit.set_front_matter_key(hidden, "hidden", None) == text
    assert course_edit.set_front_matter_key("no front matter", "hidden", True) == "no front matter"


def test_hidden_lessons_and_their_quizzes_are_kept_out_of_the_course():
    files = course_edit.new_course_files(track="eco", language="en", title="T", summary="S")
    files["02-extra.md"] = b"---\ntitle: Extra\nhidden: true\n---\nText\n::: quiz\n### Q q1\nWhy?\n\ntruefalse: true\n:::\n"
    source = valid(files)
    assert [(lesson.slug, lesson.hidden) for lesson in source.lessons] == [("introduction", False), ("extra", True)]
    assert source.quizzes["en"] == ()
    files["01-introduction.md"] = course_edit.set_front_matter_key(files["01-introduction.md"].decode(), "hidden", True).encode()
    _source, problems = parse_course_files("c", files, display_prefix="c", known_tracks={"eco"})
    assert [p.message for p in problems] == ["every lesson is hidden; learners would see an empty course"]
    files["01-introduction.md"] = b"---\ntitle: I\nhidden: maybe\n---\n"
    _source, problems = parse_course_files("c", files, display_prefix="c", known_tracks={"eco"})
    assert "c/01-introduction.md:3: 'hidden' must be true or false, not 'maybe'" in [str(p) for p in problems]


def test_line_diff_shows_changes_with_line_numbers():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten")
    rows = course_edit.line_diff(old, new, context=1)
    assert [(r.kind, r.old_number, r.new_number, r.text) for r in rows if r.kind in ("added", "removed")] == [
        ("removed", 10, None, "line 10"), ("added", None, 10, "line ten")]
    assert rows[0].kind == "gap" and rows[-1].kind == "gap"
    assert course_edit.line_diff("same", "same") == []


def test_changed_paths():
    assert course_edit.changed_paths({"a": "1", "b": "2"}, {"b": "3", "c": "4"}) == {
        "a": "removed", "b": "changed", "c": "added"}


def test_images_are_typed_by_content():
    import io

    import pytest
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="WEBP")
    checked = check_image(out.getvalue(), "pic.png", max_bytes=10_000)
    assert (checked.path, checked.mimetype) == ("images/pic.webp", "image/webp")
    for data, name, reason in (
        (b"<html></html>", "x.png", "not-an-image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "svg"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "x.png", "not-an-image"),  # the signature alone is not enough
        (out.getvalue(), "x.webp", "too-large"),
    ):
        with pytest.raises(ImageRefused) as refused:
            check_image(data, name, max_bytes=10_000 if reason != "too-large" else 10)
        assert refused.value.reason == reason


def test_new_files_by_name_and_lessons_with_their_translations():
    import pytest

    files = course_edit.new_course_files(track="eco", language="en", title="T", summary="S")
    files["01-introduction.ru.md"] = b"---\ntitle: RU\n---\n"
    files["course.ru.md"] = b"---\ntitle: RU course\n---\n"
    assert course_edit.starting_text(files, "01-introduction.kk.md") == files["01-introduction.md"]
    assert course_edit.starting_text(files, "course.kk.md") == files["course.md"]
    assert course_edit.starting_text(files, "quiz.md").startswith(b"---\ntitle: Final check")
    for name, reason in (("course.ru.md", "taken"), ("notes.txt", "unknown"), ("07-missing.kk.md", "unknown")):
        with pytest.raises(course_edit.NameRefused) as refused:
            course_edit.starting_text(files, name)
        assert refused.value.reason == reason
    assert course_edit.with_translations(files, "01-introduction.md") == ["01-introduction.md", "01-introduction.ru.md"]
    assert course_edit.with_translations(files, "course.ru.md") == ["course.ru.md"]
    assert course_edit.find_lesson(files, slug="introduction").path == "01-introduction.md"
    assert course_edit.new_lesson_slug(files, "Что делать?") == "chto-delat"
    with pytest.raises(course_edit.NameRefused) as refused:
        course_edit.new_lesson_slug(files, "Intro", "introduction")
    assert refused.value.reason == "taken"
    with pytest.raises(course_edit.NameRefused):
        course_edit.new_lesson_slug(files, "???")
