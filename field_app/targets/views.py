"""Annual targets (年度目标任务), reported figures and the ±5% reconciliation.

Targets are set by the level directly above a division, for the divisions below the
setter's own; reported figures by a statistician for a division of its subtree. Both by a
one-column grid on the page or by the XLSX template. Every division is loaded through the
scoped helper: outside the jurisdiction is 404.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.periods import PeriodError, parse_period, period_key, period_label
from field_app.core.permissions import require_can
from field_app.divisions import queries as divisions
from field_app.extensions import db
from field_app.targets import labels, measures, operations, queries, spreadsheets
from field_app.targets.forms import UploadForm, grid_form
from field_app.targets.models import REPORTABLE_INDICATORS, TARGET_INDICATORS

bp = Blueprint("targets", __name__, url_prefix="/targets")
setters = require_can(Capability.SET_TARGETS)
reporters = require_can(Capability.ENTER_REPORTED_FIGURES)
SAVED = _l("已保存")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        return clock.today().year
    return year if operations.FIRST_YEAR <= year <= operations.LAST_YEAR else clock.today().year


def _period() -> tuple[dt.date, dt.date, str | None]:
    """The ``period`` argument, by default the year to the current month (as the reports);
    a period that cannot be read falls back to it, with the reason."""
    today = clock.today()
    default = f"{today.year}-01..{today.year}-{today.month:02d}"
    text = request.args.get("period") or default
    try:
        start, end = parse_period(text)
    except PeriodError as error:
        return *parse_period(default), str(error)
    return start, end, None


def _xlsx(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


# --- annual targets -------------------------------------------------------------------------

@bp.route("/annual", methods=["GET", "POST"])
@setters
def annual():
    year = _year()
    indicator = request.args.get("indicator")
    if indicator not in TARGET_INDICATORS:
        indicator = TARGET_INDICATORS[0]
    below = operations.target_divisions(db.session, current_user)
    current = queries.targets_of(db.session, [d.code for d in below], year)
    form = grid_form([(d.code, d.name) for d in below],
                     **{d.code: current.get(d.code, {}).get(indicator, "") for d in below})
    return handle_form(
        form, lambda: operations.set_targets(db.session, actor=current_user, year=year,
                                             indicator=indicator, values=form.cells()),
        message=SAVED, success=lambda _: url_for(".annual", year=year, indicator=indicator),
        template="targets/annual.html", year=year, indicator=indicator, below=below,
        current=current, indicators=TARGET_INDICATORS, labels=labels,
        upload=UploadForm(formdata=None))


@bp.get("/annual/template.xlsx")
@setters
def annual_template():
    year = _year()
    below = operations.target_divisions(db.session, current_user)
    current = queries.targets_of(db.session, [d.code for d in below], year)
    rows = [(d.code, d.name, year, labels.INDICATOR_NAMES[key],
             current.get(d.code, {}).get(key)) for d in below for key in TARGET_INDICATORS]
    example = ("152201100000", "义勒力特镇", year, labels.INDICATOR_NAMES[TARGET_INDICATORS[0]],
               1200)
    data = spreadsheets.build_template(
        "年度目标任务", labels.TARGET_COLUMNS, rows, example, TARGET_INDICATORS,
        [_("每行一个区划一项指标；目标值为空的行不导入。"),
         _("只能设定本级直接下级区划的目标；导入时整表检查，有任何错误则不导入。")])
    return _xlsx(data, f"targets-{year}.xlsx")


@bp.post("/annual/import")
@setters
def annual_import():
    return _import(operations.import_targets, title=_("导入年度目标任务"),
                   action=url_for(".annual_import"), back=url_for(".annual"))


def _import(run, *, title: str, action: str, back: str):
    """An XLSX upload, all or nothing: the page again with every bad row (422), or the
    count of rows imported."""
    form = UploadForm()
    result = None
    if form.validate_on_submit():
        result = run(db.session, form.file.data.read(), actor=current_user)
        if result.ok:
            flash(_("已导入 %(n)s 行，变更 %(c)s 项", n=result.rows, c=result.saved), "info")
    failed = bool(form.errors) or (result is not None and not result.ok)
    if failed:
        db.session.rollback()
    return render_template("targets/import.html", form=form, result=result, title=title,
                           action=action, back=back), 422 if failed else 200


# --- reported figures -----------------------------------------------------------------------

def _reported_division(code: str):
    division = divisions.get_division(db.session, code)
    if division is None or not current_user.can(Capability.ENTER_REPORTED_FIGURES,
                                                 at=division.code):
        raise OutOfScope()
    return division


@bp.route("/reported/<code>", methods=["GET", "POST"])
@reporters
def reported(code: str):
    division = _reported_division(code)
    start, end, period_error = _period()
    rows = queries.reported_of(db.session, [code], start, end)
    current = {figure.indicator: queries.plain(figure.value, figure.indicator)
               for figure, _name in rows}
    note = next((figure.note for figure, _name in rows if figure.note), "")
    form = grid_form([(key, labels.indicator_label(key)) for key in REPORTABLE_INDICATORS],
                     with_note=True, note=note, **{key: current.get(key, "") for key in current})
    key = period_key(start, end)
    return handle_form(
        form, lambda: operations.set_reported_figures(
            db.session, actor=current_user, division_code=code, start=start, end=end,
            values=form.cells(), note=form.note.data),
        message=SAVED, success=lambda _: url_for(".reconciliation", code=code, period=key),
        template="targets/reported.html", division=division, period=key,
        period_name=period_label(start, end), period_error=period_error,
        children=[c for c in divisions.children_of(db.session, code)],
        upload=UploadForm(formdata=None))


@bp.get("/reported/<code>/template.xlsx")
@reporters
def reported_template(code: str):
    division = _reported_division(code)
    start, end, _error = _period()
    key = period_key(start, end)
    listed = [division, *divisions.children_of(db.session, code)]
    current = {(f.division_code, f.indicator): (queries.plain(f.value, f.indicator), f.note)
               for f, _name in queries.reported_of(db.session, [d.code for d in listed],
                                                    start, end)}
    rows = [(d.code, d.name, key, labels.INDICATOR_NAMES[k],
             *current.get((d.code, k), (None, None)))
            for d in listed for k in REPORTABLE_INDICATORS]
    example = (division.code, division.name, key,
               labels.INDICATOR_NAMES["urban_new_employment"], 1234, "")
    data = spreadsheets.build_template(
        "报表数", labels.REPORTED_COLUMNS, rows, example, REPORTABLE_INDICATORS,
        [_("期间写作 2026-09（月）、2026Q3（季）、2026（年）或 2026-01..2026-09（累计）。"),
         _("报表数为空的行不导入；失业率填百分数，如 3.25。"),
         _("导入时整表检查，有任何错误则不导入。")])
    return _xlsx(data, f"reported-{division.code}-{key}.xlsx")


@bp.post("/reported/import")
@reporters
def reported_import():
    return _import(operations.import_reported_figures, title=_("导入报表数"),
                   action=url_for(".reported_import"),
                   back=url_for(".reported", code=current_user.division_code))


# --- reconciliation -------------------------------------------------------------------------

@bp.get("/reconciliation/<code>")
@require_can(Capability.READ_STATISTICS)
def reconciliation(code: str):
    division = divisions.get_division_or_404(db.session, code, current_user)
    start, end, period_error = _period()
    codes = [code, *(c.code for c in divisions.children_of(db.session, code))]
    rows = queries.reconciliation(db.session, codes, start, end, current_policy())
    return render_template(
        "targets/reconciliation.html", division=division, rows=rows,
        period=period_key(start, end), period_name=period_label(start, end),
        period_error=period_error, periods=queries.reported_periods(db.session, code, end.year),
        tolerance=measures.TOLERANCE, labels=labels,
        can_enter=current_user.can(Capability.ENTER_REPORTED_FIGURES, at=code),
        period_key=period_key, period_label=period_label,
        explain_ok="statistics.explain" in current_app.view_functions)
