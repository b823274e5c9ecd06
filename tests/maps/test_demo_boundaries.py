"""``flask load-demo`` loads the league's and its counties' boundaries, so the demo has maps."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from field_app.core.clock import clock
from field_app.divisions.models import Division
from field_app.extensions import db


def test_load_demo_gives_the_league_and_its_six_counties_a_boundary(app, runner):
    clock.set(dt.datetime(2026, 5, 20, 10, 0))
    result = runner.invoke(args=["load-demo", "--households-per-village", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        bounded = set(db.session.scalars(select(Division.code)
                                         .where(Division.boundary.is_not(None))))
    assert bounded == {"152200000000", "152201000000", "152202000000", "152221000000",
                       "152222000000", "152223000000", "152224000000"}
    again = runner.invoke(args=["load-demo", "--if-empty"])
    assert again.exit_code == 0, again.output
