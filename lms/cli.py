"""Command-line tools: `flask --app wsgi users|hubs|demo|courses ...`."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from lms.auth import services as accounts
from lms.auth.models import User
from lms.domain.contacts import classify_login
from lms.domain.passwords import password_problems
from lms.domain.roles import ALL_ROLES
from lms.extensions import db
from lms.hubs.models import Hub

users_cli = AppGroup("users", help="Manage accounts.")
hubs_cli = AppGroup("hubs", help="Manage hubs.")

DEMO_HUBS = [
    ("kokshetau", "Kokshetau Volunteer Hub", "Akmola region"),
    ("astana", "Astana Volunteer Hub", "Astana"),
    ("almaty", "Almaty Volunteer Hub", "Almaty"),
    ("shymkent", "Shymkent Volunteer Hub", "Shymkent"),
    ("aktau", "Aktau Volunteer Hub", "Mangystau region"),
    ("semey", "Semey Volunteer Hub", "Abai region"),
]
# Example values for the placeholders courses show ({hub:helpline}, {hub:safeguarding},
# {hub:emergency}); filled only where a demo hub has none, so real settings survive a rerun.
DEMO_HUB_SETTINGS = {
    "helpline": "111 (child helpline, free, 24 hours)",
    "safeguarding": "Demo safeguarding person (example), +7 700 000 00 00, safeguarding@example.org",
    "emergency": "112 if a child is in danger now; out of hours: hub duty phone (example) +7 700 000 00 01",
}
DEMO_ACCOUNTS = [
    ("admin@demo.example.org", "Demo Admin", ("admin",), "astana"),
    ("coordinator@demo.example.org", "Demo Coordinator", ("coordinator",), "kokshetau"),
    ("trainer@demo.example.org", "Demo Trainer", ("trainer",), "kokshetau"),
    ("volunteer@demo.example.org", "Demo Volunteer", ("volunteer",), "kokshetau"),
]


def _reset_url(token: str) -> str:
    # Outside a request there is no host: SERVER_NAME or the local default.
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
def demo(reset_passwords: bool) -> None:
    """Load demo hubs and one account of each role; prints their passwords once."""
    hubs = {}
    for slug, name, region in DEMO_HUBS:
        hub = db.session.scalar(select(Hub).where(Hub.slug == slug))
        if hub is None:
            hub = Hub(slug=slug, name=name, region=region)
            db.session.add(hub)
        for key, value in DEMO_HUB_SETTINGS.items():
            if not getattr(hub, key):
                setattr(hub, key, value)
        hubs[slug] = hub
    db.session.flush()
    printed = []
    for email, name, roles, hub_slug in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, hub_id=hubs[hub_slug].id)
            user.roles = roles
            db.session.add(user)
        elif not reset_passwords:
            continue
        password = "demo-" + secrets.token_urlsafe(9)
        user.set_password(password)
        if user.id:
            user.session_version += 1  # old sessions of a demo account end
        printed.append((email, password, roles[0], hub_slug))
    db.session.flush()
    _demo_trainers_co_author_every_course()
    db.session.commit()
    click.echo(f"demo hubs: {', '.join(hubs)}")
    if printed:
        click.echo("demo accounts (passwords are shown only now):")
        for email, password, role, hub_slug in printed:
            click.echo(f"  {role:<12} {email:<30} {password}   hub: {hub_slug}")
    else:
        click.echo("demo accounts already exist; `flask --app wsgi demo --reset-passwords` prints new passwords")


def _demo_trainers_co_author_every_course() -> None:
    """So that trying the demo as a trainer shows the editor with real courses in it."""
    from lms.authoring.access import add_author
    from lms.courses.models import Course

    trainers = [db.session.scalar(select(User).where(User.email == email))
                for email, _name, roles, _hub in DEMO_ACCOUNTS if "trainer" in roles]
    for slug in db.session.scalars(select(Course.slug)):
        for trainer in trainers:
            add_author(slug, trainer)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(hubs_cli)
    app.cli.add_command(demo)
    from lms.backup import backup, restore

    app.cli.add_command(backup)
    app.cli.add_command(restore)
    from lms.courses.cli import courses_cli

    app.cli.add_command(courses_cli)
