"""Writing a course back out in the `courses/` format, byte for byte.

Exporting into a folder makes that folder exactly the course: a lesson deleted in the
browser must not linger in git and come back with the next import. So a non-empty
folder is refused unless the caller asks to replace it, and then files that are not
part of the course are removed and named. Hidden files (`.gitkeep`) are not part of a
course and are left alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from lms.courses.models import Course, CourseFile, Track


class ExportRefused(ValueError):
    pass


@dataclass
class ExportResult:
    folder: Path
    removed: list[str] = field(default_factory=list)  # paths relative to the folder, sorted


def _existing_entries(folder: Path) -> tuple[list[str], list[str]]:
    """(files, folders) under `folder`, relative, hidden ones skipped; links are listed as
    files and never followed."""
    files, folders = [], []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        rel_dir = Path(dirpath).relative_to(folder)
        kept = []
        for name in dirnames:
            if name.startswith("."):
                continue
            if os.path.islink(os.path.join(dirpath, name)):
                files.append((rel_dir / name).as_posix())
            else:
                kept.append(name)
                folders.append((rel_dir / name).as_posix())
        dirnames[:] = kept
        files += [(rel_dir / name).as_posix() for name in filenames if not name.startswith(".")]
    return sorted(files), sorted(folders)


def export_course(slug: str, target: Path, *, replace: bool = False) -> ExportResult:
    """Write course `slug` to target/<slug>/ (and target/tracks.yml when missing, so the
    folder can be checked and imported on its own).

    A non-empty target/<slug>/ is refused unless `replace`; then it is made to hold exactly
    the course's files. Raises LookupError for an unknown course, ExportRefused otherwise.
    """
    from lms.extensions import db

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise LookupError(slug)
    folder = target / slug
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ExportRefused(f"{folder} is not a folder (a link or a file); remove it first")
    rows = list(db.session.scalars(select(CourseFile).where(CourseFile.course_id == course.id)))
    wanted = {row.path for row in rows}
    for path in wanted:
        if Path(path).is_absolute() or ".." in Path(path).parts:
            raise ExportRefused(f"unsafe path in stored course: {path}")
    existing, folders = _existing_entries(folder) if folder.is_dir() else ([], [])
    if existing and not replace:
        stale = [path for path in existing if path not in wanted]
        extra = f"; {len(stale)} file(s) there are not in the course and would be removed" if stale else ""
        raise ExportRefused(f"{folder} is not empty{extra}. Use --replace to make it exactly the course")
    removed = []
    for path in existing:
        full = folder / path
        # A link is removed even when its name is a course file: writing through it would
        # change a file outside the folder.
        if path not in wanted or full.is_symlink() or not full.is_file():
            if full.is_dir() and not full.is_symlink():
                continue  # a folder named like a file: emptied below, then removed
            full.unlink()
            if path not in wanted:
                removed.append(path)
    for rel in sorted(folders, key=lambda p: p.count("/"), reverse=True):
        full = folder / rel
        if not any(full.iterdir()) and rel not in wanted:
            full.rmdir()
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        path = folder / row.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise ExportRefused(f"{path} is a folder with hidden files in it; the course has a file of that name")
        path.write_bytes(row.content)
    tracks_file = target / "tracks.yml"
    if not tracks_file.exists() and not tracks_file.is_symlink():
        tracks_file.write_text(tracks_yaml(db.session.scalars(select(Track).order_by(Track.position))), encoding="utf-8")
    return ExportResult(folder, sorted(removed))


def tracks_yaml(tracks) -> str:
    data = {
        "tracks": [
            {"slug": t.slug, "title": t.title, "summary": t.summary, "certification": t.rule} for t in tracks
        ]
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
