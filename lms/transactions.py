"""Transactions that write, and SQLite's connection settings.

On SQLite a transaction that reads first and writes later cannot wait for another
writer: if that writer commits in between, SQLite fails at once with "database is
locked" (the read snapshot is stale), busy_timeout notwithstanding. Services that
write therefore run inside `write_transaction()`, which on SQLite starts with
BEGIN IMMEDIATE: it queues for the write lock up front and reads fresh data.
Read-only requests keep plain BEGIN, so readers never wait for each other.

Those writers first queue on an OS file lock beside the database (`_WriterQueue`). A
writer finding SQLite's lock taken would otherwise poll it, sleeping 1, 2, 5, 10, 25 ms
and longer between tries; the kernel wakes a queued writer the moment the lock is free.
Quiz submissions under load (bench/learn_bench.py): p99 54-57 ms -> 35-36 ms, and 8 %
more of them per second.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g
from sqlalchemy import event

from lms.extensions import db

_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


def init_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below emit BEGIN, instead of pysqlite.
        dbapi_connection.isolation_level = None
        configure_sqlite_connection(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight to the driver: every request begins a transaction, and SQLAlchemy's
        # statement machinery costs more than the BEGIN itself.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def configure_sqlite_connection(dbapi_connection) -> None:
    """Settings every SQLite connection of the app gets (the pool's and lms.fast_reads')."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only: "Дана" would not match "дана". Searches
    # use lower() on both sides, so make it fold every script, as PostgreSQL's does.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


@contextmanager
def write_transaction():
    """Run the block as one write transaction: committed at the end, rolled back on error."""
    if db.session().in_transaction():
        db.session.commit()  # end the request's read transaction first
    # And the request's own SQLite read snapshot (lms.fast_reads), if it has one: a reader
    # held open across this commit stops SQLite's checkpoint from ever completing, so the
    # WAL file would never restart and every commit would run (and sync) a checkpoint.
    from lms.fast_reads import end_request_reads  # imports this module

    end_request_reads()
    queue = _writer_queue(db.engine)
    if queue is not None:
        queue.acquire()
    token = _immediate.set(True)
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _immediate.reset(token)
        if queue is not None:
            queue.release()


class _WriterQueue:
    """Writers to one SQLite file, in turn: an exclusive flock() on `<database>-writelock`.

    The file is opened for each turn and closed after it (a few microseconds; nothing stays
    open for a database no longer used, as in the tests). Threads of a process take turns
    on a lock of their own first, since flock() does not tell them apart. A child forked
    during a turn starts afresh (`_start_afresh_after_fork`): it would otherwise share its
    parent's open file, and its lock. The kernel releases the lock when its process dies,
    killed or not. A writer that does not queue here (an ORM commit outside
    write_transaction) still meets SQLite's own lock as before: the queue only orders
    those who use it.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.reset()

    def reset(self, *, inherited: bool = False) -> None:
        if inherited and self.descriptor is not None:
            # Closed, never unlocked: flock(LOCK_UN) here would free the parent's lock, while
            # closing only stops this process from keeping it alive after the parent lets go.
            os.close(self.descriptor)
        self.threads = threading.RLock()
        self.depth = threading.local()
        self.descriptor: int | None = None

    def acquire(self) -> None:
        self.threads.acquire()
        depth = getattr(self.depth, "value", 0)
        self.depth.value = depth + 1
        if depth:
            return  # a write transaction inside another: the lock is already this thread's
        try:
            self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self.descriptor, fcntl.LOCK_EX)
        except BaseException:
            if self.descriptor is not None:
                os.close(self.descriptor)
                self.descriptor = None
            self.depth.value = depth
            self.threads.release()
            raise

    def release(self) -> None:
        self.depth.value -= 1
        try:
            if not self.depth.value:
                descriptor, self.descriptor = self.descriptor, None
                os.close(descriptor)  # and with it the lock
        finally:
            self.threads.release()


_queues: dict[str, _WriterQueue | None] = {}
_queues_lock = threading.Lock()


def _start_afresh_after_fork() -> None:
    global _queues_lock
    _queues_lock = threading.Lock()
    for queue in _queues.values():
        if queue is not None:
            queue.reset(inherited=True)


os.register_at_fork(after_in_child=_start_afresh_after_fork)


def _writer_queue(engine) -> _WriterQueue | None:
    """The queue of the engine's SQLite file; None for other databases, or when the
    lock file cannot be made (a read-only folder: SQLite's own locking still holds)."""
    path = sqlite_file_path(engine)
    if path is None:
        return None
    with _queues_lock:
        if path not in _queues:
            lock_path = path + "-writelock"
            try:
                os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600))
            except OSError as error:
                logging.getLogger(__name__).warning("writers will not queue: cannot open %s (%s)", lock_path, error)
                _queues[path] = None
            else:
                _queues[path] = _WriterQueue(lock_path)
        return _queues[path]


def sqlite_file_path(engine) -> str | None:
    """The database file's absolute path, when the engine is SQLite on a plain file."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.query or not url.database or url.database == ":memory:":
        return None
    return os.path.abspath(url.database)


def read_connection():
    """The request's connection for reading, in one transaction (one snapshot).

    When the request already has an ORM session, its transaction. Otherwise a plain
    connection, kept in `g` and closed when the request ends: a page that only reads
    (the lesson page) skips building and tearing down a session.
    """
    if db.session.registry.has():
        return db.session.connection()
    connection = g.get("lms_read_connection")
    if connection is None:
        connection = db.engine.connect()
        connection.begin()
        g.lms_read_connection = connection
    return connection


def close_read_connection(_error=None) -> None:
    connection = g.pop("lms_read_connection", None)
    if connection is not None:
        connection.close()
