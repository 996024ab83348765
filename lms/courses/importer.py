"""Importing validated course sources into the database: all or nothing, idempotent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.authoring.versions import latest_version, record_version
from lms.courses.images import prepare_web_copies, web_copy
from lms.courses.kits import sync_kits
from lms.courses.models import (
    Course,
    CourseFile,
    CourseImage,
    CourseText,
    Lesson,
    LessonText,
    Question,
    Quiz,
    Track,
)
from lms.courses.rendering import Renderer
from lms.domain.course_format import CourseSource, CourseTree, TrackSource
from lms.domain.course_format.course import IMAGE_SUFFIXES
from lms.extensions import db
from lms.models_base import utcnow


@dataclass
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def __str__(self) -> str:
        return f"+{self.added} ~{self.changed} -{self.removed}"


@dataclass
class ImportReport:
    slug: str
    status: str  # "new", "changed", "unchanged"
    revision: int
    lessons: Changes = field(default_factory=Changes)
    questions: Changes = field(default_factory=Changes)

    def summary(self) -> str:
        if self.status == "unchanged":
            return f"{self.slug}: unchanged"
        if self.status == "skipped":
            return (f"{self.slug}: skipped, version {self.revision} was published in the browser after these files; "
                    "export it from there, or import with --force to replace it")
        return (
            f"{self.slug}: {self.status}, revision {self.revision}; "
            f"lessons {self.lessons}, questions {self.questions} (added ~changed -removed)"
        )


def import_tree(tree: CourseTree, *, force: bool = False) -> tuple[list[str], list[ImportReport]]:
    """Import every track and course of a validated tree in one transaction.

    A course last published from the browser (or a zip) is left alone unless `force`:
    the files on disk are then older than what trainers wrote, and a routine import
    at deploy time must not undo their work.
    """
    _prepare_images(tree)
    try:
        track_lines = _upsert_tracks(tree.tracks)
        tracks = {t.slug: t for t in db.session.scalars(select(Track))}
        reports = [import_course(source, tracks[source.track], keep_browser_edits=not force) for source in tree.courses]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return track_lines, reports


def _prepare_images(tree: CourseTree) -> None:
    """Web copies of the tree's new or changed images, made before the import writes (as a
    publish from the browser does): resizing takes seconds a large image, and on SQLite the
    write lock is held from the import's first write to its commit. The stored digests are
    read on a connection of their own, so the import's transaction starts after this."""
    with db.engine.connect() as connection:
        stored = set(connection.scalars(select(CourseImage.source_sha256)))
    prepare_web_copies(((path, content) for source in tree.courses for path, content in source.files.items()),
                       known=stored)


