"""Words the printed forms use: report titles, table numbers, answer labels, periods."""
from __future__ import annotations

import calendar
import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from field_app.households.labels import (  # noqa: F401  (the printed roster's words)
    INDUSTRIES,
    LABOUR_CAPACITIES,
    RELATIONS,
    SEXES,
)
from field_app.reports.models import ReportKind
from field_app.statistics.labels import INDICATOR_LABELS
from field_app.surveys.labels import DESTINATIONS, FUNDINGS, SPELL_KINDS  # noqa: F401

TITLES = {
    ReportKind.RURAL: _l("农村牧区劳动力转移就业情况表"),
    ReportKind.URBAN: _l("城镇就业和失业情况表"),
    ReportKind.ROSTER: _l("入户调查花名册"),
}
# Numbering of the league's employment statistics forms (就业统计报表制度).
TABLE_NUMBERS = {
    ReportKind.RURAL: _l("兴人社就业统1表"),
    ReportKind.URBAN: _l("兴人社就业统2表"),
    ReportKind.ROSTER: _l("兴人社就业统3表"),
}
# Column heads of the tables: the indicator names, the "of which" columns marked as such.
COLUMN_LABELS = INDICATOR_LABELS | {
    "new_generation_transfer": _l("其中：新生代农牧民工"),
    "stable_transfer_180d": _l("其中：转移就业6个月以上"),
}

ROSTER_FIGURES = {"households": _l("户数"), "members": _l("人数")}


def period_label(start: dt.date, end: dt.date) -> str:
    """报告期 as forms write it: ``2026年1-9月`` for whole months, dates otherwise."""
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return _("%(year)d年%(month)d月", year=start.year, month=start.month)
        return _("%(year)d年%(first)d-%(last)d月", year=start.year, first=start.month,
                 last=end.month)
    return _("%(start)s至%(end)s", start=date_label(start), end=date_label(end))


def date_label(day: dt.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日", year=day.year, month=day.month, day=day.day)
