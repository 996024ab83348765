"""The quiz syntax: `### Q <id>` questions with choices, true/false, text and numeric answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lms.domain.course_format.blocks import FenceTracker
from lms.domain.course_format.limits import CHOICES_MAX, ITEM_ID_MAX, POINTS_MAX, POOL_DRAW_MAX
from lms.domain.course_format.problems import Collector
from lms.domain.course_format.quiz_settings import (  # noqa: F401  (re-exported: the quiz format's public names)
    NUMBER_RE,
    REVEAL,
    SETTINGS,
    inline_value,
    parse_number,
    validate_settings,
)

SLUG = r"[a-z0-9][a-z0-9-]*"
QUESTION_RE = re.compile(rf"^###\s+Q\s+({SLUG})(?:\s+\((\d+(?:\.\d+)?)\s+points?\))?\s*$")
POOL_RE = re.compile(rf"^##\s+Pool\s+({SLUG})\s+\(draw\s+(\d+)\)\s*$")
CHOICE_RE = re.compile(r"^(\(([ xX])\)|\[([ xX])\])\s+(.*)$")
KEYED_RE = re.compile(r"^(truefalse|text|number):\s*(.*)$")
KINDS = ("single", "multiple", "truefalse", "text", "number")


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    line: int
    kind: str
    points: float
    prompt: str
    choices: tuple[Choice, ...] = ()
    truefalse: bool | None = None
    accepted: tuple[str, ...] = ()
    number: float | None = None
    tolerance: float = 0.0
    feedback: str = ""
    feedback_right: str = ""
    feedback_wrong: str = ""
    pool: str | None = None

    def answer_key(self) -> dict:
        """What grading needs, the same in every language (text answers aside)."""
        return {
            "kind": self.kind,
            "points": self.points,
            "correct": [c.correct for c in self.choices],
            "truefalse": self.truefalse,
            "number": self.number,
            "tolerance": self.tolerance,
        }


@dataclass(frozen=True)
class Pool:
    id: str
    draw: int
    line: int


@dataclass(frozen=True)
class QuizSource:
    slug: str
    path: str
    line: int
    settings: dict = field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    pools: tuple[Pool, ...] = ()
    setting_lines: dict = field(default_factory=dict)  # setting -> file line


class _QuestionBuilder:
    def __init__(self, qid: str, line: int, points: float, pool: str | None):
        self.id, self.line, self.points, self.pool = qid, line, points, pool
        self.prompt: list[str] = []
        self.in_answers = False
        self.kinds: list[tuple[str, int]] = []
        self.choices: list[list] = []  # [text, correct, feedback_lines]
        self.truefalse: list[tuple[str, int]] = []
        self.accepted: list[tuple[str, int]] = []
        self.numbers: list[tuple[str, int]] = []
        self.feedback: list[str] = []
        self.right: list[str] = []
        self.wrong: list[str] = []

    def build(self, collector: Collector) -> Question | None:
        kinds = {k for k, _ in self.kinds}
        prompt = "\n".join(self.prompt).strip()
        if not prompt:
            collector.add(self.line, f"question '{self.id}' has no text")
        if not kinds:
            collector.add(self.line, f"question '{self.id}' has no answers")
            return None
        if len(kinds) > 1:
            names = " and ".join(sorted(kinds))
            first = self.kinds[0][0]
            other_line = next(line for kind, line in self.kinds if kind != first)
            collector.add(other_line, f"question '{self.id}' mixes kinds of answer ({names})")
            return None
        kind = kinds.pop()
        common = dict(
            id=self.id, line=self.line, kind=kind, points=self.points, prompt=prompt, pool=self.pool,
            feedback="\n".join(self.feedback).strip(), feedback_right="\n".join(self.right).strip(),
            feedback_wrong="\n".join(self.wrong).strip(),
        )
        if kind in ("single", "multiple"):
            choices = tuple(Choice(t.strip(), c, "\n".join(f).strip()) for t, c, f in self.choices)
            correct = sum(c.correct for c in choices)
            if len(choices) < 2:
                collector.add(self.line, f"question '{self.id}' needs at least two choices")
            if correct == 0:
                collector.add(self.line, f"quiz question '{self.id}' has no correct answer")
            if kind == "single" and correct > 1:
                collector.add(
                    self.line,
                    f"single-choice question '{self.id}' has {correct} correct answers; "
                    "use [ ]/[x] for several",
                )
            if any(not c.text for c in choices):
                collector.add(self.line, f"question '{self.id}' has an empty choice")
            if len(choices) > CHOICES_MAX:
                collector.add(self.line, f"question '{self.id}' has {len(choices)} choices; at most {CHOICES_MAX}")
            return Question(choices=choices, **common)
        if kind == "truefalse":
            if len(self.truefalse) > 1:
                collector.add(self.truefalse[1][1], f"question '{self.id}' has more than one truefalse line")
            value, line = self.truefalse[0]
            if value.lower() not in ("true", "false"):
                collector.add(line, f"truefalse must be 'true' or 'false', not '{value}'")
                return None
            return Question(truefalse=value.lower() == "true", **common)
        if kind == "text":
            empty = [line for answer, line in self.accepted if not answer.strip()]
            if empty:  # reported at its line; the question is still read, so translations compare
                collector.add(empty[0], f"question '{self.id}' has an empty text answer")
            accepted = tuple(a.strip() for a, _line in self.accepted if a.strip())
            return Question(accepted=accepted, **common)
        if len(self.numbers) > 1:
            collector.add(self.numbers[1][1], f"question '{self.id}' has more than one number line")
        raw, line = self.numbers[0]
        match = NUMBER_RE.match(raw.strip())
        if not match:
            collector.add(line, f"numeric answer '{raw.strip()}' is not a number (write e.g. 'number: 54' or 'number: 30 +- 5')")
            return None
        number, why = parse_number(match.group(1))
        tolerance, why_tolerance = parse_number(match.group(2)) if match.group(2) else (0.0, "")
        if number is None or tolerance is None:
            collector.add(line, f"numeric answer {why or why_tolerance}")
            return None
        return Question(number=number, tolerance=tolerance, **common)


def parse_quiz(
    text: str,
    *,
    slug: str,
    path: str,
    first_line: int,
    collector: Collector,
    settings: dict | None = None,
    allow_inline_settings: bool = False,
    setting_lines: dict | None = None,
) -> QuizSource:
    """Parse quiz body text whose first line is file line `first_line`.

    Fenced code is opaque: inside a question's text it is part of the text."""
    inline_settings: dict = {}
    inline_lines: dict = {}
    questions: list[Question] = []
    pools: list[Pool] = []
    current: _QuestionBuilder | None = None
    pool: str | None = None
    seen: dict[str, int] = {}

    def finish():
        nonlocal current
        if current is not None:
            built = current.build(collector)
            if built is not None:
                questions.append(built)
        current = None

    fences = FenceTracker()
    fence_refused = False  # a fence where it cannot be: reported once at its start, skipped whole
    for offset, raw in enumerate(text.splitlines()):
        line = first_line + offset
        stripped = raw.strip()
        was_open = fences.fence is not None
        if fences.feed(raw, line):
            if was_open and fence_refused:
                fence_refused = fences.fence is not None
                continue
            if was_open or (current is not None and not current.in_answers):
                if current is not None and not current.in_answers:
                    current.prompt.append(raw)
                continue
            fence_refused = True  # fall through: the opening line is reported as out of place
        elif fence_refused:
            fence_refused = False
        pool_match = POOL_RE.match(stripped)
        if pool_match:
            finish()
            pool = pool_match.group(1)
            if any(p.id == pool for p in pools):
                collector.add(line, f"duplicate pool id '{pool}'")
            if len(pool) > ITEM_ID_MAX:
                collector.add(line, f"pool id '{pool[:20]}...' is longer than {ITEM_ID_MAX} characters")
            draw = int(pool_match.group(2)) if len(pool_match.group(2)) <= 6 else POOL_DRAW_MAX + 1
            pools.append(Pool(pool, draw, line))
            continue
        if stripped.startswith("## ") and not stripped.startswith("### "):
            collector.add(line, "a level-2 heading in a quiz must be '## Pool <id> (draw N)'")
            continue
        if stripped.startswith("### "):
            finish()
            match = QUESTION_RE.match(stripped)
            if not match:
                collector.add(line, "a question heading must be '### Q <id>' or '### Q <id> (2 points)', with a lowercase id")
                current = _QuestionBuilder(f"line-{line}", line, 1.0, pool)
                continue
            qid = match.group(1)
            if len(qid) > ITEM_ID_MAX:
                collector.add(line, f"question id '{qid[:20]}...' is longer than {ITEM_ID_MAX} characters")
            if qid in seen:
                collector.add(line, f"duplicate question id '{qid}' (first on line {seen[qid]})")
            seen.setdefault(qid, line)
            points = float(match.group(2) or 1)
            if points <= 0:
                collector.add(line, f"question '{qid}' must be worth more than 0 points")
            elif points > POINTS_MAX:
                collector.add(line, f"question '{qid}' is worth {match.group(2)} points; at most {POINTS_MAX}")
                points = 1.0
            current = _QuestionBuilder(qid, line, points, pool)
            continue
        if current is None:
            if not stripped:
                continue
            key = stripped.split(":", 1)[0]
            if allow_inline_settings and ":" in stripped and key in SETTINGS:
                value = stripped.split(":", 1)[1].strip()
                if key in inline_settings:
                    collector.add(line, f"duplicate setting '{key}' (first on line {inline_lines[(key,)]})")
                    continue
                inline_settings[key] = inline_value(value)
                inline_lines[(key,)] = line
                continue
            collector.add(line, "text before the first question; questions start with '### Q <id>'")
            continue
        choice = CHOICE_RE.match(raw)
        keyed = KEYED_RE.match(raw)
        if not current.in_answers and not (choice or keyed):
            current.prompt.append(raw)
            continue
        current.in_answers = True
        if choice:
            single = choice.group(2) is not None
            mark = (choice.group(2) if single else choice.group(3)).lower()
            current.kinds.append(("single" if single else "multiple", line))
            current.choices.append([choice.group(4), mark == "x", []])
        elif keyed:
            kind, value = keyed.group(1), keyed.group(2)
            current.kinds.append((kind, line))
            if kind == "truefalse":
                current.truefalse.append((value.strip(), line))
            elif kind == "text":
                current.accepted.append((value, line))
            else:
                current.numbers.append((value, line))
        elif not stripped:
            continue
        elif raw[:1] in (" ", "\t") and stripped.startswith(">"):
            if not current.choices:
                collector.add(line, "an indented '>' feedback line belongs right under a choice")
            else:
                current.choices[-1][2].append(stripped[1:].strip())
        elif stripped.startswith(">"):
            current.feedback.append(stripped[1:].strip())
        elif stripped.startswith("+ ") or stripped == "+":
            current.right.append(stripped[1:].strip())
        elif stripped.startswith("- ") or stripped == "-":
            current.wrong.append(stripped[1:].strip())
        else:
            collector.add(
                line,
                f"unexpected line in the answers of question '{current.id}': "
                "expected a choice, 'truefalse:', 'text:', 'number:' or feedback ('>', '+', '-')",
            )
    fences.finish(collector)
    finish()

    merged = dict(settings or {})
    if inline_settings:
        merged.update(validate_settings(inline_settings, inline_lines, collector, first_line))
    for p in pools:
        size = sum(1 for q in questions if q.pool == p.id)
        if p.draw > POOL_DRAW_MAX:
            collector.add(p.line, f"pool '{p.id}' draws more than {POOL_DRAW_MAX} questions")
        elif p.draw < 1 or p.draw > size:
            collector.add(p.line, f"pool '{p.id}' draws {p.draw} but has {size} questions")
    if not questions:
        collector.add(first_line, "the quiz has no questions")
    lines_of_settings = {key: line for (key,), line in inline_lines.items()}
    lines_of_settings.update({key[0]: line for key, line in (setting_lines or {}).items()
                              if isinstance(key, tuple) and len(key) == 1})
    return QuizSource(slug=slug, path=path, line=first_line, settings=merged, questions=tuple(questions),
                      pools=tuple(pools), setting_lines=lines_of_settings)
