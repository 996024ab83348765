"""Who may open a lesson kit: a pure rule, so it is tested without the app."""

from __future__ import annotations

from collections.abc import Iterable

STAFF_ROLES = frozenset({"trainer", "coordinator", "admin"})
ANY_TRACK = "any"


def may_open_kit(roles: Iterable[str], kit_track: str, eligible_tracks: Iterable[str]) -> bool:
    """Staff always; a volunteer when certified (valid today) in the kit's track, or in any
    track for a `track: any` kit (the shared safeguarding forms)."""
    if STAFF_ROLES.intersection(roles):
        return True
    eligible = set(eligible_tracks)
    if kit_track == ANY_TRACK:
        return bool(eligible)
    return kit_track in eligible
