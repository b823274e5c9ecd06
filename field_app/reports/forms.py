"""The request for a report: which kind, which division, which period."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Regexp

from field_app.core.forms import SafeForm
from field_app.core.periods import PeriodError, parse_period
from field_app.reports.models import ReportKind


class GenerateForm(SafeForm):
    # The kind is the submit button pressed (one button per report on the page).
    # (The quarterly analysis is printed from its own page: field_app.analysis.)
    kind = StringField(validators=[AnyOf([k.value for k in ReportKind
                                          if k != ReportKind.ANALYSIS])])
    division = StringField(validators=[DataRequired(), Regexp(r"^\d{12}$")])
    period = StringField(_l("报告期"), validators=[DataRequired(message=_l("必填"))])
    by_village = BooleanField(_l("逐村列示（辖区内全部嘎查村）"))

    def validate_period(self, field) -> None:
        try:
            self.period_range = parse_period(field.data or "")
        except PeriodError:
            raise ValidationError(
                _l("报告期应写作 2026、2026Q1、2026-03 或 2026-01..2026-06")) from None


def default_period(today: dt.date) -> str:
    """Year to date by whole months, as the notice's monthly reports run (报告期内累计)."""
    return f"{today.year}-01..{today.year}-{today.month:02d}"
