"""The quiz syntax, question by question."""

from __future__ import annotations

from lms.domain.course_format.problems import Collector
from lms.domain.course_format.quiz import parse_quiz

QUIZ = """
### Q single (2 points)
Which is **bullying**?

( ) A single argument
    > One argument is a conflict.
(x) Daily mocking of one pupil
    > Yes: repeated and deliberate.

> Bullying is repeated.

### Q multi
Which can be cyberbullying?

[x] Sharing a private photo
[x] A fake account
[ ] A birthday message

### Q tf
Bystanders can help.

truefalse: true
+ Right.
- Think again.

### Q name
Which agency?

text: UNICEF
text: ЮНИСЕФ

## Pool extra (draw 1)

### Q num
How many articles?

number: 54

### Q num-tol
Roughly how long?

number: 30 ± 5
"""


def parse(text, **kwargs):
    collector = Collector("quiz.md")
    quiz = parse_quiz(text, slug="final", path="quiz.md", first_line=1, collector=collector, **kwargs)
    return quiz, [str(p) for p in collector.problems]


def test_every_kind_parses_with_feedback_and_points():
    quiz, problems = parse(QUIZ)
    assert problems == []
    by_id = {q.id: q for q in quiz.questions}
    single = by_id["single"]
    assert single.kind == "single" and single.points == 2
    assert [c.correct for c in single.choices] == [False, True]
    assert single.choices[0].feedback == "One argument is a conflict."
    assert single.feedback == "Bullying is repeated."
    assert "**bullying**" in single.prompt
    assert by_id["multi"].kind == "multiple" and [c.correct for c in by_id["multi"].choices] == [True, True, False]
    assert by_id["tf"].truefalse is True and by_id["tf"].feedback_right == "Right." and by_id["tf"].feedback_wrong == "Think again."
    assert by_id["name"].accepted == ("UNICEF", "ЮНИСЕФ")
    assert by_id["num"].number == 54 and by_id["num"].tolerance == 0 and by_id["num"].pool == "extra"
    assert by_id["num-tol"].number == 30 and by_id["num-tol"].tolerance == 5
    assert [(p.id, p.draw) for p in quiz.pools] == [("extra", 1)]
    assert by_id["single"].pool is None


def test_question_text_may_contain_lists_before_answers():
    quiz, problems = parse("### Q list\nConsider:\n\n- one\n- two\n\n( ) a\n(x) b\n")
    assert problems == [] and "- one" in quiz.questions[0].prompt


def test_inline_settings_are_read_in_lesson_blocks():
    quiz, problems = parse("max_attempts: 2\nshuffle_answers: true\n\n### Q a\nQ?\n\ntruefalse: false\n", allow_inline_settings=True)
    assert problems == [] and quiz.settings == {"max_attempts": 2, "shuffle_answers": True}


def test_problems_have_lines():
    text = "intro text\n### Q Bad_Id\nx\n### Q ok\nx\n\ngarbage line\n( ) a\n(x) b\n## Pool p (draw 5)\n### Q in-pool\nx\n\ntext: y\n"
    _, problems = parse(text)
    assert "quiz.md:1: text before the first question; questions start with '### Q <id>'" in problems
    assert any(p.startswith("quiz.md:2: a question heading must be") for p in problems)
    assert any(p.startswith("quiz.md:10: pool 'p' draws 5 but has 1 questions") for p in problems)


def test_answer_lines_after_answers_must_be_known():
    _, problems = parse("### Q a\nQ?\n\n( ) a\n(x) b\nstray words\n")
    assert problems == ["quiz.md:6: unexpected line in the answers of question 'a': expected a choice, 'truefalse:', 'text:', 'number:' or feedback ('>', '+', '-')"]


def test_empty_quiz_is_reported():
    _, problems = parse("\n\n")
    assert problems == ["quiz.md:1: the quiz has no questions"]
