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

    tree, problems = load_tree(Path(path))
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
def export(slug: str, directory: str) -> None:
    """Write course SLUG to DIRECTORY/SLUG in the source format."""
    from lms.courses.exporter import export_course

    try:
        folder = export_course(slug, Path(directory))
    except LookupError:
        raise click.ClickException(f"no course '{slug}'") from None
    click.echo(f"exported {slug} to {folder}")
