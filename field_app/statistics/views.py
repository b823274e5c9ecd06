"""The home page and the division pages: year-to-date indicators with drill-down."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.periods import year_to_date
from field_app.divisions import queries
from field_app.extensions import db
from field_app.statistics.labels import INDICATOR_LABELS
from field_app.indicators.service import division_indicators

bp = Blueprint("statistics", __name__)


@bp.get("/")
def home():
    """Each account lands on its own division; a village collector on the survey, the
    auditor on the audit log."""
    if current_user.can(Capability.COLLECT_SURVEY):
        return redirect(url_for("survey.app"))
    if not current_user.can(Capability.READ_STATISTICS):
        return redirect(url_for("audit.index"))
    return redirect(url_for("statistics.show", code=current_user.division_code))


@bp.get("/divisions/<code>")
def show(code: str):
    division = queries.get_division_or_404(db.session, code, current_user)
    start, end = year_to_date(clock.today())
    connection = db.session.connection()
    report = division_indicators(connection, code, start, end, current_policy())
    children = [
        (child, division_indicators(connection, child.code, start, end, current_policy()).values)
        for child in queries.children_of(db.session, code)
    ]
    return render_template(
        "statistics/show.html",
        division=division,
        ancestors=[a for a in queries.ancestors_of(db.session, division)
                   if current_user.can(Capability.READ_STATISTICS, at=a.code)],
        report=report,
        labels=INDICATOR_LABELS,
        children=children,
    )
