"""A course's draft: its source files while they are being edited.

Learners never see a draft. Callers run these inside `write_transaction()`.
Saving a file names the revision it was based on; the UPDATE only matches that
revision, so of two saves from the same base the second finds nothing to update
and is refused (optimistic locking), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from lms.authoring.models import CourseDraft, DraftFile
from lms.courses.models import Course, CourseFile
from lms.extensions import db
from lms.models_base import utcnow


class EditConflict(Exception):
    """Someone saved the file (or published, discarded or restored the draft) in between."""

    def __init__(self, current: DraftFile | None):
        super().__init__("edit conflict")
        self.current = current


def get_draft(slug: str, *, lock: bool = False) -> CourseDraft | None:
    """`lock` holds the row until commit (PostgreSQL), so two publishes of one draft queue
    up and the second finds it gone; SQLite's write transactions are serial anyway."""
    stmt = select(CourseDraft).where(CourseDraft.course_slug == slug)
    return db.session.scalar(stmt.with_for_update() if lock else stmt)


def published_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def published_files(course_id: int) -> dict[str, bytes]:
    rows = db.session.execute(select(CourseFile.path, CourseFile.content).where(CourseFile.course_id == course_id))
    return dict(rows.all())


def published_digests(course_id: int) -> dict[str, str]:
    rows = db.session.execute(select(CourseFile.path, CourseFile.sha256).where(CourseFile.course_id == course_id))
    return dict(rows.all())


def draft_rows(draft: CourseDraft) -> dict[str, DraftFile]:
    return {row.path: row for row in db.session.scalars(select(DraftFile).where(DraftFile.draft_id == draft.id))}


def draft_contents(draft: CourseDraft) -> dict[str, bytes]:
    rows = db.session.execute(select(DraftFile.path, DraftFile.content).where(DraftFile.draft_id == draft.id))
    return dict(rows.all())


def start_draft(slug: str, user_id: int | None, files: dict[str, bytes] | None = None) -> CourseDraft:
    """The course's draft, created from the published files (or `files`) when there is none."""
    draft = get_draft(slug)
    if draft is not None:
        return draft
    course = published_course(slug)
    if files is None:
        files = published_files(course.id) if course is not None else {}
    draft = CourseDraft(course_slug=slug, base_revision=course.revision if course else None, started_by=user_id)
    try:
        with db.session.begin_nested():  # two people starting at once: the second uses the first's
            db.session.add(draft)
    except IntegrityError:
        return get_draft(slug)
    db.session.add_all(
        DraftFile(draft_id=draft.id, path=path, content=content, updated_by=user_id) for path, content in files.items()
    )
    db.session.flush()
    return draft


def _touch(draft: CourseDraft) -> None:
    draft.updated_at = utcnow()


def save_file(draft: CourseDraft, path: str, content: bytes, *, file_id: int, revision: int, user_id: int) -> int:
    """Overwrite one file if nobody saved it since `revision`; returns the new revision."""
    result = db.session.execute(
        update(DraftFile)
        .where(DraftFile.id == file_id, DraftFile.draft_id == draft.id, DraftFile.path == path,
               DraftFile.revision == revision)
        .values(content=content, revision=DraftFile.revision + 1, updated_by=user_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current = db.session.scalar(select(DraftFile).where(DraftFile.draft_id == draft.id, DraftFile.path == path))
        raise EditConflict(current)
    _touch(draft)
    return revision + 1


def add_file(draft: CourseDraft, path: str, content: bytes, user_id: int) -> DraftFile:
    """A new file; the caller checks the path is free (the unique constraint backs it up)."""
    row = DraftFile(draft_id=draft.id, path=path, content=content, updated_by=user_id)
    db.session.add(row)
    _touch(draft)
    db.session.flush()
    return row


def remove_file(draft: CourseDraft, path: str) -> bool:
    result = db.session.execute(delete(DraftFile).where(DraftFile.draft_id == draft.id, DraftFile.path == path))
    _touch(draft)
    return result.rowcount == 1


def rename_files(draft: CourseDraft, renames: dict[str, str], user_id: int) -> None:
    """Apply renames that may swap names (a -> b and b -> a) without breaking uniqueness."""
    rows = [row for path, row in draft_rows(draft).items() if path in renames]
    for row in rows:  # step aside first: no two rows ever hold the same path
        row.path = f"~{row.id}~{row.path}"
    db.session.flush()
    for row in rows:
        row.path = renames[row.path.split("~", 2)[2]]
        row.revision += 1  # an editor open on the old name must not save over the new one
        row.updated_by = user_id
    _touch(draft)
    db.session.flush()


def replace_files(draft: CourseDraft, files: dict[str, bytes], user_id: int) -> None:
    """Make the draft exactly `files` (restore, zip upload); changed files get a new revision."""
    current = draft_rows(draft)
    for path, content in files.items():
        row = current.pop(path, None)
        if row is None:
            db.session.add(DraftFile(draft_id=draft.id, path=path, content=content, updated_by=user_id))
        elif row.content != content:
            row.content, row.revision, row.updated_by, row.updated_at = content, row.revision + 1, user_id, utcnow()
    for row in current.values():
        db.session.delete(row)
    _touch(draft)
    db.session.flush()


def discard(draft: CourseDraft) -> None:
    db.session.delete(draft)
    db.session.flush()
