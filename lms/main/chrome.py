"""The site header and footer, rendered once per language (and menu shape) and reused.

The header is on every page and costs as much as a small page to render (a dozen
translations and links). Its only per-request parts are the CSRF token and the
current path, which are filled into reserved slots. The footer has none.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.domain.roles import ADMIN, COORDINATOR, TRAINER

CSRF_SLOT = "\x00csrf\x00"
NEXT_SLOT = "\x00next\x00"
BELL_SLOT = "\x00bell\x00"  # the unread count (lms.notices.bell): per user, so filled per request


class Menu(NamedTuple):
    locale: str
    authenticated: bool
    learners: bool
    hub: bool
    admin: bool
    authoring: bool


def _menu(locale: str) -> Menu:
    if not current_user.is_authenticated:
        return Menu(locale, False, False, False, False, False)
    roles = current_user.roles if current_user.is_active else frozenset()
    return Menu(locale, True, bool(roles & {TRAINER, COORDINATOR, ADMIN}), bool(roles & {COORDINATOR, ADMIN}),
                ADMIN in roles, bool(roles & {TRAINER, ADMIN}))


def page_shape(locale: str) -> tuple:
    """Everything the header and footer of a page show, for lms.main.page_cache keys:
    the menu, where the site is mounted, the page's own address (the menu marks its
    section; the language switch returns to it) and the bell's number."""
    from lms.notices.bell import current_unread

    here = request.full_path if request.query_string else request.path
    return _menu(locale), request.script_root, here, current_unread()


def site_header(locale: str) -> Markup:
    cache = current_app.extensions.setdefault("lms_header_cache", {})
    menu = _menu(locale)
    html = cache.get(menu)
    if html is None:
        html = render_template("_header.html", menu=menu, csrf_slot=CSRF_SLOT, next_slot=NEXT_SLOT, bell_slot=BELL_SLOT)
        cache[menu] = html
    here = request.full_path if request.query_string else request.path
    # The cached header is our own rendered template; both values put into it are escaped.
    filled = html.replace(CSRF_SLOT, str(escape(generate_csrf()))).replace(NEXT_SLOT, str(escape(here)))
    filled = mark_section(filled, request.path, _sections(html))
    if menu.authenticated:
        from lms.notices.bell import badge

        filled = filled.replace(BELL_SLOT, str(badge()))
    return Markup(filled)  # noqa: S704


_SECTION = re.compile(r' data-section="([^"]*)"')


@lru_cache(maxsize=64)
def _sections(html: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The menu links' data-section attributes and the path prefixes each names (per cached header)."""
    return tuple((match.group(0), tuple(match.group(1).split())) for match in _SECTION.finditer(html))


def mark_section(html: str, path: str, sections) -> str:
    """aria-current="page" on the menu link whose section the page belongs to (the longest
    matching path prefix wins, so /reports/national is Admin's, not My hub's)."""
    best, length = None, 0
    for attribute, prefixes in sections:
        for prefix in prefixes:
            if len(prefix) > length and (path == prefix or path.startswith(prefix + "/")):
                best, length = attribute, len(prefix)
    for attribute, _prefixes in sections:
        html = html.replace(attribute, ' aria-current="page"' if attribute == best else "", 1)
    return html


def site_footer(locale: str) -> Markup:
    cache = current_app.extensions.setdefault("lms_footer_cache", {})
    html = cache.get(locale)
    if html is None:
        html = cache[locale] = Markup(render_template("_footer.html"))  # noqa: S704  (our own template)
    return html


def init_app(app) -> None:
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.globals["site_footer"] = site_footer
