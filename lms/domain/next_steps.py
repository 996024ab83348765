"""The next step a volunteer sees after each milestone: which course next for a
certificate, that the hub will issue it, or to log the first lesson once certified."""

from __future__ import annotations

from dataclasses import dataclass

CONTINUE, WAIT_FOR_HUB, LOG_FIRST_LESSON = "continue", "wait_for_hub", "log_first_lesson"
MAX_CONTINUE = 3  # more than this is a catalogue, not a next step


@dataclass(frozen=True)
class TrackFacts:
    slug: str
    title: str
    required: tuple[tuple[str, str, bool], ...]  # (course slug, course title, passed)
    certified: bool  # holds a valid certificate now
    can_be_issued: bool  # passed everything; the hub issues it (reviewed tracks)
    on_hold: bool  # revoked, waiting for the hub's decision
    lessons_logged: int


@dataclass(frozen=True)
class NextStep:
    kind: str
    track_slug: str
    track_title: str
    done: int = 0
    total: int = 0
    next_slug: str = ""
    next_title: str = ""


def next_steps(tracks: list[TrackFacts], enrolled: set[str]) -> list[NextStep]:
    """Steps in the order they matter: lead a lesson, then finish what is started, then wait.

    A track counts as started when the volunteer passed or enrolled in one of its courses
    that not every track requires: passing a course all tracks share (safeguarding) is
    not a choice of track, so it alone would list every track.
    """
    shared = set.intersection(*(set(s for s, _t, _p in t.required) for t in tracks)) if tracks else set()
    lead, going, waiting, untouched = [], [], [], []
    for t in tracks:
        done = sum(1 for _s, _t, passed in t.required if passed)
        total = len(t.required)
        if t.certified:
            if t.lessons_logged == 0:
                lead.append(NextStep(LOG_FIRST_LESSON, t.slug, t.title))
            continue
        if t.on_hold or not total:
            continue
        if t.can_be_issued and done == total:
            waiting.append(NextStep(WAIT_FOR_HUB, t.slug, t.title, done, total))
            continue
        own = [(s, passed) for s, _t, passed in t.required if s not in shared]
        started = any(passed or s in enrolled for s, passed in own)
        if 0 < done < total:
            slug, title = next((s, title) for s, title, passed in t.required if not passed)
            (going if started else untouched).append(NextStep(CONTINUE, t.slug, t.title, done, total, slug, title))
    # Only shared courses passed so far: every such track is one step away; offer a few.
    going = going or untouched
    going.sort(key=lambda s: (-(s.done / s.total), s.track_title))
    return lead + going[:MAX_CONTINUE] + waiting
