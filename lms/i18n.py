"""Language choice: saved preference, then ?lang= kept in the session, then the
browser's Accept-Language, then the site default."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

from lms.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations"
    app.jinja_env.globals["current_locale"] = current_locale


def current_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
