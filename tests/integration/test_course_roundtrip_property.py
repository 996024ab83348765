"""Property: any course written in the format parses back to what was written, imports
(on SQLite and, with DATABASE_TEST_URL, PostgreSQL), and export(import(course)) gives the
same files. Generated values reach the limits the checker enforces (limits.py), so
"check passes" is tested to mean "import succeeds" right at the edges."""

from __future__ import annotations

import itertools
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.courses.importer import import_tree
from lms.domain.course_format import load_tree
from lms.domain.course_format.limits import (
    CHOICES_MAX,
    ITEM_ID_MAX,
    MAX_ATTEMPTS_MAX,
    MINUTES_MAX,
    NUMBER_MAX,
    POINTS_MAX,
    SLUG_MAX,
    TITLE_MAX,
    VERSION_MAX,
)
from tests.course_builder import write_tracks
from tests.unit.test_course_check_fuzz import mutated

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
# A title is a sentence, or exactly as long as the column holds (Cyrillic: PostgreSQL counts characters).
TITLE = st.one_of(SENTENCE, st.text(alphabet=LETTERS, min_size=TITLE_MAX, max_size=TITLE_MAX))
# Written unquoted on purpose: 2026.10 must stay "2026.10", 0123 must not become 83.
VERSION = st.one_of(st.none(), st.text(alphabet="0123456789.", min_size=1, max_size=VERSION_MAX))
_counter = itertools.count()


def padded(prefix: str, draw, limit: int) -> str:
    """An id starting with `prefix`, sometimes exactly `limit` characters long."""
    return prefix + "x" * draw(st.sampled_from([0, 1, limit - len(prefix)]))


@st.composite
def questions(draw, index):
    kind = draw(st.sampled_from(["single", "multiple", "truefalse", "text", "number"]))
    q = {"id": padded(f"q-{index}", draw, ITEM_ID_MAX), "kind": kind,
         "points": float(draw(st.one_of(st.integers(1, 5), st.just(POINTS_MAX)))), "prompt": draw(SENTENCE),
         "feedback": draw(st.one_of(st.just(""), SENTENCE)), "choices": [], "truefalse": None, "accepted": (),
         "number": None, "tolerance": 0.0}
    if kind in ("single", "multiple"):
        count = draw(st.one_of(st.integers(2, 5), st.just(CHOICES_MAX)))
        texts = draw(st.lists(SENTENCE, min_size=count, max_size=count))
        if kind == "single":
            right = draw(st.integers(0, count - 1))
            flags = [i == right for i in range(count)]
        else:
            flags = draw(st.lists(st.booleans(), min_size=count, max_size=count).filter(any))
        feedbacks = draw(st.lists(st.one_of(st.just(""), SENTENCE), min_size=count, max_size=count))
        q["choices"] = list(zip(texts, flags, feedbacks, strict=True))
    elif kind == "truefalse":
        q["truefalse"] = draw(st.booleans())
    elif kind == "text":
        q["accepted"] = tuple(draw(st.lists(SENTENCE, min_size=1, max_size=3)))
    else:
        q["number"] = float(draw(st.one_of(st.integers(-1000, 1000), st.sampled_from([-NUMBER_MAX, NUMBER_MAX]))))
        q["tolerance"] = float(draw(st.one_of(st.integers(0, 10), st.just(NUMBER_MAX))))
    return q


@st.composite
def courses(draw):
    minutes = st.one_of(st.integers(0, 60), st.just(MINUTES_MAX))
    lessons = draw(st.lists(st.tuples(TITLE, SENTENCE, minutes), min_size=1, max_size=4))
    ids = [padded(f"lesson-{n}", draw, ITEM_ID_MAX) for n in range(1, len(lessons) + 1)]
    count = draw(st.integers(1, 6))
    qs = [draw(questions(i)) for i in range(count)]
    return {"title": draw(TITLE), "summary": draw(SENTENCE), "pass_mark": draw(st.integers(0, 100)),
            "version": draw(VERSION), "minutes": draw(minutes), "lesson_ids": ids,
            "lessons": lessons, "questions": qs, "max_attempts": draw(st.one_of(st.integers(0, 5), st.just(MAX_ATTEMPTS_MAX)))}


