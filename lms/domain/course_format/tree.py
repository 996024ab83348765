"""A whole `courses/` folder (or one course folder inside it), checked together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lms.domain.course_format.course import CourseSource, load_course_dir
from lms.domain.course_format.problems import Problem
from lms.domain.course_format.tracks import TrackSource, load_tracks


@dataclass(frozen=True)
class CourseTree:
    tracks: tuple[TrackSource, ...]
    courses: tuple[CourseSource, ...]


def _find_tracks_file(path: Path) -> Path | None:
    for candidate in (path / "tracks.yml", path.parent / "tracks.yml"):
        if candidate.is_file():
            return candidate
    return None


def load_tree(path: Path, *, display_root: Path | None = None) -> tuple[CourseTree | None, list[Problem]]:
    """Load `path`: a courses root (with tracks.yml and course folders) or a single course folder.

    Paths in problems are shown relative to `display_root` (default: the current folder).
    """
    path = Path(path)
    root = (display_root or Path.cwd()).resolve()

    def shown(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(root))
        except ValueError:
            return str(p)

    if not path.is_dir():
        return None, [Problem(str(path), 1, "no such folder")]
    single = (path / "course.md").is_file()
    course_dirs = [path] if single else sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    tracks_file = _find_tracks_file(path)
    problems: list[Problem] = []
    tracks: list[TrackSource] = []
    if tracks_file is None:
        problems.append(Problem(shown(path / "tracks.yml"), 1, "missing tracks.yml (the training areas)"))
    else:
        tracks, track_problems = load_tracks(tracks_file.read_text(encoding="utf-8"), shown(tracks_file))
        problems += track_problems
    known = {t.slug for t in tracks} if tracks_file is not None else None
    courses: list[CourseSource] = []
    for folder in course_dirs:
        source, course_problems = load_course_dir(folder, display_root=root, known_tracks=known)
        problems += course_problems
        if source is not None:
            courses.append(source)
    if not single and tracks_file is not None:
        slugs = {c.slug for c in courses} | {p.name for p in course_dirs}
        for track in tracks:
            for slug in (*track.courses, *track.refresher):
                if slug not in slugs:
                    problems.append(
                        Problem(shown(tracks_file), track.course_lines.get(slug, track.line),
                                f"track '{track.slug}' requires course '{slug}', which is not in {shown(path)}")
                    )
            for slug in track.refresher:
                if slug not in track.courses:
                    problems.append(Problem(shown(tracks_file), track.course_lines.get(slug, track.line),
                                            f"refresher course '{slug}' of track '{track.slug}' is not one of its courses"))
    if problems:
        return None, sorted(set(problems))
    return CourseTree(tuple(tracks), tuple(courses)), []


def check_tree(path: Path, *, display_root: Path | None = None) -> list[Problem]:
    return load_tree(path, display_root=display_root)[1]
