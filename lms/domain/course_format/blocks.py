"""Reading a Markdown body the way the renderer will: fenced code is opaque.

A `::: quiz` line inside a fenced code block is an example, not a quiz; a `( )` line
inside a fence in a question's text is code, not a choice. Fences follow
Python-Markdown's fenced_code (what learners see): an opening line of three or more
backticks or tildes at the start of the line, closed by the very same fence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lms.domain.course_format.problems import Collector

QUIZ_OPEN, QUIZ_CLOSE = "::: quiz", ":::"
# As Python-Markdown's fenced_code: after the fence only `{attrs}`, or a language and hl_lines.
_FENCE_OPEN = re.compile(r"""^(`{3,}|~{3,})[ ]*(\{[^\n]*\}|(?:\.?[\w#.+-]*[ ]*)?(?:hl_lines=("|').*?\3[ ]*)?)$""")
_LOOSE_QUIZ_OPEN = re.compile(r"^:::\s*quiz\b.*$", re.IGNORECASE)
_QUESTION_HEADING = re.compile(r"^###\s+Q\s+[a-z0-9][a-z0-9-]*(\s+\(|\s*$)")


class FenceTracker:
    """Feed lines in order; tells whether each is part of a fenced code block."""

    def __init__(self):
        self.fence: str | None = None
        self.opened_at = 0

    def feed(self, raw: str, line: int) -> bool:
        """True when `raw` is fence or code (opaque), False for ordinary Markdown."""
        text = raw.rstrip("\r\n")
        if self.fence is not None:
            if text.rstrip(" ") == self.fence:
                self.fence = None
            return True
        match = _FENCE_OPEN.match(text)
        if match:
            self.fence, self.opened_at = match.group(1), line
            return True
        return False

    def finish(self, collector: Collector) -> None:
        if self.fence is not None:
            collector.add(self.opened_at, f"the code block opened here with '{self.fence}' is not closed: "
                                          f"add a line '{self.fence}' after the code (learners would see the raw marks)")
            self.fence = None


@dataclass
class BodyScan:
    body: str  # the body with the quiz block taken out
    quiz_text: str | None = None
    quiz_line: int = 0  # file line of the quiz text's first line
    code_lines: set = field(default_factory=set)  # file lines inside fenced code (opaque)
    checked: str = ""  # the body with the quiz lines blanked, so line numbers stay the file's


def scan_lesson_body(body: str, body_line: int, collector: Collector) -> BodyScan:
    """Find the one `::: quiz` ... `:::` block of a lesson, outside fenced code.

    Misspelt or unknown `:::` lines, a second quiz block, an unclosed block and an
    unclosed fence are reported at their lines.
    """
    lines = body.splitlines(keepends=True)
    fences = FenceTracker()
    code_lines: set[int] = set()
    start = end = None
    refused_open = False  # a misspelt or second opener was reported: its ':::' is not reported again
    for index, raw in enumerate(lines):
        line = body_line + index
        if fences.feed(raw, line):
            code_lines.add(line)
            continue
        stripped = raw.strip()
        outside_blocks = (start is None or end is not None) and not refused_open  # a refused opener said it already
        if outside_blocks and _QUESTION_HEADING.match(raw):
            collector.add(line, "a question heading outside a '::: quiz' block would be shown to learners as text, "
                                "answers included: put the question inside the quiz block")
            continue
        if not stripped.startswith(":::"):
            continue
        if len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip()) >= 4:
            # Indented code, or the text of a box or list: shown as written, answers included.
            if _LOOSE_QUIZ_OPEN.match(stripped):
                collector.add(line, "an indented '::: quiz' line is shown to learners as text, answers included: "
                                    "start the quiz block at the beginning of the line")
            continue
        if start is not None and end is None:
            if stripped == QUIZ_CLOSE:
                end = index
            elif _LOOSE_QUIZ_OPEN.match(stripped):
                collector.add(line, f"a '::: quiz' block is already open (line {body_line + start}); "
                                    "close it with a ':::' line first")
            else:
                collector.add(line, f"unknown block marker '{stripped}' inside the quiz; the quiz block ends with a line ':::'")
            continue
        if stripped == QUIZ_OPEN:
            if start is not None:
                collector.add(line, f"a lesson has one quiz block at most (the first starts on line {body_line + start}); "
                                    "put these questions into that block")
                refused_open = True
            else:
                start = index
        elif _LOOSE_QUIZ_OPEN.match(stripped):
            collector.add(line, f"write the quiz block's first line exactly '::: quiz', not '{stripped}'"
                                " (otherwise learners would see the questions and answers as text)")
            refused_open = True
        elif stripped == QUIZ_CLOSE:
            if refused_open:
                refused_open = False
            else:
                collector.add(line, "a ':::' line closes a quiz block, but no '::: quiz' line is open here")
        else:
            collector.add(line, f"unknown block marker '{stripped}': the only block is '::: quiz' ... ':::'")
    fences.finish(collector)
    if start is None:
        return BodyScan(body, code_lines=code_lines, checked=body)
    if end is None:
        collector.add(body_line + start, "the '::: quiz' block is not closed with a ':::' line")
        return BodyScan("".join(lines[:start]), code_lines=code_lines, checked="".join(lines[:start]))
    quiz_text = "".join(lines[start + 1 : end])
    rest = "".join(lines[:start] + lines[end + 1 :])
    checked = "".join(lines[:start] + ["\n"] * (end + 1 - start) + lines[end + 1 :])
    return BodyScan(rest, quiz_text, body_line + start + 1, code_lines, checked)


# Python-Markdown's inline patterns slow down sharply (worse than quadratic) on many '['
# or '<' in one document: 2,000 unclosed '[' take seconds, 10,000 minutes. Some 1,500
# '*' or '_' in one paragraph nest emphasis deep enough to overflow Python's stack, and
# list nesting costs the square of its depth. The shipped courses use at most a few dozen
# brackets, 280 underscores in a paragraph (fill-in lines) and 6 spaces of indentation;
# these caps keep the worst case near 0.2 s and well away from the stack limit.
MARKUP_CAPS = {"[": 500, "<": 1000}
EMPHASIS_PER_PARAGRAPH = 1000
INDENT_MAX = 200


def check_markup_load(text: str, first_line: int, collector: Collector) -> None:
    """Refuse, outside fenced code, more markup than the renderer handles quickly."""
    fences = FenceTracker()
    counts = dict.fromkeys(MARKUP_CAPS, 0)
    emphasis = 0
    reported: set[str] = set()
    for offset, raw in enumerate(text.splitlines()):
        line = first_line + offset
        if fences.feed(raw, line):
            continue
        for char, cap in MARKUP_CAPS.items():
            counts[char] += raw.count(char)
            if counts[char] > cap and char not in reported:
                reported.add(char)
                collector.add(line, f"more than {cap} '{char}' characters outside code in this file (the page would "
                                    "take too long to show); put such text in a fenced code block or split the file")
        emphasis = emphasis + raw.count("*") + raw.count("_") if raw.strip() else 0
        if emphasis > EMPHASIS_PER_PARAGRAPH and "emphasis" not in reported:
            reported.add("emphasis")
            collector.add(line, f"more than {EMPHASIS_PER_PARAGRAPH} '*' and '_' in one paragraph (the page could not "
                                "be shown); split it with blank lines or put it in a fenced code block")
        indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip(" "))
        if indent > INDENT_MAX and "indent" not in reported:
            reported.add("indent")
            collector.add(line, f"a line indented by more than {INDENT_MAX} spaces (lists nested that deep take too "
                                "long to show)")
