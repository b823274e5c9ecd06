"""The home page and the division pages: year-to-date indicators with drill-down."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.periods import year_to_date
from field_app.divisions import queries
from field_app.extensions import db
from field_app.indicators.service import LABELS, division_indicators

bp = Blueprint("divisions", __name__)


@bp.get("/")
def home():
    return redirect(url_for("divisions.show", code=current_app.config["HOME_DIVISION"]))


@bp.get("/divisions/<code>")
def show(code: str):
    division = queries.get_division(db.session, code) or abort(404)
    start, end = year_to_date(clock.today())
    connection = db.session.connection()
    report = division_indicators(connection, code, start, end, current_policy())
    children = [
        (child, division_indicators(connection, child.code, start, end, current_policy()).values)
        for child in queries.children_of(db.session, code)
    ]
    return render_template(
        "divisions/show.html",
        division=division,
        ancestors=queries.ancestors_of(db.session, division),
        report=report,
        labels=LABELS,
        children=children,
    )
