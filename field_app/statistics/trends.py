"""Trends of a division's figures (issue 14): any of the twelve over the last 12 months or
8 quarters, with 同比 and 环比, as a chart and a table; and ``division_trend`` for the
quarterly analysis report. The figures come from one set-based pass
(``indicators.trends``), each period equal to the engine for that period."""
from __future__ import annotations

import dataclasses
import datetime as dt

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.charts.base import to_data_url
from field_app.charts.line import line_chart
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.periods import PeriodError, parse_period, period_label
from field_app.divisions import queries
from field_app.extensions import db
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.indicators.trends import KINDS, RATE, Change, Trend, compute_trend
from field_app.statistics.labels import INDICATOR_LABELS
from field_app.statistics.views import bp

DEFAULT_COUNT = {"month": 12, "quarter": 8}
DEFAULT_FIGURE = "urban_new_employment"
KIND_LABELS = {"month": _l("按月（近12个月）"), "quarter": _l("按季（近8个季度）")}
BAD_FIGURE = _l("请选择一个指标")
BAD_KIND = _l("请选择按月或按季")
BAD_END = _l("截止月份应为 YYYY-MM，且不晚于本月")


@dataclasses.dataclass(frozen=True)
class TrendTable(Trend):
    """A division's trend with what a reader needs: ``periods`` (the periods' names,
    oldest first), ``name`` (the division's). ``values[key]`` lists the figure by period;
    ``yoy(key)`` and ``mom(key)`` list ``Change`` (difference and percent) or None."""

    name: str = ""
    periods: tuple[str, ...] = ()


def division_trend(division_code: str, *, kind: str, count: int, end: dt.date) -> TrendTable:
    """The twelve figures of ``division_code`` over the last ``count`` months or quarters
    (``kind``: "month" or "quarter") up to the one holding ``end``, with 同比 and 环比,
    under the application's policy. ``ValueError`` for an unknown kind or a count out of
    range, ``LookupError`` for an unknown division. The caller checks the reader's rights."""
    division = queries.get_division(db.session, division_code)
    if division is None:
        raise LookupError(division_code)
    trend = compute_trend(db.session.connection(), division_code, kind=kind, count=count,
                          end=end, policy=current_policy())
    return TrendTable(**{field.name: getattr(trend, field.name)
                         for field in dataclasses.fields(Trend)},
                      name=division.name,
                      periods=tuple(period_label(a, b) for a, b in trend.spans))


def _last_ended(kind: str, today: dt.date) -> dt.date:
    """The last day before the current month or quarter: the default end of a trend."""
    first_month = today.month if kind == "month" else 3 * ((today.month - 1) // 3) + 1
    return dt.date(today.year, first_month, 1) - dt.timedelta(days=1)


def _choice(args) -> tuple[str, str, dt.date, list[str]]:
    """The figure, kind and end the link asks for (defaults where it is silent) and what
    is wrong with it."""
    errors = []
    figure = args.get("figure") or DEFAULT_FIGURE
    if figure not in INDICATOR_KEYS:
        errors.append(str(BAD_FIGURE))
        figure = DEFAULT_FIGURE
    kind = args.get("kind") or "quarter"
    if kind not in KINDS:
        errors.append(str(BAD_KIND))
        kind = "quarter"
    today = clock.today()
    end = _last_ended(kind, today)
    if args.get("end"):
        try:
            asked = parse_period(args["end"][:32])[1]
        except PeriodError:
            asked = None
        month_end = (dt.date(today.year, today.month, 28) + dt.timedelta(days=4)).replace(day=1) \
            - dt.timedelta(days=1)
        if asked is None or asked > month_end:
            errors.append(str(BAD_END))
        else:
            end = asked
    return figure, kind, end, errors


def _rows(table: TrendTable, figure: str) -> list[tuple[str, object, Change | None,
                                                         Change | None]]:
    return list(zip(table.periods, table.values[figure], table.yoy(figure),
                    table.mom(figure)))


@bp.get("/divisions/<code>/trends")
def trends(code: str):
    division = queries.get_division_or_404(db.session, code, current_user)
    figure, kind, end, errors = _choice(request.args)
    table = division_trend(division.code, kind=kind, count=DEFAULT_COUNT[kind], end=end)
    name = str(INDICATOR_LABELS[figure])
    unit = "%" if figure == RATE else _("人")
    title = _("%(division)s %(figure)s", division=division.name, figure=name)
    chart = to_data_url(line_chart(list(zip(_short_labels(table), table.values[figure])),
                                   title=title, unit=unit, missing=_("无数据")))
    return render_template(
        "statistics/trends.html", division=division, table=table, figure=figure,
        kind=kind, end=end, rows=_rows(table, figure), chart=chart, chart_title=title,
        errors=errors,
        labels=INDICATOR_LABELS, keys=INDICATOR_KEYS, kinds=KIND_LABELS,
        points=figure == RATE), 400 if errors else 200


def _short_labels(table: TrendTable) -> list[str]:
    """Tick labels that fit a phone: ``2026-03`` or ``2026Q1``."""
    if table.kind == "month":
        return [f"{a:%Y-%m}" for a, b in table.spans]
    return [f"{a.year}Q{(a.month - 1) // 3 + 1}" for a, b in table.spans]
