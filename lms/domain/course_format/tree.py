"""A whole `courses/` folder (or one course folder inside it), checked together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lms.domain.course_format.course import CourseSource, load_course_dir
from lms.domain.course_format.folder import decode_text, display_path, refused_entry
from lms.domain.course_format.limits import TEXT_FILE_BYTES_MAX
from lms.domain.course_format.problems import Problem
from lms.domain.course_format.tracks import TrackSource, load_tracks


@dataclass(frozen=True)
class CourseTree:
    tracks: tuple[TrackSource, ...]
    courses: tuple[CourseSource, ...]


def _find_tracks_file(path: Path) -> Path | None:
    for candidate in (path / "tracks.yml", path.parent / "tracks.yml"):
        if candidate.is_file() or candidate.is_symlink():
            return candidate
    return None


def _read_tracks(tracks_file: Path, shown: str) -> tuple[list[TrackSource], list[Problem]]:
    why = refused_entry(tracks_file)
    if why is not None:
        return [], [Problem(shown, 1, why)]
    try:
        data = tracks_file.read_bytes()
    except OSError as error:
        return [], [Problem(shown, 1, f"cannot read the file: {error.strerror}")]
    if len(data) > TEXT_FILE_BYTES_MAX:
        return [], [Problem(shown, 1, f"the file is larger than {TEXT_FILE_BYTES_MAX // 1024} KB")]
    text, why = decode_text(data)
    if why:
        return [], [Problem(shown, 1, why)]
    return load_tracks(text, shown)


def load_tree(path: Path, *, display_root: Path | None = None) -> tuple[CourseTree | None, list[Problem]]:
    """Load `path`: a courses root (with tracks.yml and course folders) or a single course folder.

    Paths in problems are shown relative to `display_root` (default: the current folder),
    or else relative to the folder above `path`: never as the machine's absolute paths.
    """
    path = Path(path)
    root = display_root or Path.cwd()
    above = path.absolute().parent.parent if (path / "course.md").is_file() else path.absolute().parent

    def shown(p: Path) -> str:
        return display_path(p, root, above)

    if not path.is_dir():
        return None, [Problem(path.name if path.is_absolute() else str(path), 1, "no such folder")]
    # The folder named on the command line may itself be a link (a deploy's current release):
    # the operator chose it. Links inside it are what an author's commit could slip in.
    single = (path / "course.md").is_file() or (path / "course.md").is_symlink()
    problems: list[Problem] = []
    if single:
        course_dirs = [path]
    else:
        course_dirs = []
        for entry in sorted(path.iterdir()):
            if entry.name.startswith("."):
                continue
            why = refused_entry(entry)
            if why is not None and entry.name != "tracks.yml":
                problems.append(Problem(shown(entry), 1, why))
            elif entry.is_dir():
                course_dirs.append(entry)
    tracks_file = _find_tracks_file(path)
    tracks: list[TrackSource] = []
    if tracks_file is None:
        problems.append(Problem(shown(path / "tracks.yml"), 1, "missing tracks.yml (the training areas)"))
    else:
        tracks, track_problems = _read_tracks(tracks_file, shown(tracks_file))
        problems += track_problems
    known = {t.slug for t in tracks} if tracks_file is not None else None
    courses: list[CourseSource] = []
    for folder in course_dirs:
        source, course_problems = load_course_dir(folder, known_tracks=known, display_prefix=shown(folder))
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
