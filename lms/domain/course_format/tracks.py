"""tracks.yml: the training areas and each one's certification rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.domain.course_format.limits import SLUG_MAX, VALID_MONTHS_MAX
from lms.domain.course_format.problems import Collector, Problem
from lms.domain.course_format.quiz import SLUG
from lms.domain.course_format.yamlio import check_keys, load_yaml, raw_text, text_field, written_as_digits

TRACK_KEYS = ("slug", "title", "summary", "certification")
RULE_KEYS = ("courses", "refresher", "valid_months", "issuance", "allows")
ISSUANCE = ("auto", "review")


@dataclass(frozen=True)
class TrackSource:
    slug: str
    position: int
    title: dict
    summary: dict
    courses: tuple[str, ...]
    refresher: tuple[str, ...]
    valid_months: int
    issuance: str
    allows: dict
    line: int
    course_lines: dict = field(default_factory=dict)  # course slug -> line in tracks.yml

    def rule(self) -> dict:
        return {
            "courses": list(self.courses),
            "refresher": list(self.refresher),
            "valid_months": self.valid_months,
            "issuance": self.issuance,
            "allows": self.allows,
        }


def load_tracks(text: str, path: str) -> tuple[list[TrackSource], list[Problem]]:
    import re

    c = Collector(path)
    data, lines = load_yaml(text, c)
    if data is None:
        if not c.problems:
            c.add(1, "the file is empty; it needs 'tracks:' with a list of tracks")
        return [], c.problems
    if not isinstance(data, dict) or not isinstance(data.get("tracks"), list):
        c.add(1, "the file must have 'tracks:' followed by a list of tracks")
        return [], c.problems
    check_keys(data, lines, ("tracks",), c)
    tracks: list[TrackSource] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["tracks"]):
        base = ("tracks", index)
        line = lines.get(base, 1)
        if not isinstance(item, dict):
            c.add(line, "each track must be a mapping with slug, title, summary and certification")
            continue
        check_keys(item, lines, TRACK_KEYS, c, prefix=base)
        slug = raw_text(item.get("slug") or "", lines, (*base, "slug"))
        if not re.fullmatch(SLUG, slug):
            c.add(lines.get((*base, "slug"), line), f"track slug '{slug}' must be lowercase Latin letters, digits and hyphens")
            continue
        if len(slug) > SLUG_MAX:
            c.add(lines.get((*base, "slug"), line), f"track slug is {len(slug)} characters long; at most {SLUG_MAX}")
            continue
        if slug in seen:
            c.add(lines.get((*base, "slug"), line), f"duplicate track slug '{slug}' (first on line {seen[slug]})")
            continue
        seen[slug] = line
        title = text_field(item.get("title"), lines.get((*base, "title"), line), "title", c,
                           key_lines=lines, path=(*base, "title"))
        summary = text_field(item.get("summary"), lines.get((*base, "summary"), line), "summary", c, required=False,
                             key_lines=lines, path=(*base, "summary"))
        rule = item.get("certification")
        rule_line = lines.get((*base, "certification"), line)
        if not isinstance(rule, dict):
            c.add(rule_line, f"track '{slug}' needs a 'certification' rule (courses, valid_months, issuance, allows)")
            continue
        rbase = (*base, "certification")
        check_keys(rule, lines, RULE_KEYS, c, prefix=rbase)
        courses = rule.get("courses")
        if not isinstance(courses, list) or not courses or not all(isinstance(x, str) for x in courses):
            c.add(lines.get((*rbase, "courses"), rule_line), "'courses' must be a list of course slugs")
            courses = []
        refresher = rule.get("refresher") or []
        if not isinstance(refresher, list) or not all(isinstance(x, str) for x in refresher):
            c.add(lines.get((*rbase, "refresher"), rule_line), "'refresher' must be a list of course slugs")
            refresher = []
        months = rule.get("valid_months")
        if (isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= VALID_MONTHS_MAX
                or not written_as_digits(lines, (*rbase, "valid_months"))):
            shown = raw_text(months, lines, (*rbase, "valid_months"))
            c.add(lines.get((*rbase, "valid_months"), rule_line),
                  f"'valid_months' must be a whole number of months from 1 to {VALID_MONTHS_MAX}, not '{shown}'")
            months = 24
        issuance = rule.get("issuance", "review")
        if issuance not in ISSUANCE:
            c.add(lines.get((*rbase, "issuance"), rule_line), f"'issuance' must be 'auto' or 'review', not '{issuance}'")
        allows = text_field(rule.get("allows"), lines.get((*rbase, "allows"), rule_line), "allows", c,
                            key_lines=lines, path=(*rbase, "allows"))
        course_lines = {}
        for key, listed in (("refresher", refresher), ("courses", courses)):
            for position, course in enumerate(listed):
                course_lines[course] = lines.get((*rbase, key, position), rule_line)
        tracks.append(
            TrackSource(slug, index, title, summary, tuple(courses), tuple(refresher), months, str(issuance),
                        allows, line, course_lines)
        )
    return tracks, c.problems
