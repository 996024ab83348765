"""Editing a course's source files as a set (path -> bytes), as the browser editor does.

Pure functions: what a new course or lesson looks like, the lesson list read from
file names and front matter, reordering (renaming `NN-` prefixes, translations with
their original), hiding (a front-matter flag) and line diffs between two texts.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import yaml

from lms.domain.course_format.course import LESSON_FILE_RE, SLUG_RE, SPECIAL_FILE_RE
from lms.domain.course_format.kit import KIT_FILE_RE
from lms.domain.course_format.problems import Collector
from lms.domain.course_format.yamlio import load_yaml

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia", "a", "g", "q", "n", "o", "u", "u", "h", "i"],
    strict=True,
))


def slug_from_title(title: str) -> str:
    """A Latin slug for a title in any of the three languages ("Что такое буллинг" -> "chto-takoe-bulling")."""
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in title.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    return slug[:60].rstrip("-")


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug)) and len(slug) <= 60


def _front_matter(text: str) -> dict:
    """Best effort: the editor lists lessons even while a file has YAML mistakes."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            # The strict reader: an alias bomb in a draft must not hang the editor's pages.
            data, _lines = load_yaml("\n".join(lines[1:index]), Collector("front matter"))
            return data if isinstance(data, dict) else {}
    return {}


def _decode(content: bytes) -> str:
    return content.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


@dataclass
class LessonEntry:
    slug: str
    number: int
    path: str  # the default-language file
    title: str
    hidden: bool
    translations: dict = field(default_factory=dict)  # language -> path


def lesson_entries(files: dict[str, bytes]) -> list[LessonEntry]:
    """The lessons in order, read from file names (`NN-slug[.lang].md`) and front matter."""
    entries: dict[str, LessonEntry] = {}
    translations: list[tuple[str, str, str]] = []
    for path in files:
        match = LESSON_FILE_RE.match(path)
        if not match:
            continue
        number, file_slug, lang = int(match.group(1)), match.group(2), match.group(3)
        if lang:
            translations.append((file_slug, lang, path))
            continue
        meta = _front_matter(_decode(files[path]))
        slug = str(meta.get("id") or file_slug)
        entries[file_slug] = LessonEntry(slug, number, path, str(meta.get("title") or file_slug),
                                         meta.get("hidden") is True)
    for file_slug, lang, path in translations:
        if file_slug in entries:
            entries[file_slug].translations[lang] = path
    return sorted(entries.values(), key=lambda e: (e.number, e.path))


def course_language(files: dict[str, bytes]) -> str:
    meta = _front_matter(_decode(files.get("course.md", b"")))
    return str(meta.get("language") or "en")


def course_title(files: dict[str, bytes]) -> str:
    return str(_front_matter(_decode(files.get("course.md", b""))).get("title") or "")


