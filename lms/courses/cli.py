"""`flask --app wsgi courses check|import|export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

courses_cli = AppGroup("courses", help="Check, import and export course sources (docs/authoring.md).")


def _default_path() -> str:
    return current_app.config["COURSES_DIR"]


def _load(path: str):
    from lms.domain.course_format import load_tree

    try:
        tree, problems = load_tree(Path(path))
    except OSError as error:  # e.g. a folder that cannot be read: a message, not a traceback
        raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from None
    except Exception as error:  # the checker must never answer an author with a traceback
        current_app.logger.exception("courses check failed on %s", path)
        raise click.ClickException(f"the checker failed on this input ({type(error).__name__}); "
                                   "please report it with the files") from None
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    return tree


@courses_cli.command("check")
@click.argument("path", required=False)
def check(path: str | None) -> None:
    """Validate course sources without touching the database."""
    tree = _load(path or _default_path())
    lessons = sum(len(c.lessons) for c in tree.courses)
    questions = sum(len(q.questions) for c in tree.courses for q in c.quizzes.get(c.default_language, ()))
    click.echo(f"ok: {len(tree.tracks)} tracks, {len(tree.courses)} courses, {lessons} lessons, {questions} questions")


@courses_cli.command("import")
@click.argument("path", required=False)
@click.option("--force", is_flag=True, help="Also replace courses last published in the browser.")
def import_(path: str | None, force: bool) -> None:
    """Validate, then import in one transaction (all or nothing). Unchanged courses are not written."""
    from lms.courses.importer import import_tree

    tree = _load(path or _default_path())
    track_lines, reports = import_tree(tree, force=force)
    for line in track_lines:
        click.echo(line)
    for report in reports:
        click.echo(report.summary())


@courses_cli.command("export")
@click.argument("slug")
@click.argument("directory")
@click.option("--replace", is_flag=True,
              help="DIRECTORY/SLUG may hold files: make it exactly the course, removing files that are not in it.")
def export(slug: str, directory: str, replace: bool) -> None:
    """Write course SLUG to DIRECTORY/SLUG in the source format."""
    from lms.courses.exporter import ExportRefused, export_course

    try:
        result = export_course(slug, Path(directory), replace=replace)
    except LookupError:
        raise click.ClickException(f"no course '{slug}'") from None
    except (ExportRefused, OSError) as error:
        raise click.ClickException(str(error)) from None
    for path in result.removed:
        click.echo(f"removed {result.folder / path} (not in the course)")
    click.echo(f"exported {slug} to {result.folder}")
