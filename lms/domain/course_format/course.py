"""One course folder: course.md, NN-slug.md lessons, quiz.md, translations, images."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lms.domain.course_format.blocks import check_markup_load, scan_lesson_body
from lms.domain.course_format.checks import IMAGE_SUFFIXES, check_body, compare_quiz, is_image_content
from lms.domain.course_format.folder import decode_text, read_course_folder
from lms.domain.course_format.kit import is_kit_file, parse_kits
from lms.domain.course_format.limits import (
    FILE_PATH_MAX,
    ITEM_ID_MAX,
    MINUTES_MAX,
    SLUG_MAX,
    TEXT_FILE_BYTES_MAX,
    TITLE_MAX,
    VERSION_MAX,
)
from lms.domain.course_format.problems import Collector, Problem
from lms.domain.course_format.quiz import QuizSource, parse_quiz, validate_settings
from lms.domain.course_format.sources import (  # noqa: F401  (re-exported: imported from here elsewhere)
    CourseSource,
    CourseText,
    LessonSource,
    LessonText,
    hash_files,
)
from lms.domain.course_format.yamlio import check_keys, raw_text, split_front_matter, written_as_digits

LANGUAGES = ("en", "ru", "kk")
COURSE_KEYS = ("title", "track", "language", "version", "summary", "minutes", "pass_mark")
TRANSLATION_KEYS = COURSE_KEYS
LESSON_KEYS = ("title", "minutes", "id", "hidden")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LESSON_FILE_RE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*?)(?:\.(en|ru|kk))?\.md$")
SPECIAL_FILE_RE = re.compile(r"^(course|quiz)(?:\.(en|ru|kk))?\.md$")


def read_course_files(folder: Path) -> dict:
    """Every regular file under the folder, by relative POSIX path (hidden files, links and devices left out)."""
    return read_course_folder(folder)[0]


def load_course_dir(folder: Path, *, display_root: Path | None = None, known_tracks=None, display_prefix: str | None = None):
    """Read and validate one course folder. Returns (CourseSource | None, problems)."""
    files, refused = read_course_folder(folder)
    shown = display_prefix
    if shown is None:
        shown = str(folder)
        if display_root is not None:
            try:
                shown = str(folder.resolve().relative_to(display_root))
            except ValueError:
                shown = folder.name
    return parse_course_files(folder.name, files, display_prefix=shown, known_tracks=known_tracks, refused=refused)


def _int_field(meta, lines, key, collector, default, minimum=0, maximum=MINUTES_MAX):
    value = meta.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, int) or not written_as_digits(lines, (key,))
            or not minimum <= value <= maximum):
        shown = raw_text(value, lines, (key,))
        collector.add(lines.get((key,), 1), f"'{key}' must be a whole number from {minimum} to {maximum}, not '{shown}'")
        return default
    return value


def _text_value(meta: dict, lines: dict, key: str, collector: Collector) -> str:
    """A text key as written (`title: 2026` is "2026"); a list or mapping is refused."""
    value = meta.get(key)
    if isinstance(value, dict | list):
        collector.add(lines.get((key,), 1), f"'{key}' must be a text, not a list or mapping")
        return ""
    return raw_text(value, lines, (key,)).strip()


def _check_length(value: str, limit: int, what: str, line: int, collector: Collector) -> None:
    if len(value) > limit:
        collector.add(line, f"{what} is {len(value)} characters long; at most {limit}")


def parse_course_files(course_slug: str, files: dict, *, display_prefix: str, known_tracks=None, refused=()):
    """Check a course's files ({relative path: bytes}); `refused` lists (path, why) the reader left out."""
    problems: list[Problem] = []

    def collector_for(name: str) -> Collector:
        c = Collector(f"{display_prefix}/{name}")
        collectors.append(c)
        return c

    collectors: list[Collector] = []
    folder_collector = collector_for("course.md")
    if not SLUG_RE.match(course_slug):
        folder_collector.add(1, f"course folder name '{course_slug}' must be lowercase Latin letters, digits and hyphens")
    _check_length(course_slug, SLUG_MAX, f"course folder name '{course_slug[:20]}...'", 1, folder_collector)
    for name, why in refused:
        collector_for(name).add(1, why)

    course_files: dict[str, str] = {}
    quiz_files: dict[str, str] = {}
    lesson_files: dict[str, dict[str, str]] = {}  # lang -> {slug: name}
    lesson_numbers: dict[str, int] = {}
    for name in files:
        base = name.rsplit("/", 1)[-1]
        if len(name) > FILE_PATH_MAX:
            collector_for(name[:60] + "...").add(1, f"the file's path is longer than {FILE_PATH_MAX} characters")
            continue
        if base.endswith((".md", ".yml")) and len(files[name]) > TEXT_FILE_BYTES_MAX:
            collector_for(name).add(1, f"the file is larger than {TEXT_FILE_BYTES_MAX // 1024} KB; split it into several lessons")
            files = {**files, name: b""}  # checked no further
            continue
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
        elif is_kit_file(name):
            continue  # checked by parse_kits below
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
        text, why = decode_text(files[name])
        if why:
            collector.add(1, why)
        check_markup_load(text, 1, collector)
        return text

    # --- course.md (default language)
    c = collector_for(course_files[""])
    course_md = decode(course_files[""], c)
    before = len(c.problems)
    meta, lines, overview, overview_line = split_front_matter(course_md, c, required=True)
    front_matter_broken = len(c.problems) > before  # one YAML mistake, not a cascade of "missing" lines
    check_keys(meta, lines, COURSE_KEYS, c)
    for key in ("title", "track", "language"):
        if meta.get(key) in (None, "") and not front_matter_broken:
            c.add(1, f"missing '{key}' in the front matter")
    default_language = raw_text(meta.get("language", "en"), lines, ("language",))
    if default_language not in LANGUAGES:
        c.add(lines.get(("language",), 1), f"unknown language '{default_language}' (use en, ru or kk)")
        default_language = "en"
    track = raw_text(meta.get("track", ""), lines, ("track",))
    if known_tracks is not None and track and track not in known_tracks:
        from lms.domain.course_format.problems import did_you_mean

        c.add(lines.get(("track",), 1), f"unknown track '{track}'{did_you_mean(track, known_tracks)}")
    pass_mark = meta.get("pass_mark", 80)
    if isinstance(pass_mark, int | float) and not isinstance(pass_mark, bool) and not 0 <= pass_mark <= 100:
        c.add(lines.get(("pass_mark",), 1), f"pass mark {raw_text(pass_mark, lines, ('pass_mark',))} is outside 0-100")
        pass_mark = 80
    else:  # a whole percent, as on a quiz: 80.5 is refused, never cut to 80
        pass_mark = _int_field(meta, lines, "pass_mark", c, 80, 0, 100)
    minutes = _int_field(meta, lines, "minutes", c, 0)
    version = raw_text(meta.get("version", ""), lines, ("version",)).strip()
    _check_length(version, VERSION_MAX, "'version'", lines.get(("version",), 1), c)
    if isinstance(meta.get("version"), dict | list):
        c.add(lines.get(("version",), 1), "'version' must be a short text, e.g. \"2026.10\"")
    overview_scan = scan_lesson_body(overview, overview_line, c)
    if overview_scan.quiz_text is not None:
        c.add(overview_scan.quiz_line - 1, "a quiz block belongs in a lesson (or quiz.md), not in course.md")
    check_body(overview, overview_line, c, files, "", overview_scan.code_lines)

    def course_text(meta_: dict, lines_: dict, name: str, collector: Collector) -> CourseText:
        title = _text_value(meta_, lines_, "title", collector)
        _check_length(title, TITLE_MAX, "the title", lines_.get(("title",), 1), collector)
        summary = _text_value(meta_, lines_, "summary", collector)
        return CourseText(title, summary, overview if name == course_files[""] else "", name)

    texts = {default_language: course_text(meta, lines, course_files[""], c)}
    base_meta = meta

    # --- lessons, default language
    def read_lesson(name: str, lang_label: str):
        lc = collector_for(name)
        lesson_md = decode(name, lc)
        before = len(lc.problems)
        lmeta, llines, body, body_line = split_front_matter(lesson_md, lc, required=True)
        yaml_broken = len(lc.problems) > before  # one YAML mistake, not a cascade of "missing" lines
        check_keys(lmeta, llines, LESSON_KEYS, lc)
        title = _text_value(lmeta, llines, "title", lc)
        if not title and not yaml_broken:
            lc.add(1, "missing lesson title ('title: ...' in the front matter)")
        _check_length(title, TITLE_MAX, "the title", llines.get(("title",), 1), lc)
        lesson_minutes = _int_field(lmeta, llines, "minutes", lc, 0)
        scan = scan_lesson_body(body, body_line, lc)
        body, quiz_text, quiz_line = scan.body, scan.quiz_text, scan.quiz_line
        check_body(scan.checked, body_line, lc, files, "", scan.code_lines)
        slug_override = lmeta.get("id")
        if slug_override is not None:
            slug_override = raw_text(slug_override, llines, ("id",))
            if not SLUG_RE.match(slug_override):
                lc.add(llines.get(("id",), 1), f"lesson id '{slug_override}' must be lowercase Latin letters, digits and hyphens")
                slug_override = None
            elif len(slug_override) > ITEM_ID_MAX:
                _check_length(slug_override, ITEM_ID_MAX, "the lesson id", llines.get(("id",), 1), lc)
                slug_override = None
        hidden = lmeta.get("hidden", False)
        if not isinstance(hidden, bool):
            lc.add(llines.get(("hidden",), 1), f"'hidden' must be true or false, not '{hidden}'")
            hidden = False
        elif "hidden" in lmeta and lang_label != default_language:
            lc.add(llines.get(("hidden",), 1), "'hidden' belongs in the default-language lesson only")
        text = LessonText(title, lesson_minutes, body, name, body_line)
        given_minutes = llines.get(("minutes",)) if "minutes" in lmeta else None
        return text, quiz_text, quiz_line, lc, slug_override, hidden, given_minutes, llines.get(("id",), 1)

    default_lessons: dict[str, LessonSource] = {}
    lesson_by_file: dict[str, str] = {}  # default-language file name -> lesson slug
    inline_quizzes: dict[str, dict[str, QuizSource]] = {}
    seen_slugs: dict[str, str] = {}
    seen_numbers: dict[int, str] = {}
    for name, file_slug in sorted(lesson_files.get("", {}).items(), key=lambda kv: lesson_numbers[kv[0]]):
        text, quiz_text, quiz_line, lc, override, hidden, _given, _id_line = read_lesson(name, default_language)
        slug = str(override or file_slug)
        number = lesson_numbers[name]
        if not override and len(slug) > ITEM_ID_MAX:
            _check_length(slug, ITEM_ID_MAX, "the lesson id (from the file name)", 1, lc)
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
        lesson_by_file[name] = slug
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
        return parse_quiz(qbody, slug="final", path=name, first_line=qline, collector=qc, settings=settings,
                          setting_lines=qlines)

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
        written_language = raw_text(tmeta.get("language"), tlines, ("language",)) if "language" in tmeta else lang
        if written_language != lang:
            tc.add(tlines.get(("language",), 1), f"language '{written_language}' does not match the file name ('{lang}')")
        for key in ("track", "version", "minutes", "pass_mark"):
            if key in tmeta and raw_text(tmeta[key], tlines, (key,)) != raw_text(base_meta.get(key), lines, (key,)):
                tc.add(tlines.get((key,), 1), f"'{key}' differs from course.md; only texts are translated")
        if not raw_text(tmeta.get("title"), tlines, ("title",)).strip():
            tc.add(1, "missing 'title' in the front matter")
        tscan = scan_lesson_body(toverview, toverview_line, tc)
        check_body(toverview, toverview_line, tc, files, "", tscan.code_lines)
        texts[lang] = replace(course_text(tmeta, tlines, course_files[lang], tc), overview=toverview)
        translated = {}
        for name in lesson_files.get(lang, {}):
            text, quiz_text, quiz_line, lc, override, _hidden, given_minutes, id_line = read_lesson(name, lang)
            # A translation is the file of the same name plus `.<lang>`: 01-intro.ru.md translates 01-intro.md.
            original = f"{name[: -len(f'.{lang}.md')]}.md"
            slug = lesson_by_file.get(original)
            if slug is None:
                same_slug = [f for f, s_ in lesson_by_file.items() if s_ == (override or lesson_files[lang][name])
                             or f.split("-", 1)[-1] == original.split("-", 1)[-1]]
                hint = f": rename it after {same_slug[0]}" if same_slug else ""
                lc.add(1, f"no {original} in the default language for this translation{hint}")
                continue
            if override is not None and override != slug:
                lc.add(id_line, f"'id' is '{override}' here but '{slug}' in {original}; "
                                "a translation belongs to the lesson of the same file name")
            default_minutes = default_lessons[slug].texts[default_language].minutes
            if given_minutes is not None and text.minutes != default_minutes:
                lc.add(given_minutes, f"'minutes' is {text.minutes} here but {default_minutes} in {original}; "
                                      "a translation takes the same time")
            text = replace(text, minutes=default_minutes)
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

    kits, kit_problems = parse_kits(files, display_prefix=display_prefix, default_language=default_language,
                                    course_track=track, known_tracks=known_tracks)
    problems = sorted({p for col in collectors for p in col.problems} | set(kit_problems))
    if problems:
        return None, problems
    source = CourseSource(
        slug=course_slug,
        track=track,
        default_language=default_language,
        version=version,
        minutes=minutes,
        pass_mark=int(pass_mark),
        texts=texts,
        lessons=ordered_lessons,
        quizzes=quizzes,
        quiz_after=quiz_after,
        files=dict(files),
        source_hash=hash_files(files),
        kits=kits,
    )
    return source, []
