"""The demo data set's draft analysis of the demo league."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from field_app.analysis.models import AnalysisStatus, QuarterlyAnalysis
from field_app.core.clock import clock
from field_app.extensions import db


def test_load_demo_writes_a_draft_analysis_of_the_league_s_last_quarter(app, runner):
    clock.set(dt.datetime(2026, 11, 20, 9, 0))
    result = runner.invoke(args=["load-demo", "--households-per-village", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        found = db.session.scalars(select(QuarterlyAnalysis)).all()
        assert [(a.division_code, a.period_key, a.status) for a in found] == [
            ("152200000000", "2026Q3", AnalysisStatus.DRAFT)]
        assert all(found[0].sections().values())