def front(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def write(course: dict, folder):
    folder.mkdir(parents=True)
    meta = front({"title": course["title"], "track": "violence-prevention", "language": "en",
                  "summary": course["summary"], "pass_mark": course["pass_mark"], "minutes": course["minutes"]})
    if course["version"] is not None:
        meta = meta.replace("\n---\n", f"\nversion: {course['version']}\n---\n", 1)
    (folder / "course.md").write_text(meta + "Overview.\n", encoding="utf-8")
    for n, (title, body, minutes) in enumerate(course["lessons"], start=1):
        (folder / f"{n:02d}-lesson-{n}.md").write_text(
            front({"title": title, "minutes": minutes, "id": course["lesson_ids"][n - 1]}) + body + "\n", encoding="utf-8")
    parts = [front({"title": "Quiz", "max_attempts": course["max_attempts"]})]
    for q in course["questions"]:
        parts.append(f"### Q {q['id']} ({int(q['points'])} points)\n{q['prompt']}\n\n")
        for text, correct, feedback in q["choices"]:
            mark = ("(x)" if correct else "( )") if q["kind"] == "single" else ("[x]" if correct else "[ ]")
            parts.append(f"{mark} {text}\n" + (f"    > {feedback}\n" if feedback else ""))
        if q["truefalse"] is not None:
            parts.append(f"truefalse: {str(q['truefalse']).lower()}\n")
        for answer in q["accepted"]:
            parts.append(f"text: {answer}\n")
        if q["number"] is not None:
            parts.append(f"number: {int(q['number'])} +- {int(q['tolerance'])}\n")
        if q["feedback"]:
            parts.append(f"\n> {q['feedback']}\n")
        parts.append("\n")
    (folder / "quiz.md").write_text("".join(parts), encoding="utf-8")


def as_written(source) -> dict:
    """The parsed course, in the shape the generator uses."""
    quiz = source.quizzes["en"][0]
    text = source.texts["en"]
    return {
        "title": text.title, "summary": text.summary, "pass_mark": source.pass_mark,
        "version": source.version or None, "minutes": source.minutes, "lesson_ids": [les.slug for les in source.lessons],
        "lessons": [(les.texts["en"].title, les.texts["en"].body.strip(), les.texts["en"].minutes) for les in source.lessons],
        "max_attempts": quiz.settings["max_attempts"],
        "questions": [
            {"id": q.id, "kind": q.kind, "points": q.points, "prompt": q.prompt, "feedback": q.feedback,
             "choices": [(c.text, c.correct, c.feedback) for c in q.choices], "truefalse": q.truefalse,
             "accepted": q.accepted, "number": q.number, "tolerance": q.tolerance}
            for q in quiz.questions
        ],
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(course=courses())
def test_export_of_import_is_the_same_course(course, runner, tmp_path):
    slug = f"generated-{next(_counter)}"
    if course["minutes"] % 2:  # now and then a course slug as long as the column holds
        slug = slug.ljust(SLUG_MAX, "x")
    source_root = tmp_path / f"src-{slug}"
    write_tracks(source_root, [slug])
    write(course, source_root / slug)

    tree, problems = load_tree(source_root, display_root=source_root)
    assert problems == []
    assert as_written(tree.courses[0]) == course
    import_tree(tree)

    out = tmp_path / f"out-{slug}"
    assert runner.invoke(args=["courses", "export", slug, str(out)]).exit_code == 0
    exported, problems = load_tree(out / slug, display_root=out)
    assert problems == []
    assert as_written(exported.courses[0]) == course
    assert exported.courses[0].source_hash == tree.courses[0].source_hash
    _, reports = import_tree(exported)
    assert reports[0].status == "unchanged"
    shutil.rmtree(source_root)
    shutil.rmtree(out)


MARKDOWN_BITS = ["*", "**", "_", "[", "]", "(", ")", "<", ">", "`", "```", "~~~", "|", "#", "!", "[^1]", "\n",
                 "\n\n", "    ", "- ", "1. ", "{hub:name}", "&amp;", "<script>", "\\", "\u0301", "ә", "😀"]
BODY = st.lists(st.one_of(st.sampled_from(MARKDOWN_BITS), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)),
                max_size=60).map("".join)


@st.composite
def seeded_courses(draw):
    """The fuzz seed with free text in a lesson body and a question's text: mostly valid,
    so the import (rendering, database) really runs on what the checker lets through."""
    from tests.unit.test_course_check_fuzz import SEED, encode

    files = dict(SEED)
    files["01-intro.md"] = files["01-intro.md"].replace("Text {hub:name}.", "Text {hub:name}.\n\n" + draw(BODY) + "\n")
    files["quiz.md"] = files["quiz.md"].replace("### Q d\nD?", "### Q d\nD? " + draw(BODY).replace("\n", " "))
    return encode(files)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(files=st.one_of(mutated(), seeded_courses()))
def test_any_mutated_course_the_checker_passes_imports(files, app, tmp_path):
    """Mutations of a full course (quiz blocks, fences, translations, pools, numbers):
    whatever the checker lets through must import, on SQLite and PostgreSQL."""
    root = tmp_path / f"fuzz-{next(_counter)}"
    write_tracks(root, ["seed"])
    (root / "tracks.yml").write_text((root / "tracks.yml").read_text().replace("violence-prevention", "eco"))
    for name, content in files.items():
        (root / "seed" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "seed" / name).write_bytes(content)
    tree, problems = load_tree(root, display_root=root)
    if problems:
        return
    import_tree(tree)
    _, reports = import_tree(tree)
    assert reports[0].status == "unchanged"
    shutil.rmtree(root)