def _yaml_text(value: str) -> str:
    """A YAML scalar on one line, quoted only when needed."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).removesuffix("\n...\n").strip()


def new_course_files(*, track: str, language: str, title: str, summary: str) -> dict[str, bytes]:
    course = (
        f"---\ntitle: {_yaml_text(title)}\ntrack: {track}\nlanguage: {language}\nversion: '1'\n"
        f"summary: {_yaml_text(summary)}\nminutes: 30\npass_mark: 80\n---\n{summary}\n"
    )
    files = {"course.md": course.encode()}
    path, content = new_lesson(files, title=_FIRST_LESSON_TITLE.get(language, "Introduction"), slug="introduction")
    files[path] = content
    return files


_FIRST_LESSON_TITLE = {"en": "Introduction", "ru": "Введение", "kk": "Кіріспе"}


def new_lesson(files: dict[str, bytes], *, title: str, slug: str, minutes: int = 10) -> tuple[str, bytes]:
    """The next lesson file: numbered after the last one, with a front matter to fill in."""
    numbers = [entry.number for entry in lesson_entries(files)]
    number = max(numbers, default=0) + 1
    text = f"---\ntitle: {_yaml_text(title)}\nminutes: {minutes}\n---\n## {title}\n\n"
    return f"{number:02d}-{slug}.md", text.encode()


def find_lesson(files: dict[str, bytes], *, slug: str | None = None, path: str | None = None) -> LessonEntry | None:
    """The lesson with this id, or whose default-language file is `path`."""
    return next((e for e in lesson_entries(files) if e.slug == slug or e.path == path), None)


def with_translations(files: dict[str, bytes], path: str) -> list[str]:
    """`path` and, when it is a lesson in the default language, its translations: they go together."""
    lesson = find_lesson(files, path=path)
    return [path, *lesson.translations.values()] if lesson else [path]


class NameRefused(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid", "taken", "unknown"


def new_lesson_slug(files: dict[str, bytes], title: str, wanted: str = "") -> str:
    """The id for a new lesson: the one asked for, or one made from the title."""
    slug = wanted or slug_from_title(title)
    if not is_valid_slug(slug):
        raise NameRefused("invalid")
    if slug in lesson_slugs(files):
        raise NameRefused("taken")
    return slug


_QUIZ_STARTER = (b"---\ntitle: Final check\nmax_attempts: 3\n---\n### Q first-question\n"
                 b"Write the question here.\n\n( ) A wrong answer\n(x) The right answer\n")


def starting_text(files: dict[str, bytes], name: str) -> bytes:
    """What a file added by name starts with: a translation is a copy of its original to
    translate; quiz.md a one-question example. Refuses names that are neither, or taken."""
    if name in files:
        raise NameRefused("taken")
    special, lesson = SPECIAL_FILE_RE.match(name), LESSON_FILE_RE.match(name)
    original = None
    if special and special.group(2):
        original = files.get(f"{special.group(1)}.md")
    elif lesson and lesson.group(3):
        original = files.get(name.removesuffix(f".{lesson.group(3)}.md") + ".md")
    elif special and special.group(1) == "quiz":
        original = _QUIZ_STARTER
    elif (kit := KIT_FILE_RE.match(name)) and kit.group(1):
        original = files.get("kit.md")  # a kit translation starts as a copy of the kit
    if original is None:
        raise NameRefused("unknown")
    return original


def lesson_slugs(files: dict[str, bytes]) -> set[str]:
    return {entry.slug for entry in lesson_entries(files)} | {
        m.group(2) for p in files if (m := LESSON_FILE_RE.match(p))
    }


def move_lesson(files: dict[str, bytes], slug: str, offset: int) -> dict[str, str]:
    """Swap a lesson with its neighbour (offset -1 up, +1 down). Returns old path -> new path
    for every renamed file, translations included; empty when there is nowhere to move."""
    entries = lesson_entries(files)
    index = next((i for i, e in enumerate(entries) if e.slug == slug), None)
    if index is None or not 0 <= index + offset < len(entries):
        return {}
    a, b = entries[index], entries[index + offset]
    if a.number == b.number:
        return {}
    renames = {}
    for entry, number in ((a, b.number), (b, a.number)):
        for path in (entry.path, *entry.translations.values()):
            renames[path] = f"{number:02d}-{path.split('-', 1)[1]}"
    return renames


def set_front_matter_key(text: str, key: str, value) -> str:
    """Set (or, with value None, remove) one `key: value` line of the front matter,
    leaving every other line exactly as the author wrote it."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return text
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    body = [line for line in lines[1:end] if not pattern.match(line)]
    if value is not None:
        rendered = "true" if value is True else "false" if value is False else _yaml_text(str(value))
        body.append(f"{key}: {rendered}")
    return "\n".join([lines[0], *body, *lines[end:]])


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "gap"
    old_number: int | None
    new_number: int | None
    text: str


def line_diff(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """Changed lines with a little context; long unchanged stretches become one "gap" line."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group_index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if group_index == 0 and (group[0][1] > 0 or group[0][3] > 0):
            rows.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffLine("same", i1 + k + 1, j1 + k + 1, old_lines[i1 + k]) for k in range(i2 - i1)]
                continue
            rows += [DiffLine("removed", i + 1, None, old_lines[i]) for i in range(i1, i2)]
            rows += [DiffLine("added", None, j + 1, new_lines[j]) for j in range(j1, j2)]
        last = group[-1]
        if last[2] < len(old_lines) or last[4] < len(new_lines):
            rows.append(DiffLine("gap", None, None, ""))
    return rows


def changed_paths(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """Path -> "added" / "changed" / "removed", comparing two path -> digest maps."""
    changes = {}
    for path in sorted(set(before) | set(after)):
        if path not in before:
            changes[path] = "added"
        elif path not in after:
            changes[path] = "removed"
        elif before[path] != after[path]:
            changes[path] = "changed"
    return changes
