"""Fixtures of the quality tests: the rules' settings and a runner of one rule."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask import current_app

from field_app.core.context import current_policy
from field_app.extensions import db
from field_app.quality.operations import run_rules
from field_app.quality.rules import Settings

LEAGUE = "152200000000"
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def settings(app_ctx):
    return Settings.from_config(current_app.config, current_policy())


@pytest.fixture
def findings(make, settings):
    """``findings(code, period=YEAR, division=LEAGUE, **overrides)``: the findings of one rule
    on what the session has flushed, as ``{subject: Found}``."""

    def run(code, period=YEAR, division=LEAGUE, **overrides):
        chosen = dataclasses.replace(settings, **overrides)
        return {f.subject: f for f in run_rules(db.session, division, *period, chosen)
                if f.rule.code == code}

    return run
