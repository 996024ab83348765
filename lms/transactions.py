"""Transactions that write, and SQLite's connection settings.

On SQLite a transaction that reads first and writes later cannot wait for another
writer: if that writer commits in between, SQLite fails at once with "database is
locked" (the read snapshot is stale), busy_timeout notwithstanding. Services that
write therefore run inside `write_transaction()`, which on SQLite starts with
BEGIN IMMEDIATE: it queues for the write lock up front and reads fresh data.
Read-only requests keep plain BEGIN, so readers never wait for each other.
"""

from __future__ import annotations

import os
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
    token = _immediate.set(True)
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _immediate.reset(token)


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
