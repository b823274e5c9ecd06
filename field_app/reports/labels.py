"""Words the printed forms use: report titles, the form block, answer labels, periods."""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from field_app.config import REPORT_FORM_PLACEHOLDERS
from field_app.households.labels import (  # noqa: F401  (the printed roster's words)
    INDUSTRIES,
    LABOUR_CAPACITIES,
    RELATIONS,
    SEXES,
)
from field_app.reports.models import ReportKind
from field_app.review.states import STATUSES as SURVEY_STATUSES  # noqa: F401  (the roster's)
from field_app.statistics.labels import INDICATOR_LABELS
from field_app.surveys.labels import DESTINATIONS, FUNDINGS, SPELL_KINDS  # noqa: F401

TITLES = {
    ReportKind.RURAL: _l("农村牧区劳动力转移就业情况表"),
    ReportKind.URBAN: _l("城镇就业和失业情况表"),
    ReportKind.ROSTER: _l("入户调查花名册"),
    ReportKind.ANALYSIS: _l("就业形势季度分析"),
}
# The form block printed on every form (表号, 制定机关, 批准文号, 有效期至): the statistics
# office's own numbers, from the configuration (REPORT_FORMS, by report kind). A field left
# unset prints as a visible placeholder, never as an invented number.
FORM_FIELDS = {
    "number": _l("表号"),
    "authority": _l("制定机关"),
    "approval": _l("批准文号"),
    "valid_until": _l("有效期至"),
}
FORM_PLACEHOLDERS = REPORT_FORM_PLACEHOLDERS


@dataclasses.dataclass(frozen=True)
class FormLine:
    label: str
    value: str
    placeholder: bool  # not configured: printed as such


def form_values(kind: ReportKind | str, configured: Mapping[str, Any] | None) -> dict[str, str]:
    """The form block of ``kind`` as configured (REPORT_FORMS), placeholders where unset."""
    entry = configured.get(ReportKind(kind).value) if isinstance(configured, Mapping) else None
    entry = entry if isinstance(entry, Mapping) else {}
    values = {}
    for key, placeholder in FORM_PLACEHOLDERS.items():
        value = entry.get(key)
        values[key] = (str(value).strip() if value is not None else "") or placeholder
    return values


def form_block(kind: ReportKind | str, configured: Mapping[str, Any] | None) -> list[FormLine]:
    values = form_values(kind, configured)
    return [FormLine(str(FORM_FIELDS[key]), values[key], values[key] == FORM_PLACEHOLDERS[key])
            for key in FORM_FIELDS]


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
