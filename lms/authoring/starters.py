"""What new files and blocks start with, in the trainer's interface language, and the
snippets the editor offers to insert (question kinds, images).

The course format's keywords (`### Q`, `(x)`, `truefalse:`, `::: quiz` ...) stay as they
are in every language; only the example texts around them are translated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _

LANGUAGES = ("kk", "ru", "en")


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _single_choice(question_id: str) -> str:
    # gettext calls stay outside the f-strings: the message extractor does not look inside them.
    texts = (_("Write the question here."), _("A wrong answer"), _("Why this answer is not right."),
             _("The right answer"), _("Why this answer is right."), _("Another wrong answer"),
             _("A short explanation everyone sees after answering."))
    return ("### Q {id}\n{0}\n\n( ) {1}\n    > {2}\n(x) {3}\n    > {4}\n( ) {5}\n\n> {6}\n"
            .format(*texts, id=question_id))


def final_quiz() -> bytes:
    """quiz.md: settings learners rely on, then one question to copy."""
    title = _yaml(_("Final check"))
    return (f"---\ntitle: {title}\nmax_attempts: 3\ncooldown_hours: 24\npass_mark: 80\n---\n"
            + _single_choice("first-question")).encode()


def lesson_quiz() -> str:
    """A `::: quiz` block for the end of a lesson: a short check of that lesson."""
    return "\n::: quiz\n" + _single_choice("check-1") + ":::\n"


def lesson_hint() -> str:
    """The first paragraph of a new lesson, to write over."""
    return (_("Write the lesson here. The “How to write” help below the text shows headings, lists, pictures, "
              "boxes and quiz questions.") + "\n")


@dataclass(frozen=True)
class Snippet:
    label: str
    text: str


def question_snippets() -> list[Snippet]:
    question, statement = _("Write the question here."), _("Write a statement here.")
    right, other_right, wrong = _("A right answer"), _("Another right answer"), _("A wrong answer")
    when_right, when_wrong = _("Shown when the answer is right."), _("Shown when the answer is wrong.")
    return [
        Snippet(_("One right answer"), _single_choice("new-question")),
        Snippet(_("Several right answers"), f"### Q new-question-2\n{question}\n\n[x] {right}\n[x] {other_right}\n[ ] {wrong}\n"),
        Snippet(_("True or false"), f"### Q new-question-3\n{statement}\n\ntruefalse: true\n+ {when_right}\n- {when_wrong}\n"),
        Snippet(_("Short text answer"), f"### Q new-question-4\n{question}\n\ntext: UNICEF\ntext: ЮНИСЕФ\n"),
        Snippet(_("A number"), f"### Q new-question-5\n{question}\n\nnumber: 54\n"),
        Snippet(_("A pool: each attempt draws some questions"),
                f"## Pool scenarios (draw 2)\n\n### Q scenario-1\n{question}\n\ntruefalse: false\n"),
    ]


def image_snippet(path: str) -> str:
    alt = _("What the picture shows")
    return f"![{alt}]({path})"


def translation_name(path: str, language: str) -> str:
    """course.md -> course.ru.md, 02-topic.md -> 02-topic.ru.md."""
    return f"{path.removesuffix('.md')}.{language}.md"


def missing_languages(course_language: str, path: str, files) -> list[str]:
    """Languages a default-language file has no translation for yet."""
    return [lang for lang in LANGUAGES if lang != course_language and translation_name(path, lang) not in files]
