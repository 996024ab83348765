"""One course folder: course.md, NN-slug.md lessons, quiz.md, translations, images."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from lms.domain.course_format.checks import IMAGE_SUFFIXES, check_body, compare_quiz, is_image_content
from lms.domain.course_format.problems import Collector, Problem
from lms.domain.course_format.quiz import QuizSource, parse_quiz, validate_settings
from lms.domain.course_format.yamlio import check_keys, split_front_matter

LANGUAGES = ("en", "ru", "kk")
COURSE_KEYS = ("title", "track", "language", "version", "summary", "minutes", "pass_mark")
TRANSLATION_KEYS = COURSE_KEYS
LESSON_KEYS = ("title", "minutes", "id", "hidden")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LESSON_FILE_RE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*?)(?:\.(en|ru|kk))?\.md$")
SPECIAL_FILE_RE = re.compile(r"^(course|quiz)(?:\.(en|ru|kk))?\.md$")
QUIZ_OPEN, QUIZ_CLOSE = "::: quiz", ":::"


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

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.default_language, *sorted(lang for lang in self.texts if lang != self.default_language))


def hash_files(files: dict) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def read_course_files(folder: Path) -> dict:
    """Every regular file under the folder, by relative POSIX path (dotfiles skipped)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        files[rel.as_posix()] = path.read_bytes()
    return files


def load_course_dir(folder: Path, *, display_root: Path | None = None, known_tracks=None):
    """Read and validate one course folder. Returns (CourseSource | None, problems)."""
    files = read_course_files(folder)
    shown = folder
    if display_root is not None:
        try:
            shown = folder.resolve().relative_to(display_root)
        except ValueError:
            shown = folder
    return parse_course_files(folder.name, files, display_prefix=str(shown), known_tracks=known_tracks)


def _int_field(meta, lines, key, collector, default, minimum=0):
    value = meta.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        collector.add(lines.get((key,), 1), f"'{key}' must be a whole number of at least {minimum}, not '{value}'")
        return default
    return value


def _split_inline_quiz(body: str, body_line: int, collector: Collector):
    """Take a `::: quiz` ... `:::` block out of a lesson body: (body, quiz_text, quiz_line)."""
    lines = body.splitlines(keepends=True)
    for start, text in enumerate(lines):
        if text.strip() == QUIZ_OPEN:
            for end in range(start + 1, len(lines)):
                if lines[end].strip() == QUIZ_CLOSE:
                    quiz_text = "".join(lines[start + 1 : end])
                    rest = "".join(lines[:start] + lines[end + 1 :])
                    return rest, quiz_text, body_line + start + 1
            collector.add(body_line + start, "the '::: quiz' block is not closed with a ':::' line")
            return "".join(lines[:start]), None, 0
    return body, None, 0


