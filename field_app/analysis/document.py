"""What the quarterly analysis prints: the quarter's twelve figures of the division (engine),
its breakdowns (grouped engine: by child, sex and age band), the trend over eight quarters
with 同比 and 环比 and a line chart, a map of one figure by child, and the three sections
the statistician wrote.

Every number comes from the engine's statements; nothing here loops over persons. The
content's ``figures()`` has the shape of a statistical table's (division, columns, total,
rows), so ``/verify`` shows a numbered analysis as it shows a table.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.core.clock import clock
from field_app.divisions.models import Division
from field_app.households.labels import SEXES
from field_app.indicators import Policy, compute_grouped, compute_indicators
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.indicators.grouped import applies
from field_app.reporting.calendar import Period
from field_app.reports.context import DivisionRef, TableRow, plain_figure
from field_app.reports.documents import report_html
from field_app.reports.models import ReportKind
from field_app.reports.pdf import render_pdf
from field_app.statistics.labels import INDICATOR_LABELS

# The columns of the breakdown tables (a portrait page holds six or seven).
CHILD_COLUMNS = ("urban_new_employment", "reemployment_of_unemployed",
                 "hard_to_employ_employed", "registered_unemployed",
                 "registered_unemployment_rate", "rural_transfer", "rural_training")
PERSON_COLUMNS = ("new_employment_gross", "reemployment_of_unemployed",
                  "hard_to_employ_employed", "registered_unemployed", "rural_transfer",
                  "rural_training")
DIMENSIONS = ("sex", "age_band")
# The figures followed over eight quarters, and the ones drawn.
TREND_KEYS = ("urban_new_employment", "registered_unemployed", "registered_unemployment_rate",
              "rural_transfer", "rural_training")
CHART_KEYS = ("urban_new_employment", "rural_transfer")
TREND_QUARTERS = 8
MAP_FIGURE = "urban_new_employment"


@dataclasses.dataclass(frozen=True)
class Breakdown:
    by: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]  # {"key", "label", "values": {indicator: figure}}


@dataclasses.dataclass(frozen=True)
class Trend:
    periods: list[str]  # labels, oldest first
    values: dict[str, list]  # indicator → one figure per period
    # Indicator → 同比 / 环比 of the last period: {"difference", "percent"} or None.
    yoy: dict[str, dict[str, str | None] | None]
    mom: dict[str, dict[str, str | None] | None]
    keys: list[str] = dataclasses.field(default_factory=list)  # 2026Q3, for the charts' axis


@dataclasses.dataclass(frozen=True)
class AnalysisContent:
    division: DivisionRef
    start: dt.date
    end: dt.date
    policy: str
    total: TableRow
    rows: list[TableRow]
    breakdowns: list[Breakdown]
    trend: Trend | None
    sections: dict[str, str]
    # Drawn from the figures above (SVG markup), or None where the piece is missing.
    charts: dict[str, str | None] = dataclasses.field(default_factory=dict)
    kind: ReportKind = ReportKind.ANALYSIS
    columns: tuple[str, ...] = INDICATOR_KEYS
    child_columns: tuple[str, ...] = CHILD_COLUMNS
    chart_names: tuple[str, ...] = tuple(f"trend_{key}" for key in CHART_KEYS)

    def figures(self) -> dict[str, Any]:
        """As a statistical table's: what /verify shows (division, columns, total, rows)."""
        return {
            "division": dataclasses.asdict(self.division),
            "policy": self.policy,
            "columns": list(self.columns),
            "total": _row_json(self.total),
            "rows": [_row_json(row) for row in self.rows],
        }

    def content(self) -> dict[str, Any]:
        """Everything the document prints, for the content fingerprint (the charts are
        drawn from these figures, so their data is in it already)."""
        return self.figures() | {
            "breakdowns": [{"by": b.by, "rows": [
                {"key": str(r["key"]), "values": {k: plain_figure(v) for k, v in
                                                  r["values"].items()}} for r in b.rows]}
                for b in self.breakdowns],
            "trend": None if self.trend is None else {
                "periods": self.trend.periods,
                "values": {k: [plain_figure(v) for v in vs] for k, vs in self.trend.values.items()},
                "yoy": self.trend.yoy, "mom": self.trend.mom,
            },
            "charts": {name: svg is not None for name, svg in self.charts.items()},
            "sections": self.sections,
        }

    def svg(self, name: str) -> Markup | None:
        svg = self.charts.get(name)
        return None if svg is None else Markup(svg)


