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
