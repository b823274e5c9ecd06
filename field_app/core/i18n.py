"""Locale choice: an explicit ?lang= or cookie, else the browser's preference, else Chinese."""
from __future__ import annotations

from flask import current_app, request


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]
