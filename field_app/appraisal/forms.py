"""The forms of rectification notices."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from field_app.core.forms import SafeForm
from field_app.core.periods import PeriodError
from field_app.reporting.calendar import Period

DATE_MESSAGE = _l("日期格式应为 年-月-日，如 2026-12-31")


class Day(DateField):
    """A date field whose unreadable input is named in the reader's language."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(DATE_MESSAGE)) from None


class NoticeForm(SafeForm):
    issue = TextAreaField(_l("需要整改的问题"), validators=[
        DataRequired(message=_l("请填写需要整改的问题")), Length(max=2000)])
    deadline = Day(_l("整改期限"), validators=[InputRequired(message=_l("请填写整改期限"))])
    period = StringField(_l("所属报送期间（可选，如 2026-11、2026Q3）"),
                         validators=[Optional(), Length(max=24)])

    def validate_period(self, field) -> None:
        if field.data:
            try:
                Period.parse(field.data.strip())
            except PeriodError as error:
                raise ValidationError(str(error.message)) from None

    def parsed_period(self) -> Period | None:
        text = (self.period.data or "").strip()
        return Period.parse(text) if text else None


class AnswerForm(SafeForm):
    answer = TextAreaField(_l("整改情况"), validators=[
        DataRequired(message=_l("请填写整改情况")), Length(max=2000)])


class CloseForm(SafeForm):
    """Closing needs no input beyond the CSRF token."""


class ReopenForm(SafeForm):
    reason = TextAreaField(_l("退回理由"), validators=[
        DataRequired(message=_l("请填写退回理由")), Length(max=2000)])
    deadline = Day(_l("新的整改期限（可选）"), validators=[Optional()])
