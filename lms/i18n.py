"""Language choice: saved preference, then ?lang= kept in the session, then the
browser's Accept-Language, then the site default."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel import Locale
from flask import current_app, g, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from lms.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") if request.query_string else None  # most pages have no query to parse
    if asked in languages:
        session["lang"] = asked
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


# Each language named in itself, as the switcher and the "shown in ..." notes say it.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


_LOCALES: dict[str, Locale] = {}


def _selected_locale() -> Locale:
    # Flask-Babel parses the selector's answer on every request, and parsing a Locale
    # touches the disk; the few codes we answer with are parsed once per process.
    code = select_locale()
    locale = _LOCALES.get(code)
    if locale is None:
        locale = _LOCALES[code] = Locale.parse(code)
    return locale


def _request_locale() -> Locale | None:
    """The locale Flask-Babel chose for this request. It keeps its choice on `g`; reading
    it there skips three context lookups per call (a page asks a dozen times). Falls back
    to Flask-Babel's own lookup whenever the choice is not made yet (or not kept there)."""
    try:
        return g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):
        return get_locale()


def _translations():
    """The request's catalogue. Flask-Babel looks it up anew for every string (domain,
    locale, cache key); the request keeps the one it found, for as long as the locale
    stays the same (force_locale and refresh change it)."""
    locale = _request_locale()
    try:
        found = g.lms_translations
    except AttributeError:
        found = None
    except RuntimeError:  # no app context: Flask-Babel answers with its null catalogue
        return get_translations()
    if found is None or found[0] is not locale:
        found = g.lms_translations = (locale, get_translations())
    return found[1]


@pass_eval_context
def _template_gettext(eval_ctx, string: str, /, **variables) -> str:
    """`_()` and `gettext()` in templates: what Jinja's newstyle gettext does (marked safe
    when autoescaping, values escaped into %(name)s), minus its two extra layers of
    context calls for each string."""
    translated = _translations().ugettext(string)
    if eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704  (catalogue text is trusted, as in Jinja's own gettext)
    # Without a "%" the formatting cannot change the text: skip it.
    return translated % variables if variables or "%" in translated else translated


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile each .po whose .mo is missing or older, so no install is English-only by accident.

    Runs at app start (once in gunicorn's master with preload). Written aside and renamed
    into place: a worker reading at that moment sees the old file or the new, never half.
    Returns the catalogues compiled.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
            tmp = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
            with tmp.open("wb") as handle:
                write_mo(handle, catalog)
            os.replace(tmp, mo_path)
        except OSError as error:  # a read-only install: say so instead of failing to start
            logging.getLogger("lms").warning("cannot compile %s: %s", po_path, error)
            continue
        compiled.append(mo_path)
    return compiled


def init_app(app) -> None:
    compile_catalogues(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=_selected_locale, default_translation_directories="translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations"
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update({"_": _template_gettext, "gettext": _template_gettext})
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["language_name"] = language_name


def current_locale() -> str:
    locale = _request_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if locale.territory or locale.script or locale.variant:
        return str(locale)
    return locale.language  # what str() gives for a bare language, without building it each time