def _upsert_tracks(sources: tuple[TrackSource, ...]) -> list[str]:
    existing = {t.slug: t for t in db.session.scalars(select(Track))}
    lines = []
    for source in sources:
        values = {"position": source.position, "title": source.title, "summary": source.summary, "rule": source.rule()}
        track = existing.get(source.slug)
        if track is None:
            db.session.add(Track(slug=source.slug, **values))
            lines.append(f"track {source.slug}: new")
        elif any(getattr(track, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(track, key, value)
            lines.append(f"track {source.slug}: changed")
    db.session.flush()
    return lines


def import_course(source: CourseSource, track: Track, *, origin: str = "files", user_id: int | None = None,
                  note: str = "", keep_browser_edits: bool = False) -> ImportReport:
    """Write one validated course; a changed course gets the next revision and a version record.

    `keep_browser_edits`: leave the course alone ("skipped") when its latest version was
    published in the browser or from a zip, so files on disk cannot silently undo it.
    """
    course = db.session.scalar(select(Course).where(Course.slug == source.slug))
    if course is not None and course.source_hash == source.source_hash and course.track_id == track.id:
        return ImportReport(source.slug, "unchanged", course.revision)
    if course is not None and keep_browser_edits:
        latest = latest_version(course.id)
        if latest is not None and latest.origin != "files":
            return ImportReport(source.slug, "skipped", course.revision)
    is_new = course is None
    if is_new:
        course = Course(slug=source.slug, revision=1)
        db.session.add(course)
    else:
        course.revision += 1
    course.track_id = track.id
    course.default_language = source.default_language
    course.languages = ",".join(source.languages)
    course.author_version = source.version
    course.minutes = source.minutes
    course.pass_mark = source.pass_mark
    course.source_hash = source.source_hash
    course.updated_at = utcnow()
    db.session.flush()

    sizes = _sync_images(course, source)
    renderer = Renderer(media_prefix=f"/media/{source.slug}/", image_sizes=sizes)
    _sync_texts(course, source, renderer)
    report = ImportReport(source.slug, "new" if is_new else "changed", course.revision)
    lessons_by_slug = _sync_lessons(course, source, renderer, report.lessons)
    _sync_quizzes(course, source, renderer, lessons_by_slug, report.questions)
    _sync_files(course, source)
    sync_kits(course, source, renderer)
    record_version(course, source.files, origin=origin, user_id=user_id, note=note)
    db.session.flush()
    return report


def _sync_texts(course: Course, source: CourseSource, renderer: Renderer) -> None:
    wanted = {
        lang: (text.title, text.summary, renderer.block(text.overview)) for lang, text in source.texts.items()
    }
    current = {t.language: t for t in course.texts}
    for lang, (title, summary, overview_html) in wanted.items():
        row = current.get(lang)
        if row is None:
            course.texts.append(CourseText(language=lang, title=title, summary=summary, overview_html=overview_html))
        else:
            row.title, row.summary, row.overview_html = title, summary, overview_html
    for lang, row in current.items():
        if lang not in wanted:
            course.texts.remove(row)


def _sync_lessons(course: Course, source: CourseSource, renderer: Renderer, changes: Changes) -> dict[str, Lesson]:
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))}
    texts = {
        (t.lesson_id, t.language): t
        for t in db.session.scalars(select(LessonText).join(Lesson).where(Lesson.course_id == course.id))
    }
    new_slugs, changed_slugs = set(), set()
    for position, lesson_source in enumerate(source.lessons, start=1):
        lesson = lessons.get(lesson_source.slug)
        minutes = lesson_source.texts[source.default_language].minutes
        if lesson is None:
            lesson = Lesson(course_id=course.id, slug=lesson_source.slug, position=position, minutes=minutes,
                            removed=lesson_source.hidden)
            db.session.add(lesson)
            lessons[lesson.slug] = lesson
            new_slugs.add(lesson.slug)
        elif (lesson.position, lesson.minutes, lesson.removed) != (position, minutes, lesson_source.hidden):
            lesson.position, lesson.minutes, lesson.removed = position, minutes, lesson_source.hidden
            changed_slugs.add(lesson.slug)
    db.session.flush()  # new lessons get their ids

    for lesson_source in source.lessons:
        lesson = lessons[lesson_source.slug]
        for lang, text in lesson_source.texts.items():
            title, body_html = text.title, renderer.block(text.body)
            row = texts.pop((lesson.id, lang), None)
            if row is None:
                db.session.add(LessonText(lesson_id=lesson.id, language=lang, title=title, body_html=body_html))
                changed_slugs.add(lesson.slug)
            elif (row.title, row.body_html) != (title, body_html):
                row.title, row.body_html = title, body_html
                changed_slugs.add(lesson.slug)
    wanted = {lesson.slug for lesson in source.lessons}
    active_ids = {lessons[slug].id for slug in wanted}
    for (lesson_id, _lang), row in texts.items():
        if lesson_id in active_ids:  # a translation was dropped; removed lessons keep theirs
            db.session.delete(row)
    for slug, lesson in lessons.items():
        if slug not in wanted and not lesson.removed:
            lesson.removed = True
            changes.removed += 1
    changes.added += len(new_slugs)
    changes.changed += len(changed_slugs - new_slugs)
    return lessons


def _question_parts(question, lang: str, renderer: Renderer) -> tuple[dict, dict]:
    content = {
        "prompt_html": renderer.block(question.prompt),
        "choices": [renderer.inline(choice.text) for choice in question.choices],
    }
    feedback = {
        "general": renderer.inline(question.feedback),
        "right": renderer.inline(question.feedback_right),
        "wrong": renderer.inline(question.feedback_wrong),
        "choices": [renderer.inline(choice.feedback) for choice in question.choices],
    }
    return content, feedback


