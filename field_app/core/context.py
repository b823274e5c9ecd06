"""Request- and command-time access to app-wide objects."""
from __future__ import annotations

from flask import current_app

from field_app.indicators.policy import Policy


def current_policy() -> Policy:
    return current_app.extensions["field_app.policy"]
