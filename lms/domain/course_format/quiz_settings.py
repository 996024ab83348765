"""Quiz settings and the number grammar, shared by quiz.md front matter, a lesson's
quiz block and numeric answers."""

from __future__ import annotations

import re

from lms.domain.course_format.limits import (
    COOLDOWN_HOURS_MAX,
    MAX_ATTEMPTS_MAX,
    NUMBER_MAX,
    TIME_LIMIT_MINUTES_MAX,
    TITLE_MAX,
)
from lms.domain.course_format.problems import Collector, did_you_mean
from lms.domain.course_format.yamlio import written_as_digits

# One grammar for numbers: optional minus, digits, optionally a decimal point or comma and
# digits. No thousands separators: "1,000" is refused as ambiguous (one thousand, or 1.0
# with a decimal comma?), and so are "1 000" and "1,000,000", which do not match at all.
_DECIMAL = r"-?\d+(?:[.,]\d+)?"
NUMBER_RE = re.compile(rf"^({_DECIMAL})(?:\s*(?:\+-|±)\s*({_DECIMAL}))?$")
_AMBIGUOUS_COMMA = re.compile(r"^-?[1-9]\d{0,2},\d{3}$")

SETTING_BOUNDS = {  # key -> (lowest, highest, whether the lowest itself is allowed)
    "pass_mark": (0, 100, True),
    "max_attempts": (0, MAX_ATTEMPTS_MAX, True),
    "cooldown_hours": (0, COOLDOWN_HOURS_MAX, True),
    "time_limit_minutes": (0, TIME_LIMIT_MINUTES_MAX, False),
}


def parse_number(raw: str) -> tuple[float | None, str]:
    """(value, "") for a number in the documented grammar, else (None, why not)."""
    text = raw.strip()
    if _AMBIGUOUS_COMMA.match(text):
        whole, part = text.split(",")
        return None, (f"'{text}' is ambiguous (a thousands separator or a decimal comma?): "
                      f"write {whole}{part}, or {whole}.{part} for a decimal")
    if not re.fullmatch(_DECIMAL, text):
        return None, f"'{text}' is not a number (digits, with a decimal point or comma; no spaces or thousands separators)"
    value = float(text.replace(",", "."))
    if abs(value) > NUMBER_MAX:
        largest = f"{NUMBER_MAX:,}".replace(",", " ")
        return None, f"'{text}' is too large (at most {largest} either way)"
    return value, ""


REVEAL = ("after_pass", "always", "never")
SETTINGS = {
    "title": str,
    "pass_mark": int,
    "max_attempts": int,
    "cooldown_hours": (int, float),
    "time_limit_minutes": (int, float),
    "shuffle_questions": bool,
    "shuffle_answers": bool,
    "reveal": str,
}


def validate_settings(settings: dict, lines: dict, collector: Collector, default_line: int) -> dict:
    """The known settings with their types and bounds; each mistake is reported at its line."""
    clean = {}
    for key, value in settings.items():
        line = lines.get((key,), default_line)
        if key not in SETTINGS:
            collector.add(line, f"unknown key '{key}'{did_you_mean(key, SETTINGS)}")
            continue
        kind = SETTINGS[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)
                            or not written_as_digits(lines, (key,))):
            collector.add(line, f"'{key}' must be a whole number, not '{_shown(value, lines, key)}'")
            continue
        if isinstance(kind, tuple) and (isinstance(value, bool) or not isinstance(value, kind)
                                        or value != value or not written_as_digits(lines, (key,), decimals=True)):
            collector.add(line, f"'{key}' must be a number, not '{_shown(value, lines, key)}'")
            continue
        if kind is bool and not isinstance(value, bool):
            collector.add(line, f"'{key}' must be true or false, not '{value}'")
            continue
        if kind is str and not isinstance(value, str):
            value = str(value)
        if key == "pass_mark" and not 0 <= value <= 100:
            collector.add(line, f"pass mark {value} is outside 0-100")
            continue
        if key in SETTING_BOUNDS:
            low, high, low_allowed = SETTING_BOUNDS[key]
            if value < low or (value == low and not low_allowed):
                collector.add(line, f"'{key}' cannot be negative" if value < low else f"'{key}' must be more than {low}")
                continue
            if value > high:
                collector.add(line, f"'{key}' is at most {high}, not {value}")
                continue
        if key == "title" and len(value) > TITLE_MAX:
            collector.add(line, f"'title' is longer than {TITLE_MAX} characters")
            continue
        if key == "reveal" and value not in REVEAL:
            collector.add(line, f"'reveal' must be one of {', '.join(REVEAL)}, not '{value}'")
            continue
        clean[key] = value
    return clean


def _shown(value, lines: dict, key: str) -> str:
    raw = getattr(lines, "raw", {}).get((key,))
    return str(raw if raw is not None else value)


_INLINE_INT = re.compile(r"^-?\d+$")
_INLINE_FLOAT = re.compile(r"^-?\d+\.\d+$")


def inline_value(value: str):
    """A `key: value` line of a lesson's quiz block, read like the YAML front matter would."""
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INLINE_INT.match(value):
        return int(value)
    if _INLINE_FLOAT.match(value):
        return float(value)
    return value