def _row_json(row: TableRow) -> dict[str, Any]:
    return {"code": row.code, "name": row.name,
            "values": {key: plain_figure(value) for key, value in row.values.items()}}


def _names(session: Session, code: str) -> dict[str, str]:
    return dict(session.execute(select(Division.code, Division.name).where(
        (Division.code == code) | (Division.parent_code == code))).all())


def _group_label(by: str, key) -> str:
    if key is None:
        return _("未填")
    if by == "sex":
        return str(SEXES.get(str(key), key))
    if by == "age_band":
        return _("%(band)s岁", band=key)
    return str(key)


def build_content(session: Session, division: Division, period: Period,
                  sections: dict[str, str], policy: Policy) -> AnalysisContent:
    """The analysis of ``division`` for ``period`` as of now, with ``sections`` as written."""
    connection = session.connection()
    code, start, end = division.code, period.start, period.end
    names = _names(session, code)
    total = TableRow(code, division.name, compute_indicators(connection, code, start, end, policy))
    rows = [TableRow(key, names.get(key, key), values) for key, values in
            compute_grouped(connection, code, start, end, policy, "child")]
    breakdowns = []
    for by in DIMENSIONS:
        columns = tuple(k for k in PERSON_COLUMNS if applies(k, by))
        groups = compute_grouped(connection, code, start, end, policy, by, indicators=columns)
        breakdowns.append(Breakdown(by, columns, [
            {"key": key, "label": _group_label(by, key),
             "values": {k: values[k] for k in columns}} for key, values in groups]))
    trend = _trend(code, end)
    charts = {**_trend_charts(trend), "map": _map(code, start, end)}
    return AnalysisContent(DivisionRef(code, division.name, division.level), start, end,
                           policy.name, total, rows, breakdowns, trend, dict(sections), charts)


# --- the pieces drawn by the trends and maps packages ----------------------------------------

def _change(change) -> dict[str, str | None] | None:
    """A ``Change`` (difference, percent) as printed: strings, signed."""
    if change is None:
        return None
    return {"difference": f"{change.difference:+}",
            "percent": None if change.percent is None else f"{change.percent:+}"}


def _trend(code: str, end: dt.date) -> Trend | None:
    """Eight quarters to ``end``, from ``statistics.trends.division_trend``: the followed
    figures by quarter, and 同比 and 环比 of the last quarter for all twelve."""
    try:
        from field_app.statistics.trends import division_trend  # noqa: PLC0415
    except ImportError:
        return None
    table = division_trend(code, kind="quarter", count=TREND_QUARTERS, end=end)
    periods = [Period(a, b) for a, b in table.spans]
    return Trend([p.label for p in periods],
                 {key: list(table.values[key]) for key in TREND_KEYS},
                 {key: _change(table.yoy(key)[-1]) for key in INDICATOR_KEYS},
                 {key: _change(table.mom(key)[-1]) for key in INDICATOR_KEYS},
                 [p.key for p in periods])


def _trend_charts(trend: Trend | None) -> dict[str, str | None]:
    """One line chart per charted figure (their sizes differ too much to share an axis)."""
    try:
        from field_app.charts.line import line_chart  # noqa: PLC0415
    except ImportError:
        line_chart = None
    return {f"trend_{key}": None if trend is None or line_chart is None else line_chart(
        list(zip(trend.keys, trend.values[key])), title=str(INDICATOR_LABELS[key]),
        unit=_("人")) for key in CHART_KEYS}


def _map(code: str, start: dt.date, end: dt.date) -> str | None:
    try:
        from field_app.maps.queries import figure_map_svg  # noqa: PLC0415
    except ImportError:
        return None
    return figure_map_svg(code, MAP_FIGURE, start, end)


# --- the PDF ------------------------------------------------------------------------------

def preview_pdf(content: AnalysisContent, site_url: str) -> bytes:
    """The document as it would be numbered on submission, marked as an unnumbered preview."""
    number = _("预览（未编号）")
    return render_pdf(report_html(ReportKind.ANALYSIS, content, number=number,
                                  generated_at=clock.now().replace(microsecond=0),
                                  verify_url=f"{site_url.rstrip('/')}/verify/"))