def parse_course_files(course_slug: str, files: dict, *, display_prefix: str, known_tracks=None):
    problems: list[Problem] = []

    def collector_for(name: str) -> Collector:
        c = Collector(f"{display_prefix}/{name}")
        collectors.append(c)
        return c

    collectors: list[Collector] = []
    folder_collector = collector_for("course.md")
    if not SLUG_RE.match(course_slug):
        folder_collector.add(1, f"course folder name '{course_slug}' must be lowercase Latin letters, digits and hyphens")

    course_files: dict[str, str] = {}
    quiz_files: dict[str, str] = {}
    lesson_files: dict[str, dict[str, str]] = {}  # lang -> {slug: name}
    lesson_numbers: dict[str, int] = {}
    for name in files:
        base = name.rsplit("/", 1)[-1]
        if "/" in name:
            if base.lower().endswith(".svg"):
                collector_for(name).add(1, "SVG images are not allowed (they can carry scripts); use PNG or WebP")
            elif not base.lower().endswith(IMAGE_SUFFIXES):
                collector_for(name).add(1, "only images (PNG, JPEG, WebP, GIF) may be in sub-folders")
            elif not is_image_content(files[name]):
                collector_for(name).add(1, "this file is named like an image but its content is not a PNG, JPEG, WebP or GIF image")
            continue
        special = SPECIAL_FILE_RE.match(base)
        lesson = LESSON_FILE_RE.match(base)
        if special:
            lang = special.group(2) or ""
            (course_files if special.group(1) == "course" else quiz_files)[lang] = name
        elif lesson:
            lesson_files.setdefault(lesson.group(3) or "", {})[name] = lesson.group(2)
            lesson_numbers[name] = int(lesson.group(1))
        elif base.lower().endswith(".svg"):
            collector_for(name).add(1, "SVG images are not allowed (they can carry scripts); use PNG or WebP")
        elif base.lower().endswith(IMAGE_SUFFIXES):
            if not is_image_content(files[name]):
                collector_for(name).add(1, "this file is named like an image but its content is not a PNG, JPEG, WebP or GIF image")
            continue
        elif base.endswith(".md"):
            collector_for(name).add(1, "unknown file name: lessons are 'NN-slug.md', plus 'course.md' and 'quiz.md'")
        else:
            collector_for(name).add(1, "this kind of file cannot be part of a course")

    if "" not in course_files:
        folder_collector.add(1, "missing course.md")
        return None, sorted({p for c in collectors for p in c.problems})

    def decode(name: str, collector: Collector) -> str:
        try:
            return files[name].decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            collector.add(1, "the file is not UTF-8 text")
            return ""

    # --- course.md (default language)
    c = collector_for(course_files[""])
    meta, lines, overview, overview_line = split_front_matter(decode(course_files[""], c), c, required=True)
    check_keys(meta, lines, COURSE_KEYS, c)
    front_matter_broken = bool(c.problems)  # one YAML mistake, not a cascade of "missing" lines
    for key in ("title", "track", "language"):
        if meta.get(key) in (None, "") and not front_matter_broken:
            c.add(1, f"missing '{key}' in the front matter")
    default_language = str(meta.get("language", "en"))
    if default_language not in LANGUAGES:
        c.add(lines.get(("language",), 1), f"unknown language '{default_language}' (use en, ru or kk)")
        default_language = "en"
    track = str(meta.get("track", ""))
    if known_tracks is not None and track and track not in known_tracks:
        from lms.domain.course_format.problems import did_you_mean

        c.add(lines.get(("track",), 1), f"unknown track '{track}'{did_you_mean(track, known_tracks)}")
    pass_mark = meta.get("pass_mark", 80)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not 0 <= pass_mark <= 100:
        c.add(lines.get(("pass_mark",), 1), f"pass mark {pass_mark} is outside 0-100")
        pass_mark = 80
    minutes = _int_field(meta, lines, "minutes", c, 0)
    check_body(overview, overview_line, c, files, "")
    texts = {
        default_language: CourseText(
            str(meta.get("title", "")).strip(), str(meta.get("summary", "") or "").strip(), overview, course_files[""]
        )
    }
    base_meta = meta

    # --- lessons, default language
    def read_lesson(name: str, lang_label: str):
        lc = collector_for(name)
        lmeta, llines, body, body_line = split_front_matter(decode(name, lc), lc, required=True)
        check_keys(lmeta, llines, LESSON_KEYS, lc)
        title = str(lmeta.get("title") or "").strip()
        if not title:
            lc.add(1, "missing lesson title ('title: ...' in the front matter)")
        lesson_minutes = _int_field(lmeta, llines, "minutes", lc, 0)
        body, quiz_text, quiz_line = _split_inline_quiz(body, body_line, lc)
        check_body(body, body_line, lc, files, "")
        slug_override = lmeta.get("id")
        if slug_override is not None and not SLUG_RE.match(str(slug_override)):
            lc.add(llines.get(("id",), 1), f"lesson id '{slug_override}' must be lowercase Latin letters, digits and hyphens")
            slug_override = None
        hidden = lmeta.get("hidden", False)
        if not isinstance(hidden, bool):
            lc.add(llines.get(("hidden",), 1), f"'hidden' must be true or false, not '{hidden}'")
            hidden = False
        elif "hidden" in lmeta and lang_label != default_language:
            lc.add(llines.get(("hidden",), 1), "'hidden' belongs in the default-language lesson only")
        text = LessonText(title, lesson_minutes, body, name, body_line)
        return text, quiz_text, quiz_line, lc, slug_override, hidden

    default_lessons: dict[str, LessonSource] = {}
    inline_quizzes: dict[str, dict[str, QuizSource]] = {}
    seen_slugs: dict[str, str] = {}
    seen_numbers: dict[int, str] = {}
    for name, file_slug in sorted(lesson_files.get("", {}).items(), key=lambda kv: lesson_numbers[kv[0]]):
        text, quiz_text, quiz_line, lc, override, hidden = read_lesson(name, default_language)
        slug = str(override or file_slug)
        number = lesson_numbers[name]
        if slug in seen_slugs:
            lc.add(1, f"duplicate lesson slug '{slug}' (also {seen_slugs[slug]})")
            if quiz_text is not None:  # still check it, so every mistake shows in one run
                parse_quiz(quiz_text, slug=slug, path=name, first_line=quiz_line, collector=lc, allow_inline_settings=True)
            continue
        if number in seen_numbers:
            lc.add(1, f"two lessons are numbered {number:02d} (also {seen_numbers[number]})")
        seen_slugs[slug] = name
        seen_numbers[number] = name
        default_lessons[slug] = LessonSource(slug, number, {default_language: text}, hidden)
        if quiz_text is not None:
            inline_quizzes.setdefault(default_language, {})[slug] = parse_quiz(
                quiz_text, slug=slug, path=name, first_line=quiz_line, collector=lc, allow_inline_settings=True
            )
    if not default_lessons:
        c.add(1, "the course has no lessons (add files named like 01-introduction.md)")
    elif all(lesson.hidden for lesson in default_lessons.values()):
        c.add(1, "every lesson is hidden; learners would see an empty course")

    # --- quiz.md, default language
    final_quizzes: dict[str, QuizSource] = {}

    def read_quiz(name: str) -> QuizSource:
        qc = collector_for(name)
        qmeta, qlines, qbody, qline = split_front_matter(decode(name, qc), qc, required=False)
        settings = validate_settings(qmeta, qlines, qc, 1)
        return parse_quiz(qbody, slug="final", path=name, first_line=qline, collector=qc, settings=settings)

    if "" in quiz_files:
        final_quizzes[default_language] = read_quiz(quiz_files[""])

    # --- translations
    translation_langs = sorted({lang for lang in course_files if lang} | {lang for lang in lesson_files if lang} | {lang for lang in quiz_files if lang})
    for lang in translation_langs:
        if lang == default_language:
            name = course_files.get(lang) or next(iter(lesson_files.get(lang, {})), None) or quiz_files.get(lang)
            collector_for(name).add(1, f"'{lang}' is the course's default language: the plain file name is its version")
            continue
        if lang not in course_files:
            some = next(iter(lesson_files.get(lang, {})), None) or quiz_files.get(lang)
            collector_for(some).add(1, f"translation to '{lang}' has no course.{lang}.md")
            continue
        tc = collector_for(course_files[lang])
        tmeta, tlines, toverview, toverview_line = split_front_matter(decode(course_files[lang], tc), tc, required=True)
        check_keys(tmeta, tlines, TRANSLATION_KEYS, tc)
        if tmeta.get("language") not in (None, lang):
            tc.add(tlines.get(("language",), 1), f"language '{tmeta.get('language')}' does not match the file name ('{lang}')")
        for key in ("track", "version", "minutes", "pass_mark"):
            if key in tmeta and tmeta[key] != base_meta.get(key):
                tc.add(tlines.get((key,), 1), f"'{key}' differs from course.md; only texts are translated")
        if not str(tmeta.get("title") or "").strip():
            tc.add(1, "missing 'title' in the front matter")
        check_body(toverview, toverview_line, tc, files, "")
        texts[lang] = CourseText(str(tmeta.get("title", "")).strip(), str(tmeta.get("summary", "") or "").strip(), toverview, course_files[lang])
        translated = {}
        for name, file_slug in lesson_files.get(lang, {}).items():
            text, quiz_text, quiz_line, lc, override, _hidden = read_lesson(name, lang)
            slug = str(override or file_slug)
            if slug not in default_lessons:
                lc.add(1, f"lesson '{slug}' is not in the default language; translations have the same lessons")
                continue
            if lesson_numbers[name] != default_lessons[slug].number:
                lc.add(1, f"lesson '{slug}' is numbered {default_lessons[slug].number:02d} in the default language")
            translated[slug] = (text, name)
            if quiz_text is not None:
                inline_quizzes.setdefault(lang, {})[slug] = parse_quiz(
                    quiz_text, slug=slug, path=name, first_line=quiz_line, collector=lc, allow_inline_settings=True
                )
        for slug, lesson in default_lessons.items():
            if slug in translated:
                texts_for = dict(lesson.texts)
                texts_for[lang] = translated[slug][0]
                default_lessons[slug] = replace(lesson, texts=texts_for)
            else:
                tc.add(1, f"lesson '{slug}' has no '{lang}' translation ({lesson.number:02d}-{slug}.{lang}.md)")
        if lang in quiz_files:
            final_quizzes[lang] = read_quiz(quiz_files[lang])
            if default_language not in final_quizzes:
                collector_for(quiz_files[lang]).add(1, "a translated quiz needs quiz.md in the default language")
        elif default_language in final_quizzes:
            tc.add(1, f"the quiz has no '{lang}' translation (quiz.{lang}.md)")

    # --- quizzes per language, in course order; translations must match the default
    ordered_lessons = tuple(sorted(default_lessons.values(), key=lambda lesson: lesson.number))
    quiz_after: dict[str, str | None] = {}
    quizzes: dict[str, tuple[QuizSource, ...]] = {}
    for lang in texts:
        sequence = []
        for lesson in ordered_lessons:
            if lesson.hidden:  # its quiz is checked above but hidden with it
                continue
            quiz = inline_quizzes.get(lang, {}).get(lesson.slug)
            if quiz is not None:
                sequence.append(quiz)
                quiz_after[quiz.slug] = lesson.slug
        if lang in final_quizzes:
            sequence.append(final_quizzes[lang])
            quiz_after["final"] = None
        quizzes[lang] = tuple(sequence)
    default_quizzes = {q.slug: q for q in quizzes.get(default_language, ())}
    for lang, sequence in quizzes.items():
        if lang == default_language:
            continue
        for quiz in sequence:
            compare_quiz(default_quizzes.get(quiz.slug), quiz, collector_for(quiz.path))
        missing = set(default_quizzes) - {q.slug for q in sequence}
        for slug in missing:
            if slug != "final":
                collector_for(course_files[lang]).add(1, f"the quiz of lesson '{slug}' is missing in the '{lang}' translation")

    problems = sorted({p for col in collectors for p in col.problems})
    if problems:
        return None, problems
    source = CourseSource(
        slug=course_slug,
        track=track,
        default_language=default_language,
        version=str(meta.get("version", "") or ""),
        minutes=minutes,
        pass_mark=int(pass_mark),
        texts=texts,
        lessons=ordered_lessons,
        quizzes=quizzes,
        quiz_after=quiz_after,
        files=dict(files),
        source_hash=hash_files(files),
    )
    return source, []
