"""What a checked course is: the frozen values the parser returns and the importer writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LessonText:
    title: str
    minutes: int
    body: str
    path: str
    body_line: int


@dataclass(frozen=True)
class LessonSource:
    slug: str
    number: int
    texts: dict  # language -> LessonText
    hidden: bool = False  # kept in the sources but not shown to learners (default language decides)


@dataclass(frozen=True)
class CourseText:
    title: str
    summary: str
    overview: str
    path: str


@dataclass(frozen=True)
class CourseSource:
    slug: str
    track: str
    default_language: str
    version: str
    minutes: int
    pass_mark: int
    texts: dict  # language -> CourseText
    lessons: tuple[LessonSource, ...]
    quizzes: dict  # language -> tuple[QuizSource, ...], in course order
    quiz_after: dict  # quiz slug -> lesson slug it follows (None: after the last lesson)
    files: dict = field(default_factory=dict)  # relative path -> bytes
    source_hash: str = ""
    kits: dict = field(default_factory=dict)  # language -> KitSource (lms.domain.course_format.kit)

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.default_language, *sorted(lang for lang in self.texts if lang != self.default_language))


def hash_files(files: dict) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()
