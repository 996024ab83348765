"""Questions as attempts showed them (lms.learning.frozen_questions): stored once however
many attempts draw them, never changed by a later edit, and carried over by the migration."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, func, select, text
from werkzeug.datastructures import MultiDict

from lms.courses.importer import import_tree
from lms.courses.models import Quiz
from lms.domain.course_format import load_tree
from lms.extensions import db
from lms.learning import services
from lms.learning.frozen_questions import digest_of, freeze
from lms.learning.models import FrozenQuestion, QuizAttempt
from lms.learning.review import build_review
from tests.factories import make_user
from tests.learning_helpers import correct_form
from tests.migrations_helpers import flask_db


def _start(user, course):
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    services.enrol(user, course)
    return services.start_attempt(user, course, quiz, "en")


def _frozen_count() -> int:
    return db.session.scalar(select(func.count()).select_from(FrozenQuestion))


def test_attempts_share_each_question_text_and_keep_only_digests_and_orders(app, hub, make_course):
    course = make_course("shared-texts", questions=5)
    attempts = [_start(make_user(hub), course) for _ in range(3)]
    assert _frozen_count() == 5  # three attempts, five questions, five texts

    stored = db.session.execute(select(QuizAttempt.snapshot).where(QuizAttempt.id == attempts[0].id)).scalar_one()
    assert all(set(entry) == {"frozen", "order"} for entry in stored)
    assert len(json.dumps(stored)) < 100 * len(stored)  # about a digest and an order each
    shown = attempts[0].questions
    assert [q["slug"] for q in shown] and all({"kind", "points", "content", "feedback", "key", "order"} <= set(q) for q in shown)


def test_a_later_edit_changes_new_attempts_and_leaves_past_ones_as_shown(app, hub, make_course, tmp_path):
    course = make_course("edited", questions=3)
    first = make_user(hub)
    past = _start(first, course)
    outcome = services.submit_attempt(first, past.id, MultiDict(correct_form(past)))
    assert outcome.passed

    source = tmp_path / "courses-edited"
    quiz_file = source / "edited" / "quiz.md"
    quiz_file.write_text(quiz_file.read_text(encoding="utf-8").replace("Question number 2?", "Reworded second question?"),
                         encoding="utf-8")
    tree, problems = load_tree(source, display_root=source)
    assert problems == []
    import_tree(tree)

    db.session.expire_all()
    past = db.session.get(QuizAttempt, past.id)
    with app.test_request_context():  # the review's labels are translated
        review = build_review(past, reveal=True, hub=None)
    prompts = " ".join(item["prompt_html"] for item in review)
    assert "Question number 2?" in prompts and "Reworded" not in prompts
    fresh = _start(make_user(hub), course)
    assert "Reworded second question?" in " ".join(q["content"]["en"]["prompt_html"] for q in fresh.questions)
    assert _frozen_count() == 4  # only the reworded question added a text


def test_freezing_texts_already_stored_adds_nothing_and_fails_nothing(app, hub, make_course):
    course = make_course("twice", questions=2)
    attempt = _start(make_user(hub), course)
    shown = attempt.questions
    assert freeze(shown) == attempt.snapshot
    # A text another worker stored after this one looked: the insert is skipped, not an error.
    from lms.learning.frozen_questions import _insert_once

    body = {name: value for name, value in shown[0].items() if name != "order"}
    db.session.execute(_insert_once(), [{"digest": digest_of(body), "body": body}])
    db.session.commit()
    assert _frozen_count() == 2


def test_the_migration_turns_full_copies_into_digests_and_back(fresh_db_url):
    """Attempts made before 0019 held a full copy of each question; after it, the same
    questions come back from the shared texts, and a downgrade restores the copies."""
    from lms.auth.models import User
    from lms.courses.models import Course, Track

    assert flask_db(fresh_db_url, "upgrade", "0018").returncode == 0
    question = {"question_id": None, "slug": "q1", "kind": "truefalse", "points": 1.0,
                "content": {"en": {"prompt_html": "<p>Old?</p>", "choices": []}},
                "feedback": {"en": {"general": "", "right": "", "wrong": "", "choices": []}},
                "key": {"truefalse": True}}
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        track = conn.execute(Track.__table__.insert().values(slug="t", title={"en": "T"}, summary={"en": ""}, rule={})).inserted_primary_key[0]
        course = conn.execute(Course.__table__.insert().values(slug="c", track_id=track, default_language="en", languages="en",
                                                               source_hash="x")).inserted_primary_key[0]
        quiz = conn.execute(Quiz.__table__.insert().values(course_id=course, slug="final", settings={}, titles={}, pools={})).inserted_primary_key[0]
        user = conn.execute(User.__table__.insert().values(name="Old learner", email="old@example.kz")).inserted_primary_key[0]
        old = [dict(question, order=[]), dict(question, order=[]), dict(question, slug="q2", order=[])]
        for _ in range(2):
            conn.execute(QuizAttempt.__table__.insert().values(user_id=user, quiz_id=quiz, course_revision=1, language="en",
                                                               pass_mark=80.0, snapshot=old, status="graded"))
    result = flask_db(fresh_db_url, "upgrade")
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT snapshot FROM quiz_attempts ORDER BY id"))]
        bodies = dict(conn.execute(text("SELECT digest, body FROM frozen_questions")).all())
    stored = [json.loads(s) if isinstance(s, str) else s for s in stored]
    assert len(bodies) == 2  # q1 twice in each of two attempts, q2 once: two texts
    for entries in stored:
        expanded = [dict(json.loads(bodies[e["frozen"]]) if isinstance(bodies[e["frozen"]], str) else bodies[e["frozen"]],
                         order=e["order"]) for e in entries]
        assert expanded == old

    assert flask_db(fresh_db_url, "downgrade", "0018").returncode == 0
    with engine.connect() as conn:
        restored = [row[0] for row in conn.execute(text("SELECT snapshot FROM quiz_attempts ORDER BY id"))]
    assert [json.loads(s) if isinstance(s, str) else s for s in restored] == [old, old]
    engine.dispose()
