"""Importing course sources: idempotent, atomic, identity-keeping."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from lms.courses import importer
from lms.courses.models import Course, CourseFile, Lesson, LessonText, Question, Quiz
from lms.domain.course_format import load_tree
from lms.extensions import db
from tests.course_builder import write_course, write_tracks


def load(root):
    tree, problems = load_tree(root, display_root=root)
    assert problems == []
    return tree


@pytest.fixture
def tree_dir(tmp_path):
    root = tmp_path / "courses"
    write_tracks(root, ["alpha", "beta"])
    write_course(root, "alpha", ru=True)
    write_course(root, "beta", lesson_quiz_questions=2)
    return root


def table_counts():
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, Lesson, LessonText, Quiz, Question, CourseFile)
    }


def test_first_import_stores_everything(app, tree_dir):
    _, reports = importer.import_tree(load(tree_dir))
    assert [r.status for r in reports] == ["new", "new"]
    counts = table_counts()
    assert counts["courses"] == 2 and counts["lessons"] == 6
    assert counts["lesson_texts"] == 3 * 2 + 3  # alpha in en+ru, beta in en
    assert counts["quizzes"] == 2 + 3  # two final quizzes, three lesson quizzes in beta
    alpha = db.session.scalar(select(Course).where(Course.slug == "alpha"))
    assert alpha.languages == "en,ru" and alpha.revision == 1
    html = db.session.scalar(select(LessonText.body_html).where(LessonText.language == "en"))
    assert "<strong>text</strong>" in html


def test_reimport_unchanged_writes_nothing(app, tree_dir):
    importer.import_tree(load(tree_dir))
    writes = []

    def spy(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        lines, reports = importer.import_tree(load(tree_dir))
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert [r.summary() for r in reports] == ["alpha: unchanged", "beta: unchanged"]
    assert lines == [] and writes == []


def test_edit_keeps_identity_and_bumps_revision(app, tree_dir):
    importer.import_tree(load(tree_dir))
    lesson_ids = dict(db.session.execute(select(Lesson.slug, Lesson.id).join(Course).where(Course.slug == "alpha")).all())
    question_ids = dict(db.session.execute(select(Question.slug, Question.id).join(Quiz).join(Course).where(Course.slug == "alpha")).all())

    folder = tree_dir / "alpha"
    (folder / "02-lesson-2.md").write_text("---\ntitle: Lesson 2, revised\nminutes: 10\n---\nNew text.\n", encoding="utf-8")
    (folder / "03-lesson-3.md").unlink()
    (folder / "03-lesson-3.ru.md").unlink()
    _, reports = importer.import_tree(load(tree_dir))
    alpha_report = reports[0]
    assert alpha_report.status == "changed" and alpha_report.revision == 2
    assert (alpha_report.lessons.changed, alpha_report.lessons.removed) == (1, 1)
    assert reports[1].status == "unchanged"

    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson).join(Course).where(Course.slug == "alpha"))}
    assert {slug: lesson.id for slug, lesson in lessons.items()} == lesson_ids  # same rows
    assert lessons["lesson-3"].removed  # hidden, not deleted
    assert dict(db.session.execute(select(Question.slug, Question.id).join(Quiz).join(Course).where(Course.slug == "alpha")).all()) == question_ids
    title = db.session.scalar(select(LessonText.title).where(LessonText.lesson_id == lesson_ids["lesson-2"], LessonText.language == "en"))
    assert title == "Lesson 2, revised"


def test_failing_import_leaves_database_exactly_as_before(app, tree_dir, monkeypatch):
    importer.import_tree(load(tree_dir))
    before = table_counts()
    before_rows = db.session.execute(select(Course.slug, Course.revision, Course.source_hash)).all()
    for slug in ("alpha", "beta"):
        (tree_dir / slug / "01-lesson-1.md").write_text("---\ntitle: Changed\nminutes: 10\n---\nChanged.\n", encoding="utf-8")
    real = importer.import_course

    def explode_on_beta(source, track, **options):
        if source.slug == "beta":
            raise RuntimeError("disk full")
        return real(source, track, **options)

    monkeypatch.setattr(importer, "import_course", explode_on_beta)
    with pytest.raises(RuntimeError):
        importer.import_tree(load(tree_dir))
    db.session.expire_all()
    assert table_counts() == before
    assert db.session.execute(select(Course.slug, Course.revision, Course.source_hash)).all() == before_rows


def test_cli_import_refuses_invalid_tree_and_writes_nothing(runner, tmp_path):
    root = tmp_path / "courses"
    write_tracks(root, ["alpha", "broken"])
    write_course(root, "alpha")
    write_course(root, "broken")
    (root / "broken" / "quiz.md").write_text("### Q x\nQ?\n\n( ) a\n( ) b\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "import", str(root)])
    assert result.exit_code == 1 and "has no correct answer" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_cli_import_then_reimport_prints_unchanged(runner, tree_dir):
    first = runner.invoke(args=["courses", "import", str(tree_dir)])
    assert first.exit_code == 0 and "alpha: new, revision 1" in first.output
    second = runner.invoke(args=["courses", "import", str(tree_dir)])
    assert "alpha: unchanged" in second.output and "beta: unchanged" in second.output


def test_export_writes_the_same_files(runner, tree_dir, tmp_path):
    runner.invoke(args=["courses", "import", str(tree_dir)])
    out = tmp_path / "out"
    result = runner.invoke(args=["courses", "export", "alpha", str(out)])
    assert result.exit_code == 0, result.output
    original = {p.relative_to(tree_dir / "alpha"): p.read_bytes() for p in (tree_dir / "alpha").rglob("*") if p.is_file()}
    exported = {p.relative_to(out / "alpha"): p.read_bytes() for p in (out / "alpha").rglob("*") if p.is_file()}
    assert exported == original
    assert runner.invoke(args=["courses", "check", str(out / "alpha")]).exit_code == 0


def test_answer_key_is_kept_apart_from_displayed_content(app, tree_dir):
    importer.import_tree(load(tree_dir))
    question = db.session.scalar(select(Question).where(Question.kind == "text"))
    shown = repr(question.content)
    assert "UNICEF" not in shown and "UNICEF" in repr(question.answer_key)
    single = db.session.scalar(select(Question).where(Question.kind == "single"))
    assert "Yes." not in repr(single.content) and "Yes." in repr(single.feedback)
