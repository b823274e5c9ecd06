"""Request- and command-time access to app-wide objects."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # core knows the engine's policy by name only; create_app puts it there
    from field_app.indicators.policy import Policy


def current_policy() -> Policy:
    return current_app.extensions["field_app.policy"]
