"""Quizzes on cheap phones: blank and half-answered submissions, attempt counts, the
countdown's starting point and true/false answers shown as words."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.learning import services
from lms.learning.models import AttemptAnswer, QuizAttempt
from tests.conftest import login
from tests.factories import make_user
from tests.functional.test_learning import start
from tests.learning_helpers import correct_form, wrong_form


def stored(attempt_id: int) -> QuizAttempt:
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def test_blank_submission_is_not_graded_and_uses_no_attempt(client, hub, make_course):
    course = make_course(questions=5, quiz_settings="max_attempts: 1\n")
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    attempt = start(client, course)
    for form in ({}, {"submit_unanswered": "1"}, {"q3": "   ", "q4": "  "}, {"q0": "99"}):
        response = client.post(f"/attempts/{attempt.id}", data=form)
        assert response.status_code == 200, form  # the questions again, not a result
        assert "You have not answered any question" in response.get_data(as_text=True)
        assert stored(attempt.id).status == "open", form
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
    quiz_page = client.get(f"/courses/{course.slug}/quizzes/final").get_data(as_text=True)
    assert "Continue your attempt" in quiz_page and "used all your attempts" not in quiz_page
    client.post(f"/attempts/{attempt.id}", data=correct_form(attempt))
    assert stored(attempt.id).passed  # the one allowed attempt was still there


def test_service_refuses_to_grade_a_blank_form_whoever_calls_it(app, hub, make_course):
    course = make_course(questions=3)
    volunteer = make_user(hub)
    services.enrol(volunteer, course)
    attempt = services.start_attempt(volunteer, course, _final(course), "en")
    outcome = services.submit_attempt(volunteer, attempt.id, MultiDict(), submit_unanswered=True)
    assert outcome.blank and not outcome.graded_now and outcome.held_back
    assert stored(attempt.id).status == "open" and stored(attempt.id).submitted_at is None


def _final(course):
    from lms.courses.models import Quiz

    return db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == "final"))


def test_unanswered_questions_warn_keep_the_choices_and_grade_only_when_confirmed(client, hub, make_course):
    course = make_course(questions=5)
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    attempt = start(client, course)
    answered = {"q0": correct_form(attempt)["q0"], "q3": "UNICEF"}
    response = client.post(f"/attempts/{attempt.id}", data=answered)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "3 questions have no answer" in page
    for number in (2, 3, 5):
        assert f'href="#question-{number}"' in page
    assert 'href="#question-1"' not in page and 'href="#question-4"' not in page
    assert re.search(rf'name="q0" value="{answered["q0"]}" checked', page)  # nothing chosen is lost
    assert 'value="UNICEF"' in page and 'name="submit_unanswered" value="1"' in page
    assert stored(attempt.id).status == "open"

    response = client.post(f"/attempts/{attempt.id}", data={**answered, "submit_unanswered": "1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/result")
    graded = stored(attempt.id)
    assert graded.status == "graded" and [r["status"] for r in graded.results].count("blank") == 3


def test_fully_answered_submission_is_graded_at_once(client, hub, make_course):
    course = make_course(questions=5)
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    attempt = start(client, course)
    assert client.post(f"/attempts/{attempt.id}", data=wrong_form(attempt)).status_code == 303
    assert stored(attempt.id).status == "graded" and not stored(attempt.id).passed


def test_late_blank_submission_is_closed_as_late_as_before(client, hub, make_course):
    from datetime import timedelta

    course = make_course(quiz_settings="time_limit_minutes: 10\n")
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    attempt = start(client, course)
    attempt.deadline_at -= timedelta(minutes=15)
    db.session.commit()
    response = client.post(f"/attempts/{attempt.id}", data={}, follow_redirects=True)
    assert "time limit had passed" in response.get_data(as_text=True)
    assert stored(attempt.id).status == "expired"


def test_attempt_count_on_the_quiz_attempt_and_result_pages(client, hub, make_course):
    course = make_course(questions=2, quiz_settings="max_attempts: 3\ncooldown_hours: 24\n")
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    quiz_url = f"/courses/{course.slug}/quizzes/final"
    assert "Attempt 1 of 3 · 2 left" in client.get(quiz_url).get_data(as_text=True)
    first = start(client, course)
    assert "Attempt 1 of 3 · 2 left" in client.get(f"/attempts/{first.id}").get_data(as_text=True)
    client.post(f"/attempts/{first.id}", data=wrong_form(first))
    assert "You have 2 attempts left." in client.get(f"/attempts/{first.id}/result").get_data(as_text=True)
    assert "Attempt 2 of 3 · 1 left" in client.get(quiz_url).get_data(as_text=True)
    second = start(client, course)
    assert "Attempt 2 of 3 · 1 left" in client.get(f"/attempts/{second.id}").get_data(as_text=True)
    client.post(f"/attempts/{second.id}", data=wrong_form(second))
    third = start(client, course)
    assert "Attempt 3 of 3 · 0 left" in client.get(f"/attempts/{third.id}").get_data(as_text=True)
    client.post(f"/attempts/{third.id}", data=wrong_form(third))
    page = client.get(quiz_url).get_data(as_text=True)
    assert "You can try again from" in page and "Attempt 4" not in page


def test_attempt_count_is_in_russian_with_its_plural(client, hub, make_course):
    course = make_course(questions=2, quiz_settings="max_attempts: 3\n")
    login(client, make_user(hub))
    client.post("/language", data={"lang": "ru", "next": "/dashboard"})
    client.post(f"/courses/{course.slug}/enrol")
    page = client.get(f"/courses/{course.slug}/quizzes/final").get_data(as_text=True)
    assert "Попытка 1 из 3 · осталось 2" in page


def test_timed_attempt_page_gives_the_countdown_its_seconds(client, hub, make_course):
    course = make_course(questions=2, quiz_settings="time_limit_minutes: 10\n")
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    attempt = start(client, course)
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    seconds = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 590 <= seconds <= 600
    assert re.search(r'<script src="/assets/js/quiz\.[0-9a-f]{10}\.js" defer>', page)
    untimed = make_course(slug="untimed", questions=2)
    client.post(f"/courses/{untimed.slug}/enrol")
    plain = start(client, untimed)
    assert "data-seconds-left" not in client.get(f"/attempts/{plain.id}").get_data(as_text=True)


def test_true_false_answer_is_shown_as_a_word_in_the_learners_language(client, hub, make_course):
    course = make_course(questions=2)  # question 2 is true/false
    login(client, make_user(hub))
    client.post(f"/courses/{course.slug}/enrol")
    attempt = start(client, course)
    index = next(i for i, q in enumerate(attempt.questions) if q["kind"] == "truefalse")
    form = wrong_form(attempt)
    form[f"q{index}"] = "false"
    client.post(f"/attempts/{attempt.id}", data=form)
    from flask_babel import force_locale, gettext

    for language in ("en", "ru", "kk"):
        with force_locale(language):
            word = gettext("False")
        assert language == "en" or word != "False"
        client.post("/language", data={"lang": language, "next": "/dashboard"})
        page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
        main = page[page.index('<main'):]
        assert re.search(rf":\s*{word}</p>", main), language
        assert not re.search(r"(?<![\w-])(true|false)(?![\w-])", re.sub(r"<[^>]+>", " ", main)), language
