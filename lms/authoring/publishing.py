"""Checking, publishing and restoring drafts; courses as zip files in the `courses/` format.

Publishing runs the same validator and importer as `flask courses import`, so a course
written in the browser and one written in git are the same thing.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from sqlalchemy import select

from lms.authoring import drafts
from lms.authoring.models import CourseVersion
from lms.authoring.versions import version_files
from lms.courses.exporter import tracks_yaml
from lms.courses.images import prepare_web_copies
from lms.courses.importer import ImportReport, import_course
from lms.courses.models import CourseImage, Track
from lms.domain.course_format import CourseSource, Problem
from lms.domain.course_format.course import parse_course_files
from lms.domain.safe_files import UnsafeArchive, read_zip
from lms.extensions import db


class PublishRefused(Exception):
    def __init__(self, reason: str, problems: list[Problem] | None = None):
        super().__init__(reason)
        self.reason = reason  # "problems", "no-draft", "stale"
        self.problems = problems or []


def known_tracks() -> set[str]:
    return set(db.session.scalars(select(Track.slug)))


def check_files(slug: str, files: dict[str, bytes]) -> tuple[CourseSource | None, list[Problem]]:
    """The `courses check` validator on a file set; problems name files as `<slug>/<file>:line`."""
    return parse_course_files(slug, files, display_prefix=slug, known_tracks=known_tracks())


def problems_by_file(slug: str, problems: list[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.path.removeprefix(f"{slug}/"), []).append(problem)
    return grouped


def prepare_publish(slug: str) -> None:
    """The slow part of publishing, done before the write transaction: web copies of the
    draft's new or changed images (SQLite would otherwise hold its write lock, and other
    volunteers' writes would wait, while large images are resized)."""
    draft = drafts.get_draft(slug)
    if draft is None:
        return
    course = drafts.published_course(slug)
    have = set()
    if course is not None:
        have = set(db.session.scalars(select(CourseImage.source_sha256).where(CourseImage.course_id == course.id)))
    prepare_web_copies(drafts.draft_contents(draft).items(), known=have)


def publish(slug: str, user_id: int, note: str = "", *, overwrite: bool = False) -> ImportReport:
    """Validate the draft and make it what learners see, as a new version. All or nothing."""
    draft = drafts.get_draft(slug, lock=True)
    if draft is None:
        raise PublishRefused("no-draft")
    source, problems = check_files(slug, drafts.draft_contents(draft))
    if problems:
        raise PublishRefused("problems", problems)
    course = drafts.published_course(slug)
    # Someone published (or imported files) after this draft began: do not silently undo it.
    if course is not None and draft.base_revision != course.revision and not overwrite:
        raise PublishRefused("stale")
    track = db.session.scalar(select(Track).where(Track.slug == source.track))
    report = import_course(source, track, origin="browser", user_id=user_id, note=note)
    drafts.discard(draft)
    return report


def restore(slug: str, number: int, user_id: int) -> bool:
    """Put an earlier version's files into the draft (made when there is none). Nothing is published."""
    course = drafts.published_course(slug)
    if course is None:
        return False
    version_id = db.session.scalar(
        select(CourseVersion.id).where(CourseVersion.course_id == course.id, CourseVersion.number == number)
    )
    if version_id is None:
        return False
    files = version_files(version_id)
    draft = drafts.start_draft(slug, user_id, files)
    drafts.replace_files(draft, files, user_id)
    return True


def zip_course(slug: str, files: dict[str, bytes]) -> bytes:
    """`<slug>/...` plus the platform's tracks.yml, so `courses check <folder>/<slug>` works."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tracks.yml", tracks_yaml(db.session.scalars(select(Track).order_by(Track.position))))
        for path in sorted(files):
            archive.writestr(f"{slug}/{path}", files[path])
    return buffer.getvalue()


class ZipRefused(ValueError):
    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def course_from_zip(data: bytes, filename: str) -> tuple[str, dict[str, bytes]]:
    """(slug, files) from an uploaded zip: a `<slug>/` folder (as exported), or the course's
    files at the top with the slug taken from the zip's name. Anything else is refused."""
    try:
        entries = read_zip(data, max_total_bytes=40 * 1024 * 1024)
    except UnsafeArchive as error:
        raise ZipRefused(str(error)) from None
    entries = {path: content for path, content in entries.items()
               if not any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(path).parts)}
    if "course.md" in entries:
        slug = PurePosixPath(filename or "").stem.lower()
        return slug, {path: content for path, content in entries.items() if path != "tracks.yml"}
    folders = {path.split("/", 1)[0] for path in entries if path.count("/") >= 1 and path.endswith("/course.md")
               and path.count("/") == 1}
    if len(folders) != 1:
        raise ZipRefused("the zip must hold one course: a folder with course.md in it (as exported)")
    slug = folders.pop()
    prefix = f"{slug}/"
    stray = sorted(path for path in entries if not path.startswith(prefix) and path != "tracks.yml")
    if stray:
        raise ZipRefused(f"files outside the course folder: {', '.join(stray[:5])}")
    return slug, {path.removeprefix(prefix): content for path, content in entries.items() if path.startswith(prefix)}
