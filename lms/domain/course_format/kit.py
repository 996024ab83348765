"""Lesson kits: `kit.md` (the course's default language) and `kit.<lang>.md` in a course folder.

A kit is what a volunteer prints to run a session: facilitator plan, cards, sheets, forms,
a parent letter. Front matter holds `title` and `track` (a track slug, or `any` for the
shared safeguarding forms); every level-1 heading (`# ...`) starts a new printed page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.domain.course_format.blocks import check_markup_load
from lms.domain.course_format.checks import check_body
from lms.domain.course_format.folder import decode_text
from lms.domain.course_format.limits import TITLE_MAX
from lms.domain.course_format.problems import Collector, Problem
from lms.domain.course_format.yamlio import check_keys, split_front_matter

KIT_FILE_RE = re.compile(r"^kit(?:\.(en|ru|kk))?\.md$")
KIT_KEYS = ("title", "track")
ANY_TRACK = "any"
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_PAGE_RE = re.compile(r"^#\s+\S")


@dataclass(frozen=True)
class KitSource:
    language: str
    title: str
    track: str  # a track slug, or "any"
    body: str
    path: str
    pages: int  # printed pages at least: one per level-1 heading


def is_kit_file(name: str) -> bool:
    return "/" not in name and KIT_FILE_RE.match(name) is not None


def page_titles(body: str) -> list[str]:
    """The level-1 headings of a kit body, outside fenced code: one printed page each."""
    titles, fenced = [], False
    for line in body.splitlines():
        if _FENCE_RE.match(line):
            fenced = not fenced
        elif not fenced and _PAGE_RE.match(line):
            titles.append(line[1:].strip())
    return titles


def parse_kits(files: dict, *, display_prefix: str, default_language: str, course_track: str,
               known_tracks=None) -> tuple[dict[str, KitSource], list[Problem]]:
    """Read and check the kit files among a course's `files` (relative path -> bytes).

    Returns ({language: KitSource}, problems). The kit's track must be the course's own
    track or `any`, and every translation names the same track as the default file.
    """
    collectors: list[Collector] = []
    kits: dict[str, KitSource] = {}
    names = {(KIT_FILE_RE.match(name).group(1) or ""): name for name in files if is_kit_file(name)}
    for lang, name in sorted(names.items()):
        collector = Collector(f"{display_prefix}/{name}")
        collectors.append(collector)
        language = lang or default_language
        if lang and lang == default_language:
            collector.add(1, f"'{lang}' is the course's default language: its kit is kit.md")
            continue
        text, why = decode_text(files[name])
        if why:
            collector.add(1, why)
            continue
        check_markup_load(text, 1, collector)
        meta, lines, body, body_line = split_front_matter(text, collector, required=True)
        yaml_broken = bool(collector.problems)  # one YAML mistake, not a cascade of "missing" lines
        check_keys(meta, lines, KIT_KEYS, collector)
        title = str(meta.get("title") or "").strip()
        if not title and not yaml_broken:
            collector.add(1, "missing 'title' in the front matter")
        elif len(title) > TITLE_MAX:  # the kits.title column
            collector.add(lines.get(("title",), 1), f"the title is {len(title)} characters long; at most {TITLE_MAX}")
        track = str(meta.get("track") or "").strip()
        if not track:
            if not yaml_broken:
                collector.add(1, f"missing 'track' in the front matter (the course's track '{course_track}', or '{ANY_TRACK}')")
        elif track not in (course_track, ANY_TRACK):
            known = f" ('{track}' is not a known track)" if known_tracks is not None and track not in known_tracks else ""
            collector.add(lines.get(("track",), 1),
                          f"kit track '{track}' must be the course's track '{course_track}' or '{ANY_TRACK}'{known}")
        pages = page_titles(body)
        if not pages:
            collector.add(body_line, "a kit needs at least one '# ' heading: each one starts a printed page")
        check_body(body, body_line, collector, files, "")
        kits[language] = KitSource(language, title, track, body, name, len(pages))
    if kits and "" not in names:
        some = next(iter(names.values()))
        missing = Collector(f"{display_prefix}/{some}")
        missing.add(1, "a translated kit needs kit.md in the course's default language")
        collectors.append(missing)
    default = kits.get(default_language)
    for language, kit in kits.items():
        if default is not None and language != default_language and kit.track and kit.track != default.track:
            collector = Collector(f"{display_prefix}/{kit.path}")
            collector.add(1, f"track '{kit.track}' differs from kit.md ('{default.track}'); only texts are translated")
            collectors.append(collector)
    problems = sorted({p for c in collectors for p in c.problems})
    return ({} if problems else kits), problems
