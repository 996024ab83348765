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
# Reference-style images: `![alt][ref]`, `![ref][]`, `![ref]`, with `[ref]: path "title"` anywhere.
IMAGE_REF_RE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?![(\[])")
REF_DEFINITION_RE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?([^\s>]+)>?")
PLACEHOLDERS = ("name", "helpline", "contact", "safeguarding", "emergency")
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


def _check_image_target(target: str, line: int, collector: Collector, files: dict, base_dir: str) -> None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
        collector.add(line, f"image '{target}' must be a file in the course folder, not a web address")
        return
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


def check_body(body: str, first_line: int, collector: Collector, files: dict, base_dir: str,
               code_lines: set | frozenset = frozenset()) -> None:
    """Image links and placeholders; lines of fenced code (file line numbers in `code_lines`) are skipped."""
    lines = body.splitlines()
    references = {}
    for offset, line_text in enumerate(lines):
        definition = REF_DEFINITION_RE.match(line_text)
        if definition and first_line + offset not in code_lines:
            references.setdefault(definition.group(1).strip().lower(), definition.group(2))
    for offset, line_text in enumerate(lines):
        line = first_line + offset
        if line in code_lines:
            continue
        for match in IMAGE_LINK_RE.finditer(line_text):
            _check_image_target(match.group(1) or match.group(2), line, collector, files, base_dir)
        for match in IMAGE_REF_RE.finditer(line_text):
            label = (match.group(2) or match.group(1)).strip().lower()
            if label in references:
                _check_image_target(references[label], line, collector, files, base_dir)
            elif match.group(2) is not None:  # `![alt]` alone may be plain text; `![alt][ref]` is a reference
                collector.add(line, f"image reference '[{match.group(2) or match.group(1)}]' has no definition "
                                    "(a line '[ref]: images/name.png')")
        for match in PLACEHOLDER_RE.finditer(line_text):
            if match.group(1) not in PLACEHOLDERS:
                collector.add(line, f"unknown placeholder '{{hub:{match.group(1)}}}' (known: {', '.join('{hub:' + p + '}' for p in PLACEHOLDERS)})")



def compare_quiz(original: QuizSource | None, translated: QuizSource, collector: Collector) -> None:
    if original is None:
        collector.add(translated.line, "this quiz is not in the default language")
        return
    for key in ("pass_mark", "max_attempts", "cooldown_hours", "time_limit_minutes", "shuffle_questions", "shuffle_answers", "reveal"):
        if key in translated.settings and translated.settings.get(key) != original.settings.get(key):
            collector.add(translated.setting_lines.get(key, translated.line),
                          f"'{key}' differs from the default language's quiz; only 'title' is translated")
    original_ids = [q.id for q in original.questions]
    if original_ids != [q.id for q in translated.questions]:
        _report_question_order(original_ids, translated, collector)
        return
    for a, b in zip(original.questions, translated.questions, strict=True):
        if a.answer_key() != b.answer_key():
            collector.add(b.line, f"question '{b.id}' differs from the default language in kind, points, choices or correct answers")
        if a.pool != b.pool:
            collector.add(b.line, f"question '{b.id}' is in a different pool than in the default language")


def _report_question_order(original_ids: list, translated: QuizSource, collector: Collector) -> None:
    """Name each extra, missing or moved question, at its line in the translation."""
    known = set(original_ids)
    here = [q.id for q in translated.questions]
    for question in translated.questions:
        if question.id not in known:
            collector.add(question.line, f"question '{question.id}' is not in the default language's quiz")
    for position, qid in enumerate(original_ids):
        if qid not in here:
            after = f"after '{original_ids[position - 1]}'" if position else "first"
            collector.add(translated.line, f"question '{qid}' of the default language is missing here (it comes {after})")
    common_original = [qid for qid in original_ids if qid in here]
    common_here = [q for q in translated.questions if q.id in known]
    for expected, question in zip(common_original, common_here, strict=False):  # duplicates are reported elsewhere
        if expected != question.id:
            number = original_ids.index(question.id) + 1
            collector.add(question.line, f"question '{question.id}' is in another place than in the default language "
                                         f"(there it is question {number}); keep the same order")
            break
