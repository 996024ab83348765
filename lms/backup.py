"""`flask --app wsgi backup PATH` and `restore PATH`.

SQLite: the online backup API copies a consistent snapshot while the app runs (a
plain file copy of a live WAL database can miss committed pages). PostgreSQL: pg_dump
and pg_restore in their custom format.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from lms.extensions import db
from lms.private_files import create_private


def _sqlite_path() -> str | None:
    url = make_url(db.engine.url)
    return url.database if url.get_backend_name() == "sqlite" else None


def sqlite_copy(source: str, target: str) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    sqlite3.connect(target).close()


def _pg_args() -> list[str]:
    url = make_url(db.engine.url)
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--username", url.username or "postgres"]
    return args + ["--dbname", url.database]


def _run_pg_tool(name: str, args: list[str]) -> None:
    tool = shutil.which(name)
    if tool is None:
        raise click.ClickException(f"{name} is not installed (Debian package postgresql-client)")
    env = {"PGPASSWORD": make_url(db.engine.url).password or ""}
    # An argument list, no shell: the path and URL parts cannot be read as commands.
    subprocess.run([tool, *args], check=True, env=env)  # noqa: S603


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path: str) -> None:
    """Write a consistent backup of the database to PATH (safe while the app runs).

    The file is made 0600 before anything is written to it: it holds password hashes.
    """
    create_private(path)
    sqlite = _sqlite_path()
    if sqlite:
        sqlite_copy(sqlite, path)
    else:
        _run_pg_tool("pg_dump", ["--format=custom", "--file", path, *_pg_args()])
    click.echo(f"backup written to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(path: str, yes: bool) -> None:
    """Replace the database with the backup at PATH. Stop the app servers first."""
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    sqlite = _sqlite_path()
    if sqlite:
        sqlite_copy(path, sqlite)
    else:
        _run_pg_tool("pg_restore", ["--clean", "--if-exists", "--no-owner", *_pg_args(), path])
    click.echo(f"database restored from {Path(path).name}")