def _sync_quizzes(course, source: CourseSource, renderer, lessons_by_slug, changes: Changes) -> None:
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id))}
    questions = {
        (q.quiz_id, q.slug): q
        for q in db.session.scalars(select(Question).join(Quiz).where(Quiz.course_id == course.id))
    }
    default = source.default_language
    wanted_quizzes = set()
    for position, quiz_source in enumerate(source.quizzes.get(default, ()), start=1):
        slug = quiz_source.slug
        wanted_quizzes.add(slug)
        by_lang = {lang: next(q for q in seq if q.slug == slug) for lang, seq in source.quizzes.items() if any(q.slug == slug for q in seq)}
        after = source.quiz_after.get(slug)
        values = {
            "after_lesson_id": lessons_by_slug[after].id if after else None,
            "position": position,
            "settings": {k: v for k, v in quiz_source.settings.items() if k != "title"},
            "titles": {lang: q.settings.get("title", "") for lang, q in by_lang.items()},
            "pools": {p.id: p.draw for p in quiz_source.pools},
            "removed": False,
        }
        quiz = quizzes.get(slug)
        if quiz is None:
            quiz = Quiz(course_id=course.id, slug=slug, **values)
            db.session.add(quiz)
            db.session.flush()
        else:
            for key, value in values.items():
                setattr(quiz, key, value)
        wanted_questions = set()
        for q_position, question in enumerate(quiz_source.questions, start=1):
            wanted_questions.add(question.id)
            content, feedback = {}, {}
            accepted = {}
            for lang, lang_quiz in by_lang.items():
                translated = next(q for q in lang_quiz.questions if q.id == question.id)
                content[lang], feedback[lang] = _question_parts(translated, lang, renderer)
                if translated.accepted:
                    accepted[lang] = list(translated.accepted)
            answer_key = question.answer_key() | {"accepted": accepted}
            fields = {
                "position": q_position, "kind": question.kind, "points": question.points, "pool": question.pool,
                "answer_key": answer_key, "content": content, "feedback": feedback, "removed": False,
            }
            row = questions.get((quiz.id, question.id))
            if row is None:
                db.session.add(Question(quiz_id=quiz.id, slug=question.id, **fields))
                changes.added += 1
            elif any(getattr(row, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(row, key, value)
                changes.changed += 1
        for (quiz_id, slug_), row in questions.items():
            if quiz_id == quiz.id and slug_ not in wanted_questions and not row.removed:
                row.removed = True
                changes.removed += 1
    for slug, quiz in quizzes.items():
        if slug not in wanted_quizzes and not quiz.removed:
            quiz.removed = True
            for (quiz_id, _), row in questions.items():
                if quiz_id == quiz.id and not row.removed:
                    row.removed = True
                    changes.removed += 1


def _sync_files(course: Course, source: CourseSource) -> None:
    current = {f.path: f for f in db.session.scalars(select(CourseFile).where(CourseFile.course_id == course.id))}
    for path, content in source.files.items():
        digest = hashlib.sha256(content).hexdigest()
        row = current.pop(path, None)
        if row is None:
            db.session.add(CourseFile(course_id=course.id, path=path, content=content, sha256=digest))
        elif row.sha256 != digest:
            row.content, row.sha256 = content, digest
    for row in current.values():
        db.session.delete(row)


def _sync_images(course: Course, source: CourseSource) -> dict[str, tuple[int, int]]:
    """Make web copies of new or changed images; returns each image's displayed size."""
    current = {i.path: i for i in db.session.scalars(select(CourseImage).where(CourseImage.course_id == course.id))}
    sizes = {}
    for path, content in source.files.items():
        if not path.lower().endswith(IMAGE_SUFFIXES):
            continue
        digest = hashlib.sha256(content).hexdigest()
        row = current.pop(path, None)
        if row is None or row.source_sha256 != digest:
            copy = web_copy(content)
            if copy is None:
                if row is not None:
                    db.session.delete(row)
                continue
            if row is None:
                row = CourseImage(course_id=course.id, path=path)
                db.session.add(row)
            row.source_sha256, row.content, row.mimetype = digest, copy.content, copy.mimetype
            row.width, row.height = copy.width, copy.height
        sizes[path] = (row.width, row.height)
    for row in current.values():
        db.session.delete(row)
    return sizes
