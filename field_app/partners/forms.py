"""The API client forms: shape only; the operations check the rules."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from field_app.core.clock import clock
from field_app.core.forms import SafeForm
from field_app.partners.labels import SCOPE_LABELS


def _some_scope(form, field) -> None:
    # Not DataRequired: its "required" flag would make the browser demand every checkbox.
    if not field.data:
        raise ValidationError(_l("请至少选择一项权限范围"))


def _in_a_year() -> dt.date:
    return clock.today() + dt.timedelta(days=365)


class ClientForm(SafeForm):
    name = StringField(_l("系统名称"), validators=[DataRequired(_l("必填")), Length(max=100)])
    division_code = SelectField(_l("所属区划"), validators=[DataRequired(_l("必填"))],
                                validate_choice=True)
    scopes = SelectMultipleField(
        _l("权限范围"), choices=[SelectChoice(k, v) for k, v in SCOPE_LABELS.items()],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[_some_scope])
    expires_on = DateField(_l("有效期至"), validators=[InputRequired(_l("请填写日期"))],
                           default=_in_a_year)
    rate_per_minute = IntegerField(_l("每分钟调用上限"), default=60, validators=[
        InputRequired(_l("必填")), NumberRange(1, 10000, _l("每分钟调用上限须在 1 到 10000 之间"))])

    def set_divisions(self, divisions) -> None:
        self.division_code.choices = [SelectChoice(d.code, f"{d.name} {d.code}")
                                      for d in divisions]


class ConfirmForm(SafeForm):
    """Revoke and rotate: a POST with its CSRF token, nothing more."""
