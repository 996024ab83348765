"""A problem found in a source file, printed as `path:line: message`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def did_you_mean(word: str, known) -> str:
    match = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f", did you mean '{match[0]}'?" if match else f" (known: {', '.join(sorted(known))})"


class Collector:
    """Collects problems for one file so parsers can report and carry on."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))
