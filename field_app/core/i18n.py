"""Locale choice: an explicit ?lang= or cookie, else the browser's preference, else Chinese;
and the one way to show a message in both languages at once."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import force_locale


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command, or work outside a request: the default
        return languages[0]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def in_both(message) -> tuple[str, str]:
    """``message`` (a lazy string) rendered in Chinese and in English, where the project
    promises both at once: the importer's faults and the command line. Needs an app context
    (outside one, Flask-Babel gives the Chinese msgid twice)."""
    with force_locale("zh"):
        zh = str(message)
    with force_locale("en"):
        en = str(message)
    return zh, en


def both(message, sep: str = " / ") -> str:
    """``message`` as "中文 / English"."""
    return sep.join(in_both(message))


def remember_locale(response):
    """Keep an explicit ?lang= choice for the following pages."""
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"] and request.cookies.get("lang") != chosen:
        response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


def init_app(app) -> None:
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale
    app.after_request(remember_locale)
