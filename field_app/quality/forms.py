"""The scan and explanation forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from field_app.core.codes import is_code
from field_app.core.forms import SafeForm
from field_app.core.periods import PeriodError, parse_period
from field_app.quality.operations import EXPLANATION_MAX


class ScanForm(SafeForm):
    division = StringField(_l("区划代码"), validators=[DataRequired(_l("请填写区划代码"))])
    period = StringField(_l("期间"), validators=[DataRequired(_l("请填写期间"))])
    run = SubmitField(_l("开始检查"))

    def validate_division(self, field) -> None:
        if not is_code((field.data or "").strip()):
            raise ValidationError(_l("区划代码应为12位数字"))

    def validate_period(self, field) -> None:
        try:
            self.span = parse_period(field.data or "")
        except PeriodError as error:
            raise ValidationError(error.message) from None


class ExplainForm(SafeForm):
    reason = TextAreaField(_l("说明"), validators=[
        DataRequired(_l("请填写说明")),
        Length(max=EXPLANATION_MAX, message=_l("说明不能超过%(max)d字"))])
    explain = SubmitField(_l("提交说明"))
