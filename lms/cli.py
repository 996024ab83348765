"""Command-line tools: `flask --app wsgi users|hubs|demo|courses ...`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from lms.auth import services as accounts
from lms.domain.contacts import classify_login
from lms.domain.passwords import password_problems
from lms.domain.roles import ALL_ROLES
from lms.extensions import db
from lms.hubs.models import Hub

users_cli = AppGroup("users", help="Manage accounts.")
hubs_cli = AppGroup("hubs", help="Manage hubs.")


def _reset_url(token: str) -> str:
    # Outside a request there is no host: PUBLIC_URL (SERVER_NAME) or the local default.
    if current_app.config.get("SERVER_NAME"):
        return url_for("auth.reset_with_token", token=token, _external=True)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL", "http://127.0.0.1:5000")):
        return url_for("auth.reset_with_token", token=token, _external=True)


def _hub_by_slug(slug: str) -> Hub:
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug))
    if hub is None:
        known = ", ".join(db.session.scalars(select(Hub.slug).order_by(Hub.slug))) or "none yet"
        raise click.UsageError(f"unknown hub '{slug}' (known: {known})")
    return hub


@hubs_cli.command("create")
@click.option("--slug", required=True, help="Short Latin name, e.g. kokshetau.")
@click.option("--name", required=True, help="Display name.")
@click.option("--region", default="", help="Region the hub serves.")
def hubs_create(slug: str, name: str, region: str) -> None:
    """Create a hub."""
    if db.session.scalar(select(Hub).where(Hub.slug == slug)):
        raise click.ClickException(f"a hub '{slug}' already exists")
    db.session.add(Hub(slug=slug, name=name, region=region))
    db.session.commit()
    click.echo(f"created hub {slug}")


@hubs_cli.command("list")
def hubs_list() -> None:
    """List hubs."""
    for hub in db.session.scalars(select(Hub).order_by(Hub.slug)):
        click.echo(f"{hub.slug}\t{hub.name}\t{hub.region}")


@users_cli.command("create")
@click.option("--email", "login", required=True, help="Email (or phone number) to log in with.")
@click.option("--name", default=None, help="Full name; defaults to the part before @.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ALL_ROLES), default=("volunteer",), show_default=True)
@click.option("--hub", "hub_slug", default=None, help="Hub slug (see `hubs list`).")
@click.option("--link", is_flag=True, help="Print a one-time set-password link instead of asking for a password.")
def users_create(login: str, name: str | None, roles: tuple[str, ...], hub_slug: str | None, link: bool) -> None:
    """Create an account; asks for its password, or prints a one-time link."""
    kind = classify_login(login)
    if kind is None:
        raise click.UsageError(f"'{login}' is neither an email address nor a phone number")
    hub = _hub_by_slug(hub_slug) if hub_slug else None
    password = None
    if not link:
        if not sys.stdin.isatty():
            link = True
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            problems = password_problems(password, identifiers=(login,))
            if problems:
                raise click.ClickException("password refused: " + ", ".join(problems))
    try:
        user = accounts.create_user(
            name=name or login.split("@")[0],
            email=kind[1] if kind[0] == "email" else None,
            phone=kind[1] if kind[0] == "phone" else None,
            hub_id=hub.id if hub else None,
            roles=roles,
            password=password,
        )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"created {user.login_name} ({', '.join(sorted(user.roles))})")
    if link:
        token = accounts.create_reset_token(user, created_by=None)
        click.echo(f"set-password link (valid {current_app.config['RESET_LINK_HOURS']} h, works once):")
        click.echo(_reset_url(token))


@click.command("demo")
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords and print them.")
@click.option("--empty", is_flag=True, help="Hubs and accounts only, no demo volunteers.")
def demo(reset_passwords: bool, empty: bool) -> None:
    """Load demo hubs, one account of each role and a hub full of volunteers at every
    stage (lms/demo.py); prints the accounts' passwords once. Safe to run again."""
    from lms import demo as seeding

    hubs = seeding.ensure_hubs()
    printed = seeding.ensure_accounts(hubs, reset_passwords=reset_passwords)
    seeding.trainers_co_author_every_course()
    db.session.commit()
    click.echo(f"demo hubs: {', '.join(hubs)}")
    if printed:
        click.echo("demo accounts (passwords are shown only now):")
        for email, password, role, hub_slug in printed:
            click.echo(f"  {role:<12} {email:<30} {password}   hub: {hub_slug}")
    else:
        click.echo("demo accounts already exist; `flask --app wsgi demo --reset-passwords` prints new passwords")
    if not empty:
        click.echo(seeding.seed_hub(hubs))


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(hubs_cli)
    app.cli.add_command(demo)
    from lms.backup import backup, restore

    app.cli.add_command(backup)
    app.cli.add_command(restore)
    from lms.courses.cli import courses_cli

    app.cli.add_command(courses_cli)
