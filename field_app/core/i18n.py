"""Locale choice: an explicit ?lang= or cookie, else the browser's preference, else Chinese."""
from __future__ import annotations

from flask import current_app, request


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


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
