"""Checks shared by the course parser: links and placeholders in Markdown bodies, and
translated quizzes against the default language."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from lms.domain.course_format.problems import Collector
from lms.domain.course_format.quiz import QuizSource

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
IMAGE_LINK_RE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img[^>]*?src=[\"']([^\"']+)[\"']", re.I)
PLACEHOLDER_RE = re.compile(r"\{hub:([a-z_]+)\}")
PLACEHOLDERS = ("name", "helpline", "contact")
_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", ("PNG", ".png", "image/png")),
    (b"\xff\xd8\xff", ("JPEG", ".jpg", "image/jpeg")),
    (b"GIF87a", ("GIF", ".gif", "image/gif")),
    (b"GIF89a", ("GIF", ".gif", "image/gif")),
)


def image_kind(content: bytes) -> tuple[str, str, str] | None:
    """(format, extension, MIME type) read from the first bytes, or None: a name is not enough."""
    for signature, kind in _IMAGE_SIGNATURES:
        if content.startswith(signature):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "WEBP", ".webp", "image/webp"
    return None


def is_image_content(content: bytes) -> bool:
    return image_kind(content) is not None


def check_body(body: str, first_line: int, collector: Collector, files: dict, base_dir: str) -> None:
    for offset, line_text in enumerate(body.splitlines()):
        line = first_line + offset
        for match in IMAGE_LINK_RE.finditer(line_text):
            target = match.group(1) or match.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
                collector.add(line, f"image '{target}' must be a file in the course folder, not a web address")
                continue
            resolved = PurePosixPath(base_dir, target)
            parts = []
            for part in resolved.parts:
                if part == "..":
                    if not parts:
                        break
                    parts.pop()
                elif part not in (".", ""):
                    parts.append(part)
            rel = "/".join(parts)
            if target.startswith("/") or ".." in PurePosixPath(target).parts or rel not in files:
                collector.add(line, f"broken image link '{target}': no such file in the course folder")
            elif not rel.lower().endswith(IMAGE_SUFFIXES):
                collector.add(line, f"'{target}' is not a PNG, JPEG, WebP or GIF image")
        for match in PLACEHOLDER_RE.finditer(line_text):
            if match.group(1) not in PLACEHOLDERS:
                collector.add(line, f"unknown placeholder '{{hub:{match.group(1)}}}' (known: {', '.join('{hub:' + p + '}' for p in PLACEHOLDERS)})")



def compare_quiz(original: QuizSource | None, translated: QuizSource, collector: Collector) -> None:
    if original is None:
        collector.add(translated.line, "this quiz is not in the default language")
        return
    if [q.id for q in original.questions] != [q.id for q in translated.questions]:
        collector.add(translated.line, "the questions differ from the default language: same ids in the same order are needed")
        return
    for a, b in zip(original.questions, translated.questions, strict=True):
        if a.answer_key() != b.answer_key():
            collector.add(b.line, f"question '{b.id}' differs from the default language in kind, points, choices or correct answers")
        if a.pool != b.pool:
            collector.add(b.line, f"question '{b.id}' is in a different pool than in the default language")
    for key in ("pass_mark", "max_attempts", "cooldown_hours", "time_limit_minutes", "shuffle_questions", "shuffle_answers", "reveal"):
        if key in translated.settings and translated.settings.get(key) != original.settings.get(key):
            collector.add(translated.line, f"'{key}' differs from the default language's quiz")
