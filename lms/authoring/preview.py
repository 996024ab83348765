"""Preview of one source file, through the same Markdown + sanitiser pipeline as published pages.

Authors see quiz questions with the correct answers marked: it is their own quiz.
"""

from __future__ import annotations

import html
import io
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PIL import Image

from lms.courses.images import MAX_WIDTH
from lms.courses.rendering import Renderer
from lms.domain.course_format.blocks import scan_lesson_body
from lms.domain.course_format.course import IMAGE_SUFFIXES
from lms.domain.course_format.limits import TEXT_FILE_BYTES_MAX
from lms.domain.course_format.problems import Collector
from lms.domain.course_format.quiz import parse_quiz, validate_settings
from lms.domain.course_format.yamlio import split_front_matter


@dataclass
class QuestionPreview:
    id: str
    kind: str
    points: float
    prompt_html: str
    choices: list[tuple[str, bool]] = field(default_factory=list)  # (html, correct)
    answer: str = ""  # true/false, accepted texts or the number, for the other kinds
    feedback_html: str = ""


@dataclass
class Preview:
    title: str
    body_html: str
    questions: list[QuestionPreview]


def image_sizes(files: dict[str, bytes]) -> dict[str, tuple[int, int]]:
    """Width and height as published pages will show them."""
    sizes = {}
    for path, content in files.items():
        if not path.lower().endswith(IMAGE_SUFFIXES):
            continue
        try:
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
        except (OSError, ValueError, Image.DecompressionBombError):
            continue
        if width > MAX_WIDTH:  # as the published web copy will be
            width, height = MAX_WIDTH, round(height * MAX_WIDTH / width)
        sizes[path] = (width, height)
    return sizes


def _questions(quiz_text: str, first_line: int, path: str, renderer: Renderer, settings=None) -> list[QuestionPreview]:
    collector = Collector(path)
    quiz = parse_quiz(quiz_text, slug="preview", path=path, first_line=first_line, collector=collector,
                      settings=settings or {}, allow_inline_settings=settings is None)
    shown = []
    for question in quiz.questions:
        if question.kind == "truefalse":
            answer = "true" if question.truefalse else "false"
        elif question.kind == "text":
            answer = " / ".join(question.accepted)
        elif question.kind == "number":
            answer = f"{question.number:g}" + (f" ± {question.tolerance:g}" if question.tolerance else "")
        else:
            answer = ""
        shown.append(QuestionPreview(
            question.id, question.kind, question.points, renderer.block(question.prompt),
            [(renderer.inline(choice.text), choice.correct) for choice in question.choices],
            answer, renderer.inline(question.feedback),
        ))
    return shown


RENDER_SECONDS = 2.0  # Markdown rendering of hostile text can be slow; the preview stops here


class _TooSlow(BaseException):  # not an Exception: library code that catches those must not swallow it
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TooSlow after `seconds` of wall time. Needs the main thread (as in gunicorn's
    sync workers); elsewhere only the size limit bounds the work."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum, _frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def preview(path: str, text: str, files: dict[str, bytes], media_prefix: str,
            seconds: float = RENDER_SECONDS) -> Preview:
    """The author's view of one file, bounded in size and time: the front matter goes
    through the checker's strict YAML reader (no alias bombs), text past the checker's
    size limit is not parsed, and rendering that takes longer than `seconds` gives way to
    the plain text."""
    if len(text.encode("utf-8")) > TEXT_FILE_BYTES_MAX:
        return Preview("", "", [])
    try:
        with _time_limit(seconds):
            return _preview(path, text, files, media_prefix)
    except _TooSlow:
        return Preview("", f"<pre>{html.escape(text)}</pre>", [])


def _preview(path: str, text: str, files: dict[str, bytes], media_prefix: str) -> Preview:
    renderer = Renderer(media_prefix=media_prefix, image_sizes=image_sizes(files))
    collector = Collector(path)  # problems are shown by the validator, not here
    base = path.rsplit("/", 1)[-1]
    is_quiz_file = base.startswith("quiz.") or base == "quiz.md"
    meta, _lines, body, body_line = split_front_matter(text, collector, required=not is_quiz_file)
    title = str(meta.get("title") or "")
    if is_quiz_file:
        settings = validate_settings(meta, _lines, collector, 1)
        return Preview(title, "", _questions(body, body_line, path, renderer, settings))
    questions: list[QuestionPreview] = []
    scan = scan_lesson_body(body, body_line, collector)  # the same block rules as the checker and import
    if scan.quiz_text is not None:
        questions = _questions(scan.quiz_text, scan.quiz_line, path, renderer)
    return Preview(title, renderer.block(scan.body), questions)
