"""lms.fast_reads: the hot pages' reads give what SQLAlchemy gives, in one snapshot per
request, on a connection that cannot write; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select

from lms.courses.models import Quiz
from lms.extensions import db
from lms.fast_reads import CompiledRead
from lms.hubs.models import Hub
from lms.transactions import sqlite_file_path
from tests.factories import make_hub

QUIZZES = CompiledRead(
    select(Quiz.id, Quiz.slug, Quiz.titles, Quiz.removed, Quiz.settings)
    .where(Quiz.course_id == bindparam("course_id"))
    .order_by(Quiz.position)
)
HUB_NAME = CompiledRead(select(Hub.name).where(Hub.id == bindparam("id")))


def test_rows_and_values_are_those_sqlalchemy_gives(app, make_course):
    course = make_course("typed", lessons=2, ru=True)
    with app.test_request_context():
        fast = QUIZZES.all(course_id=course.id)
        db.session.remove()
    with app.app_context():
        expected = db.session.execute(QUIZZES.statement, {"course_id": course.id}).all()
    assert fast == [tuple(row) for row in expected] and fast
    assert isinstance(fast[0].titles, dict) and fast[0].titles["ru"] == "Итог"  # JSON decoded
    assert fast[0].removed is False  # a boolean, not SQLite's 0


def test_a_missing_value_is_refused_before_the_database_is_asked(app):
    with app.test_request_context(), pytest.raises(KeyError, match="course_id"):
        QUIZZES.all()


def test_a_request_reads_one_snapshot(app):
    hub = make_hub(name="Before")
    db.session.remove()
    with app.test_request_context():
        assert HUB_NAME.first(id=hub.id).name == "Before"
        # Another connection commits a change in the middle of the request...
        with app.app_context():
            db.session.get(Hub, hub.id).name = "After"
            db.session.commit()
        # ...which this request does not see, as with one transaction; the next one does.
        # (PostgreSQL's READ COMMITTED gives each statement its own snapshot, there as on
        # the ORM's path; the one-snapshot promise is SQLite's own connection's.)
        if sqlite_file_path(db.engine) is not None:
            assert HUB_NAME.first(id=hub.id).name == "Before"
    with app.test_request_context():
        assert HUB_NAME.first(id=hub.id).name == "After"


def test_reads_share_an_open_orm_session_and_see_its_unflushed_work(app):
    hub = make_hub(name="Saved")
    with app.test_request_context():
        db.session.get(Hub, hub.id).name = "Not yet committed"
        db.session.flush()
        assert HUB_NAME.first(id=hub.id).name == "Not yet committed"
        db.session.rollback()


def test_the_workers_own_sqlite_connection_cannot_write(app):
    with app.app_context():
        if sqlite_file_path(db.engine) is None:
            pytest.skip("PostgreSQL reads run on the request's pooled connection")
    hub = make_hub(name="Read only")
    db.session.remove()
    with app.test_request_context():
        HUB_NAME.first(id=hub.id)
        import sqlite3

        from flask import g

        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only|attempt to write"):
            g.lms_fast_read_open.execute("UPDATE hubs SET name = 'x'")


def test_numbers_and_times_come_back_as_sqlalchemy_gives_them(app, hub, make_course):
    """A float column (PostgreSQL reports its numeric type code) and a timestamp."""
    from lms.learning import services
    from lms.learning.models import QuizAttempt
    from tests.factories import make_user

    course = make_course("numbers", lessons=1)
    user = make_user(hub)
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    services.enrol(user, course)
    attempt = services.start_attempt(user, course, quiz, "en")
    read = CompiledRead(
        select(QuizAttempt.pass_mark, QuizAttempt.started_at, QuizAttempt.snapshot).where(QuizAttempt.id == bindparam("id"))
    )
    db.session.remove()
    with app.test_request_context():
        fast = read.first(id=attempt.id)
        db.session.remove()
    with app.app_context():
        expected = db.session.execute(read.statement, {"id": attempt.id}).first()
    assert tuple(fast) == tuple(expected)
    assert isinstance(fast.pass_mark, float) and fast.started_at.year >= 2026 and isinstance(fast.snapshot, list)


def test_a_write_ends_the_requests_read_snapshot_so_checkpoints_complete(app):
    """A read snapshot held across a commit stops SQLite's checkpoint from finishing: the
    WAL would never restart, and every later commit would run a checkpoint of its own."""
    import sqlite3

    from lms.transactions import write_transaction

    with app.app_context():
        path = sqlite_file_path(db.engine)
        if path is None:
            pytest.skip("SQLite's write-ahead log only")
    hub = make_hub(name="Read then written")
    db.session.remove()
    with app.test_request_context():
        assert HUB_NAME.first(id=hub.id).name == "Read then written"  # opens the request's snapshot
        with write_transaction():
            db.session.get(Hub, hub.id).name = "Written"
        other = sqlite3.connect(path)
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        other.close()
        assert busy == 0  # nothing in this request still reads an old snapshot
        assert HUB_NAME.first(id=hub.id).name == "Written"  # and its next read is fresh


def _answer_rows(attempt_id: int) -> list[tuple]:
    from lms.learning.models import AttemptAnswer

    return db.session.execute(select(AttemptAnswer.position, AttemptAnswer.question_id, AttemptAnswer.status,
                                     AttemptAnswer.score, AttemptAnswer.choices)
                              .where(AttemptAnswer.attempt_id == attempt_id).order_by(AttemptAnswer.position)).all()


def _open_attempt(app, hub, make_course):
    from lms.learning import services
    from tests.factories import make_user

    course = make_course("written", questions=2)
    volunteer = make_user(hub)
    services.enrol(volunteer, course)
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == "final"))
    return services.start_attempt(volunteer, course, quiz, "en")


def test_compiled_writes_store_what_sqlalchemy_would_in_the_callers_transaction(app, hub, make_course):
    """The grading statements, compiled once and sent to the driver: JSON, times, numbers
    and booleans land as the ORM reads them, and a rollback takes them back."""
    from datetime import datetime

    from lms.learning.models import QuizAttempt
    from lms.learning.services import _ANSWERS, _GRADE
    from lms.transactions import write_transaction

    attempt = _open_attempt(app, hub, make_course)
    question_id = attempt.questions[0]["question_id"]
    graded_at = datetime(2026, 11, 29, 10, 30, 5, 123456)
    values = dict(attempt_id=attempt.id, new_status="graded", new_submitted_at=graded_at,
                  new_answers=[["1"], ["Астана"]], new_results=[{"score": 1.0, "max": 1.0, "status": "correct"}],
                  new_score=1.5, new_max_score=2.0, new_percent=75.0, new_passed=False)
    answers = [{"attempt_id": attempt.id, "position": n, "question_id": question_id, "status": "correct",
                "score": 0.5, "choices": "1,2"} for n in range(2)]
    with pytest.raises(RuntimeError, match="refused later"), write_transaction():
        _GRADE.run(db.session.connection(), **values)
        raise RuntimeError("refused later in the same transaction")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == "open"  # rolled back with the transaction

    with write_transaction():
        assert _GRADE.run(db.session.connection(), **values) == 1
        assert _ANSWERS.run_many(db.session.connection(), answers) == 2
    with write_transaction():
        assert _GRADE.run(db.session.connection(), **values) == 0  # claimed already: matches no row
    db.session.expire_all()
    stored = db.session.get(QuizAttempt, attempt.id)
    assert (stored.status, stored.submitted_at, stored.answers, stored.results, stored.score, stored.percent,
            stored.passed) == ("graded", graded_at, [["1"], ["Астана"]], values["new_results"], 1.5, 75.0, False)
    assert _answer_rows(attempt.id) == [(0, question_id, "correct", 0.5, "1,2"), (1, question_id, "correct", 0.5, "1,2")]


def test_a_compiled_write_outside_a_write_transaction_is_refused(app, hub, make_course):
    from lms.learning.services import _GRADE

    attempt = _open_attempt(app, hub, make_course)
    db.session.commit()
    with app.test_request_context(), db.engine.connect() as connection, pytest.raises(RuntimeError):
        _GRADE.run(connection, attempt_id=attempt.id, new_status="graded")
