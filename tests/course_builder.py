"""Writing small course trees to disk for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

TRACKS_YML = """tracks:
  - slug: violence-prevention
    title: {en: Prevention of violence and bullying, ru: Профилактика буллинга}
    summary: Test track.
    certification:
      courses: [%(courses)s]
      refresher: [%(refresher)s]
      valid_months: 24
      issuance: %(issuance)s
      allows: {en: BeKind lessons}
"""


def write_tracks(root: Path, courses: list[str], *, issuance: str = "review", refresher: list[str] | None = None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tracks.yml").write_text(
        TRACKS_YML % {"courses": ", ".join(courses), "issuance": issuance, "refresher": ", ".join(refresher or [])},
        encoding="utf-8",
    )


def quiz_text(questions: int, start: int = 1) -> str:
    kinds = [
        "( ) Wrong\n    > Not this one.\n(x) Right\n    > Yes.\n",
        "[x] First\n[ ] Second\n[x] Third\n",
        "truefalse: true\n+ Correct.\n- No.\n",
        "text: UNICEF\ntext: ЮНИСЕФ\n",
        "number: 54 +- 1\n",
    ]
    parts = []
    for n in range(start, start + questions):
        parts.append(f"### Q question-{n}\nQuestion number {n}?\n\n{kinds[n % len(kinds)]}\n> Because it is so.\n")
    return "\n".join(parts)


def write_course(root: Path, slug: str, *, lessons: int = 3, questions: int = 5, lesson_quiz_questions: int = 0,
                 body: str = "Some **text** for the lesson.\n", ru: bool = False,
                 quiz_settings: str = "max_attempts: 3\n") -> Path:
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.md").write_text(
        f"---\ntitle: Course {slug}\ntrack: violence-prevention\nlanguage: en\nversion: '1'\n"
        f"summary: About {slug}.\nminutes: {lessons * 10}\npass_mark: 80\n---\nOverview of {slug}.\n",
        encoding="utf-8",
    )
    for n in range(1, lessons + 1):
        inline = ""
        if lesson_quiz_questions:
            inline = "\n::: quiz\n" + quiz_text(lesson_quiz_questions, start=n * 100) + ":::\n"
        (folder / f"{n:02d}-lesson-{n}.md").write_text(
            f"---\ntitle: Lesson {n}\nminutes: 10\n---\n## Part {n}\n\n{body}{inline}", encoding="utf-8"
        )
        if ru:
            (folder / f"{n:02d}-lesson-{n}.ru.md").write_text(
                f"---\ntitle: Урок {n}\nminutes: 10\n---\nТекст урока {n}.\n", encoding="utf-8"
            )
    if questions:
        (folder / "quiz.md").write_text(f"---\ntitle: Final check\n{quiz_settings}---\n{quiz_text(questions)}", encoding="utf-8")
        if ru:
            (folder / "quiz.ru.md").write_text(f"---\ntitle: Итог\n---\n{quiz_text(questions)}", encoding="utf-8")
    if ru:
        (folder / "course.ru.md").write_text(f"---\ntitle: Курс {slug}\nsummary: О курсе.\n---\nОбзор.\n", encoding="utf-8")
    return folder
