"""`courses export` mirrors: the folder becomes exactly the course, so git loses deleted
lessons too and the next import cannot bring them back."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses.importer import import_tree
from lms.courses.models import Course, Lesson
from lms.domain.course_format import load_tree
from lms.extensions import db
from tests.course_builder import write_course, write_tracks


def imported(root):
    tree, problems = load_tree(root, display_root=root)
    assert problems == []
    return import_tree(tree)


def test_export_into_a_non_empty_folder_is_refused_without_replace(app, runner, tmp_path):
    src = tmp_path / "src"
    write_tracks(src, ["alpha"])
    write_course(src, "alpha")
    imported(src)
    out = tmp_path / "out"
    (out / "alpha").mkdir(parents=True)
    (out / "alpha" / "09-old.md").write_text("stale")
    result = runner.invoke(args=["courses", "export", "alpha", str(out)])
    assert result.exit_code == 1
    assert "is not empty; 1 file(s) there are not in the course and would be removed. Use --replace" in result.output
    assert sorted(p.name for p in (out / "alpha").iterdir()) == ["09-old.md"]  # nothing written


def test_export_with_replace_removes_deleted_lessons_and_says_which(app, runner, tmp_path):
    src = tmp_path / "src"
    write_tracks(src, ["alpha"])
    write_course(src, "alpha", lessons=3)
    out = tmp_path / "out"
    imported(src)
    assert runner.invoke(args=["courses", "export", "alpha", str(out)]).exit_code == 0

    # The lesson is deleted where the course is edited (here: the files imported), then exported over git's copy.
    (src / "alpha" / "03-lesson-3.md").unlink()
    imported(src)
    (out / "alpha" / ".gitkeep").write_text("")  # hidden files are not part of a course: left alone
    (out / "alpha" / "images").mkdir()
    (out / "alpha" / "images" / "old.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = runner.invoke(args=["courses", "export", "alpha", str(out), "--replace"])
    assert result.exit_code == 0, result.output
    removed = [line for line in result.output.splitlines() if line.startswith("removed")]
    assert removed == [f"removed {out / 'alpha' / '03-lesson-3.md'} (not in the course)",
                       f"removed {out / 'alpha' / 'images' / 'old.png'} (not in the course)"]
    assert sorted(p.name for p in (out / "alpha").iterdir()) == [".gitkeep", "01-lesson-1.md", "02-lesson-2.md",
                                                                  "course.md", "quiz.md"]

    # Importing the export does not bring the deleted lesson back.
    imported(out)
    course = db.session.scalar(select(Course).where(Course.slug == "alpha"))
    lessons = {lesson.slug: lesson.removed for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))}
    assert lessons == {"lesson-1": False, "lesson-2": False, "lesson-3": True}


def test_export_never_writes_through_a_link(app, runner, tmp_path):
    src = tmp_path / "src"
    write_tracks(src, ["alpha"])
    write_course(src, "alpha", lessons=1)
    imported(src)
    outside = tmp_path / "outside.md"
    outside.write_text("keep me")
    out = tmp_path / "out"
    (out / "alpha").mkdir(parents=True)
    (out / "alpha" / "course.md").symlink_to(outside)
    result = runner.invoke(args=["courses", "export", "alpha", str(out), "--replace"])
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "keep me"
    assert not (out / "alpha" / "course.md").is_symlink()
    assert (out / "alpha" / "course.md").read_text().startswith("---\ntitle: Course alpha")


def test_import_refuses_a_course_with_a_link_and_changes_nothing(app, runner, tmp_path):
    src = tmp_path / "src"
    write_tracks(src, ["alpha"])
    write_course(src, "alpha", lessons=1)
    (tmp_path / "secret.md").write_text("---\ntitle: Secret\n---\nsecret\n")
    (src / "alpha" / "02-secret.md").symlink_to(tmp_path / "secret.md")
    result = runner.invoke(args=["courses", "import", str(src)])
    assert result.exit_code == 1
    assert "alpha/02-secret.md:1: symbolic links are not allowed in a course" in result.output
    assert db.session.scalar(select(Course).where(Course.slug == "alpha")) is None


def test_model_columns_are_sized_from_the_checkers_limits():
    from lms.courses import models
    from lms.domain.course_format import limits
    from lms.learning.models import AttemptAnswer

    expected = {
        (models.Course, "slug"): limits.SLUG_MAX, (models.Track, "slug"): limits.SLUG_MAX,
        (models.Course, "author_version"): limits.VERSION_MAX, (models.CourseText, "title"): limits.TITLE_MAX,
        (models.LessonText, "title"): limits.TITLE_MAX, (models.Lesson, "slug"): limits.ITEM_ID_MAX,
        (models.Quiz, "slug"): limits.ITEM_ID_MAX, (models.Question, "slug"): limits.ITEM_ID_MAX,
        (models.Question, "pool"): limits.ITEM_ID_MAX, (models.CourseFile, "path"): limits.FILE_PATH_MAX,
        (AttemptAnswer, "choices"): limits.ATTEMPT_CHOICES_MAX,
    }
    for (model, column), length in expected.items():
        assert model.__table__.c[column].type.length == length, (model.__name__, column)
