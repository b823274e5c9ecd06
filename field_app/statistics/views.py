"""The home page and the division pages: the indicators of the chosen period (the year to
date until an account chooses another; its last choice is remembered) with drill-down."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.periods import PeriodError, period_key, period_label
from field_app.divisions import queries
from field_app.extensions import db
from field_app.statistics.labels import INDICATOR_LABELS
from field_app.indicators.service import DivisionIndicators
from field_app.statistics import figures as figures_cache
from field_app.statistics import operations, periods, warming  # noqa: F401 (upkeep)
from field_app.targets import queries as targets

bp = Blueprint("statistics", __name__)


# --- targets, reconciliation, review coverage and the as-of date (issue 13) -------------------

def _figure_context(code: str, end, figures) -> dict:
    """What the division page shows beside its figures: the employed total's as-of date,
    the annual targets with completion and time progress, the latest reconciliation of the
    year and how much of the rural figures rests on reviewed households."""
    policy = current_policy()
    periods = targets.reported_periods(db.session, code, end.year)
    latest = next(((s, e) for s, e in periods if e <= end), None)
    reconciled = {}
    if latest is not None:
        # The system's side through the figure cache, as the page's own figures.
        system = {code: figures_cache.own_figures(db.session, code, *latest, policy)}
        reconciled = {r.indicator: r for r in targets.reconcile(
            targets.reported_of(db.session, [code], *latest), system)}
    return {
        "employed_basis": figures.employed_basis,
        "target_progress": targets.progress(
            figures.values, targets.targets_of(db.session, [code], end.year).get(code, {}), end),
        "reconciled": reconciled,
        "reconciled_period": latest,
        "coverage": figures.coverage,
        "period_key": period_key,
        "period_label": period_label,
    }

# --- end of issue 13 ----------------------------------------------------------------------


@bp.get("/")
def home():
    """Each account lands on its own division; a village collector on the survey, the
    auditor on the audit log."""
    if current_user.can(Capability.COLLECT_SURVEY):
        return redirect(url_for("survey.app"))
    if not current_user.can(Capability.READ_STATISTICS):
        return redirect(url_for("audit.index"))
    return redirect(url_for("statistics.show", code=current_user.division_code))


def _chosen_period() -> tuple[str, PeriodError | None]:
    """The period of the page: the link's (``period``), which the account's choice becomes,
    else the account's last choice, else the year to date; and the link's error, if any."""
    asked = request.args.get("period")
    if asked is not None:
        try:
            key = periods.normalise(asked)
        except PeriodError as error:
            return _remembered(), error
        operations.remember_period(db.session, current_user.id, key)
        return key, None
    return _remembered(), None


def _remembered() -> str:
    return (operations.remembered_period(db.session, current_user.id)
            or periods.YEAR_TO_DATE)


@bp.get("/divisions/<code>")
def show(code: str):
    division = queries.get_division_or_404(db.session, code, current_user)
    if "kind" in request.args:  # the chooser's fields: one link per period
        try:
            key = periods.from_fields(request.args)
        except PeriodError as error:
            return _page(division, _remembered(), error), 400
        return redirect(url_for("statistics.show", code=code, period=key))
    key, error = _chosen_period()
    return _page(division, key, error), 400 if error else 200


def _page(division, key: str, error: PeriodError | None):
    code = division.code
    choice = periods.choice(key, clock.today())
    start, end = choice.start, choice.end
    policy = current_policy()
    # One cached bundle: the engine runs only when a write below the division made the
    # kept figures stale (statistics.figures).
    figures = figures_cache.page_figures(db.session, code, start, end, policy)
    children = queries.children_of(db.session, code)
    if {child.code for child in children} != set(figures.children):
        figures = figures_cache.compute_page(db.session.connection(), code, start, end, policy)
    report = DivisionIndicators(code, division.name, division.level, start, end,
                                figures.values, policy.name)
    return render_template(
        "statistics/show.html",
        division=division,
        ancestors=[a for a in queries.ancestors_of(db.session, division)
                   if current_user.can(Capability.READ_STATISTICS, at=a.code)],
        report=report,
        labels=INDICATOR_LABELS,
        children=[(child, figures.children[child.code]) for child in children],
        choice=choice,
        period_kinds=periods.KINDS,
        period_error=error,
        **_figure_context(code, end, figures),
    )
