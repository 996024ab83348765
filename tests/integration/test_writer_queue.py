"""SQLite writers take turns on an OS file lock before SQLite's own (lms/transactions.py):
a waiting writer is woken when the lock is free instead of polling SQLite's with sleeps."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from lms.extensions import db
from lms.hubs.models import Hub
from lms.transactions import _writer_queue, _WriterQueue, sqlite_file_path, write_transaction
from tests.factories import make_hub


@pytest.fixture
def queue(app):
    found = _writer_queue(db.engine)
    if found is None:
        pytest.skip("SQLite file databases only")
    return found


def _take_turn(queue: _WriterQueue, took_it) -> None:
    # A forked child, as gunicorn's workers are: it holds the parent's queue object and
    # its open lock file, which already holds the lock; it must queue with a file of its own.
    queue.acquire()
    took_it.set()
    queue.release()


def test_a_writer_of_another_process_waits_for_the_lock_and_then_gets_it(queue):
    queue.acquire()  # before the fork: the child inherits this process's open lock file
    context = multiprocessing.get_context("fork")
    took_it = context.Event()
    child = context.Process(target=_take_turn, args=(queue, took_it))
    try:
        child.start()
        assert not took_it.wait(0.5), "the other process wrote while this one held the lock"
    finally:
        queue.release()
    assert took_it.wait(10), "the other process never got the lock after it was released"
    child.join(10)
    assert child.exitcode == 0


def test_a_write_transaction_inside_another_does_not_wait_for_itself(app, queue):
    hub = make_hub(name="Outer")
    with write_transaction():
        db.session.get(Hub, hub.id).name = "Outer, renamed"
        with write_transaction():
            db.session.get(Hub, hub.id).contact = "inner"
    db.session.expire_all()
    assert (db.session.get(Hub, hub.id).name, db.session.get(Hub, hub.id).contact) == ("Outer, renamed", "inner")
    with write_transaction():  # and the lock was given back: the next writer gets it
        db.session.get(Hub, hub.id).name = "Again"


def test_a_failed_write_gives_the_lock_back(app, queue):
    hub = make_hub(name="Kept")
    with pytest.raises(RuntimeError), write_transaction():
        db.session.get(Hub, hub.id).name = "Lost"
        raise RuntimeError("the service refused")
    with write_transaction():
        db.session.get(Hub, hub.id).contact = "written after the failure"
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).name == "Kept"


def test_without_a_lock_file_writers_still_write_under_sqlites_own_lock(app, monkeypatch, caplog):
    import lms.transactions as transactions

    if sqlite_file_path(db.engine) is None:
        pytest.skip("SQLite file databases only")
    monkeypatch.setattr(transactions, "_queues", {})
    real_open = os.open

    def refuse_lock_file(path, *args, **kwargs):
        if str(path).endswith("-writelock"):
            raise PermissionError("read-only folder")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(transactions.os, "open", refuse_lock_file)
    assert transactions._writer_queue(db.engine) is None
    assert "writers will not queue" in caplog.text
    hub = make_hub(name="Unqueued")
    with write_transaction():
        db.session.get(Hub, hub.id).name = "Written anyway"
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).name == "Written anyway"
