"""The hot pages' few reads, run without the ORM's per-statement machinery.

A lesson page reads three rows sets (the user, the course outline, its quizzes). Through
SQLAlchemy each one pays for connection check-out, the compiled-statement cache lookup,
result objects and the check-in's rollback: measured, more than SQLite spends running
them (see ../shared/reviews/perf-profile.md and bench/learn_bench.py). Here a statement is
still written with SQLAlchemy Core and compiled by it, once per dialect; each request then
hands the SQL string straight to the database driver, converting values with the same
bind and result processors SQLAlchemy would use.

Where the reads run:
- SQLite file databases: a connection of the worker's own (one per thread and process),
  read-only by contract, in one transaction per request (BEGIN at the first read, ROLLBACK
  when the request ends), so a page sees one snapshot.
- Every other case (PostgreSQL; a request that already has an ORM session, whose snapshot
  the read must share): the request's pooled connection from `read_connection()`, through
  its driver cursor.

Writers go through the ORM session and `write_transaction()`. The one write as hot as a
page, grading a quiz submission, runs its two statements as `CompiledWrite`s: compiled the
same way, on the connection of the caller's `write_transaction()` (one transaction, the
session's), so only SQLAlchemy's per-statement work is skipped, never the transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable

from flask import Flask, g

from lms.extensions import db
from lms.transactions import configure_sqlite_connection, read_connection, sqlite_file_path

# Called with each SQL string this module runs: tests count a page's statements with it,
# as they count the ORM's with SQLAlchemy's before_cursor_execute event.
observers: list[Callable[[str], None]] = []


class _Plan:
    """A statement compiled for one dialect, with its value converters."""

    def __init__(self, statement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("compiled statements take single values only (no IN lists)")
        self.sql = compiled.string
        self.positional = tuple(compiled.positiontup or ()) if dialect.positional else None
        self.defaults = {name: value for name, value in compiled.params.items() if value is not None}
        self.required = frozenset(name for name, bind in compiled.binds.items() if bind.required)
        self.bind_processors = {
            name: processor for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self.dialect = dialect
        self.columns = list(getattr(statement, "selected_columns", ()))  # none for a write
        self.row_type = namedtuple("Row", [column.key for column in self.columns], rename=True)
        self.result_processors: tuple | None = None  # known at the first run: some need the driver's type codes

    def _processors(self, description) -> tuple:
        # What SQLAlchemy itself does per result: each column type's converter for this
        # dialect, given the type code the driver reported (PostgreSQL's numerics need it).
        found = []
        for index, column in enumerate(self.columns):
            type_code = description[index][1] if description else None
            processor = column.type.dialect_impl(self.dialect).result_processor(self.dialect, type_code)
            if processor is not None:
                found.append((index, processor))
        return tuple(found)

    def arguments(self, values: dict):
        missing = self.required - values.keys()
        if missing:
            raise KeyError(f"missing values for {sorted(missing)}")
        merged = {**self.defaults, **values}
        for name, processor in self.bind_processors.items():
            if name in merged:
                merged[name] = processor(merged[name])
        if self.positional is None:
            return merged
        return tuple(merged[name] for name in self.positional)

    def rows(self, fetched: Iterable[tuple], description) -> list:
        if self.result_processors is None:
            self.result_processors = self._processors(description)
        make = self.row_type._make
        if not self.result_processors:
            return [make(row) for row in fetched]
        converted = []
        for row in fetched:
            values = list(row)
            for index, processor in self.result_processors:
                values[index] = processor(values[index])
            converted.append(make(values))
        return converted


class _Compiled:
    def __init__(self, statement) -> None:
        self.statement = statement
        self._plans: dict[str, _Plan] = {}

    def plan(self, dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _Plan(self.statement, dialect)
        return plan


class CompiledWrite(_Compiled):
    """A Core INSERT or UPDATE run on the driver, inside `write_transaction()`:
    `CompiledWrite(update(...)).run(db.session.connection(), id=3)` returns the row count;
    `run_many(connection, [{...}, ...])` sends one statement for many rows."""

    def run(self, connection, **values) -> int:
        plan = self._prepared(connection)
        return self._send(connection, "execute", plan.sql, plan.arguments(values))

    def run_many(self, connection, rows: list[dict]) -> int:
        plan = self._prepared(connection)
        return self._send(connection, "executemany", plan.sql, [plan.arguments(row) for row in rows])

    def _prepared(self, connection) -> _Plan:
        if not connection.in_transaction():
            raise RuntimeError("a compiled write runs inside write_transaction()")
        plan = self.plan(connection.dialect)
        for observer in observers:
            observer(plan.sql)
        return plan

    @staticmethod
    def _send(connection, method: str, sql: str, arguments) -> int:
        cursor = connection.connection.driver_connection.cursor()
        try:
            getattr(cursor, method)(sql, arguments)
            return cursor.rowcount
        finally:
            cursor.close()


class CompiledRead(_Compiled):
    """A Core SELECT to run on the hot path: `CompiledRead(select(...)).all(id=3)`."""

    def all(self, **values) -> list:
        run = _runner()
        plan = self.plan(run.dialect)
        for observer in observers:
            observer(plan.sql)
        return plan.rows(*run.execute(plan.sql, plan.arguments(values)))

    def first(self, **values):
        rows = self.all(**values)
        return rows[0] if rows else None


class _PooledRunner:
    """The request's pooled connection (PostgreSQL, or an ORM session already open)."""

    def __init__(self) -> None:
        connection = read_connection()
        self.dialect = connection.dialect
        self._driver = connection.connection.driver_connection

    def execute(self, sql: str, arguments):
        cursor = self._driver.cursor()
        try:
            cursor.execute(sql, arguments)
            return cursor.fetchall(), cursor.description
        finally:
            cursor.close()


class _SqliteRunner:
    """This worker's own read connection to the SQLite file."""

    def __init__(self, connection: sqlite3.Connection, dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    def execute(self, sql: str, arguments):
        if not g.get("lms_fast_read_open"):
            self.connection.execute("BEGIN")  # one snapshot for the whole request
            g.lms_fast_read_open = self.connection
        cursor = self.connection.execute(sql, arguments)
        return cursor.fetchall(), cursor.description


class _Local(threading.local):
    connection: sqlite3.Connection | None = None
    key: tuple | None = None


_local = _Local()


def _runner():
    if db.session.registry.has():
        return _PooledRunner()  # share the ORM session's transaction and snapshot
    engine = db.engine
    path = sqlite_file_path(engine)
    if path is None:
        return _PooledRunner()
    # A fork (gunicorn's workers after preload) or another database (tests) needs its own.
    key = (os.getpid(), path)
    if _local.key != key:
        _local.connection = _open_sqlite(path)
        _local.key = key
    return _SqliteRunner(_local.connection, engine.dialect)


def _open_sqlite(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    configure_sqlite_connection(connection)
    connection.execute("PRAGMA query_only=ON")  # this connection never writes, whatever asks
    return connection


def end_request_reads(_error=None) -> None:
    connection = g.pop("lms_fast_read_open", None)
    if connection is None:
        return
    try:
        connection.execute("ROLLBACK")
    except sqlite3.Error:
        # A broken connection is dropped; the next request opens a new one.
        _local.connection = _local.key = None


def init_app(app: Flask) -> None:
    # Both: a request inside an app context pushed by the caller (CLI, tests) ends first.
    app.teardown_request(end_request_reads)
    app.teardown_appcontext(end_request_reads)
