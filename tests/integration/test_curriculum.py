"""The shipped curriculum in courses/: complete, consistent, and passable from its own sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.courses.importer import import_tree
from lms.courses.models import Course
from lms.domain.course_format import load_tree
from lms.extensions import db
from lms.learning.models import Enrolment, QuizAttempt
from tests.conftest import login
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
KINDS = {"single", "multiple", "truefalse", "text", "number"}
PHONE_LIKE = re.compile(r"(?<![\d-])(\+?\d[\d\s()-]{6,}\d)(?![\d-])")


@pytest.fixture(scope="module")
def tree():
    loaded, problems = load_tree(ROOT / "courses", display_root=ROOT)
    assert problems == []
    return loaded


def test_six_tracks_each_requiring_its_course_and_safeguarding(tree):
    assert len(tree.tracks) == 6
    for track in tree.tracks:
        assert "safeguarding" in track.courses and len(track.courses) == 2
        assert track.valid_months == 24 and track.allows.get("en")


def test_every_course_has_substance(tree):
    assert {c.slug for c in tree.courses} == {
        "bekind", "leading-as-volunteer", "plastic-free", "rights-in-practice", "safeguarding", "unicef-mission", "wellbeing",
    }
    for course in tree.courses:
        assert len(course.lessons) >= 4, course.slug
        for lesson in course.lessons:
            words = len(re.findall(r"\w+", lesson.texts[course.default_language].body))
            assert words >= 350, (course.slug, lesson.slug, words)
        questions = [q for quiz in course.quizzes[course.default_language] for q in quiz.questions]
        assert 10 <= len(questions) <= 15, course.slug
        assert {q.kind for q in questions} == KINDS, course.slug
        for q in questions:
            assert q.feedback or q.feedback_right or q.feedback_wrong or any(c.feedback for c in q.choices), (course.slug, q.id)


def test_required_translations_exist_with_the_same_lessons_and_questions(tree):
    by_slug = {c.slug: c for c in tree.courses}
    assert set(by_slug["safeguarding"].languages) >= {"en", "ru"}
    assert set(by_slug["bekind"].languages) >= {"en", "ru", "kk"}
    for course in tree.courses:
        original = [q.id for quiz in course.quizzes[course.default_language] for q in quiz.questions]
        for language in course.languages:
            assert all(language in lesson.texts for lesson in course.lessons), (course.slug, language)
            assert [q.id for quiz in course.quizzes[language] for q in quiz.questions] == original


def test_no_phone_numbers_or_web_addresses_written_into_courses(tree):
    for course in tree.courses:
        for name, content in course.files.items():
            if not name.endswith(".md"):
                continue
            text = content.decode("utf-8")
            phones = [m for m in PHONE_LIKE.findall(text) if len(re.sub(r"\D", "", m)) >= 9]
            assert phones == [], (course.slug, name, phones)
            assert "http://" not in text and "https://" not in text, (course.slug, name)


def answers_from_source(attempt, source_questions) -> dict:
    """Answer each drawn question from the course's Markdown source, not from the database."""
    form = {}
    for index, drawn in enumerate(attempt.snapshot):
        question = source_questions[drawn["slug"]]
        name = f"q{index}"
        if question.kind in ("single", "multiple"):
            shown = [str(pos) for pos, original in enumerate(drawn["order"]) if question.choices[original].correct]
            form[name] = shown if question.kind == "multiple" else shown[0]
        elif question.kind == "truefalse":
            form[name] = "true" if question.truefalse else "false"
        elif question.kind == "text":
            form[name] = question.accepted[0]
        else:
            form[name] = f"{question.number:g}"
    return form


def test_every_shipped_course_can_be_completed_and_passed(app, tree, hub):
    import_tree(tree)
    client = app.test_client()
    login(client, make_user(hub))
    for source in tree.courses:
        course = db.session.scalar(select(Course).where(Course.slug == source.slug))
        client.post(f"/courses/{course.slug}/enrol")
        for lesson in source.lessons:
            assert client.get(f"/courses/{course.slug}/lessons/{lesson.slug}").status_code == 200
            client.post(f"/courses/{course.slug}/lessons/{lesson.slug}/done")
        for quiz in source.quizzes[source.default_language]:
            response = client.post(f"/courses/{course.slug}/quizzes/{quiz.slug}/start")
            attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
            client.post(f"/attempts/{attempt.id}", data=answers_from_source(attempt, {q.id: q for q in quiz.questions}))
            db.session.expire_all()
            assert db.session.get(QuizAttempt, attempt.id).percent == 100.0, (course.slug, quiz.slug)
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id))
        assert enrolment.passed_at is not None, course.slug
