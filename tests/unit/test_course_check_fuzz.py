"""Fuzz: the checker answers every mutated course with problems or a course, never an
exception (the CLI would print a traceback). Mutations lean on the syntax that matters:
front matter, YAML anchors and tags, fences, quiz markers, answers, numbers, encodings."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.domain.course_format import load_tracks
from lms.domain.course_format.course import CourseSource, parse_course_files
from lms.domain.course_format.problems import Problem

SEED = {
    "course.md": "---\ntitle: Seed\ntrack: eco\nlanguage: en\nversion: 1.0\nminutes: 30\npass_mark: 80\n---\nOverview ![a](images/a.png)\n",
    "course.ru.md": "---\ntitle: Семя\n---\nОбзор.\n",
    "01-intro.md": ("---\ntitle: Intro\nminutes: 10\n---\nText {hub:name}.\n\n```\ncode\n```\n\n::: quiz\npass_mark: 70\n"
                    "### Q a\nA?\n\n( ) No\n(x) Yes\n    > right\n\n### Q b (2 points)\nB?\n\nnumber: 2,5 +- 0,5\n:::\n"),
    "01-intro.ru.md": ("---\ntitle: Введение\nminutes: 10\n---\nТекст.\n\n::: quiz\n### Q a\nA?\n\n( ) Нет\n(x) Да\n\n"
                       "### Q b (2 points)\nB?\n\nnumber: 2,5 +- 0,5\n:::\n"),
    "quiz.md": ("---\ntitle: Final\nmax_attempts: 3\n---\n## Pool p (draw 1)\n\n### Q c\nC?\n\n[x] One\n[ ] Two\n\n"
                "### Q d\nD?\n\ntext: yes\n+ good\n- bad\n"),
    "quiz.ru.md": "---\ntitle: Итог\n---\n## Pool p (draw 1)\n\n### Q c\nC?\n\n[x] Один\n[ ] Два\n\n### Q d\nD?\n\ntext: да\n",
    "images/a.png": "\x89PNG\r\n\x1a\n",
}
TOKENS = [
    "---", ":::", "::: quiz", ":::quiz", "::: Quiz", "```", "~~~", "````", "&a [1]", "*a", "!!str", "<<: {a: 1}",
    "title: x", "title:", "minutes: 99999999999999999999", "id: Bad Id", "hidden: maybe", "( )", "(x)", "[ ]", "[x]",
    "(X) upper", "    > fb", "> fb", "+ ok", "- no", "truefalse: perhaps", "text:", "number: 1,000", "number: 1e400",
    "### Q", "### Q dup", "### Q x (0 points)", "### Q y (99999999999 points)", "## Pool p (draw 99999999999)",
    "## Heading", "![x][ref]", "[ref]: ../../etc/passwd", "![x](//evil)", "{hub:nope}", "\ufeff", "\t", "\x00", "\r",
    "é" * 400, "q" * 120, "language: no", "version: [1]", "pass_mark: 80.5", "reveal: sometimes", "[unclosed",
]


@st.composite
def mutated(draw):
    files = dict(SEED)
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(sorted(files)))
        lines = files[name].split("\n")
        where = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["insert", "replace", "delete", "duplicate", "rename", "bytes"]))
        if action == "insert":
            lines.insert(where, draw(st.sampled_from(TOKENS)) + draw(st.sampled_from(["", " a", " 1"])))
        elif action == "replace" and where < len(lines):
            lines[where] = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=30)))
        elif action == "delete" and where < len(lines):
            del lines[where]
        elif action == "duplicate" and where < len(lines):
            lines.insert(where, lines[where])
        elif action == "rename":
            new = draw(st.sampled_from(["02-intro.md", "01-intro.kk.md", "quiz.kk.md", "notes.md", "images/b.svg",
                                        "01-Intro.md", "course.en.md", "sub/01-x.md", "kit.md"]))
            files[new] = files.pop(name)
            continue
        elif action == "bytes":
            files[name] = files[name] + draw(st.text(max_size=20))
            continue
        files[name] = "\n".join(lines)
    return encode(files)


def encode(files: dict[str, str]) -> dict[str, bytes]:
    # Images as bytes (latin-1 keeps each code point a byte); text as UTF-8, stray surrogates included.
    return {name: text.encode("latin-1", "replace") if name.endswith(".png") else text.encode("utf-8", "surrogatepass")
            for name, text in files.items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=mutated())
def test_checker_never_raises_on_mutated_courses(files):
    source, problems = parse_course_files("seed", files, display_prefix="seed", known_tracks={"eco"})
    assert (source is None) == bool(problems)
    assert source is None or isinstance(source, CourseSource)
    assert all(isinstance(p, Problem) and p.line >= 1 and p.path.startswith("seed/") for p in problems)


def test_the_seed_itself_passes():
    source, problems = parse_course_files("seed", encode(SEED), display_prefix="seed",
                                          known_tracks={"eco"})
    assert problems == [] and source is not None


@settings(max_examples=80, deadline=None)
@given(text=st.lists(st.one_of(st.sampled_from(TOKENS + ["tracks:", "  - slug: eco", "    title: Eco",
                                                         "    certification:", "      courses: [a]",
                                                         "      valid_months: 99999999999"]), st.text(max_size=20)),
                     max_size=12).map("\n".join))
def test_tracks_reader_never_raises(text):
    tracks, problems = load_tracks(text, "tracks.yml")
    assert isinstance(tracks, list) and all(p.line >= 1 for p in problems)
