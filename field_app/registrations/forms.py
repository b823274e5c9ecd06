"""Desk forms: shape only (present, a date, one of the choices). The rules, the importer's
included, are checked by the operations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from field_app.core.clock import clock
from field_app.core.forms import SafeForm
from field_app.registrations import labels
from field_app.registrations.labels import COLUMNS
from field_app.registrations.models import EmploymentType, PersonCategory

_required = DataRequired(message=_l("必填"))
_date_required = InputRequired(message=_l("请填写日期"))


def _choices(enum_labels: dict, blank: bool = False):
    options = [SelectChoice(member.value, label) for member, label in enum_labels.items()]
    return [SelectChoice("", "—")] + options if blank else options


def _today():
    return clock.today()


class DivisionMixin:
    """A division of the user's jurisdiction; the view fills the choices."""

    division_code = SelectField(COLUMNS["division_code"], validators=[_required],
                                validate_choice=True)

    def set_divisions(self, divisions) -> None:
        self.division_code.choices = [SelectChoice(d.code, f"{d.name} {d.code}")
                                      for d in divisions]
        if self.division_code.data is None and divisions:
            self.division_code.data = divisions[0].code


class LookupForm(SafeForm):
    id_number = StringField(COLUMNS["id_number"], validators=[_required, Length(max=18)])


class PersonForm(SafeForm):
    id_number = HiddenField(validators=[_required])
    name = StringField(COLUMNS["name"], validators=[_required])
    phone = StringField(COLUMNS["phone"], validators=[Optional()])
    hukou = SelectField(COLUMNS["hukou"], choices=_choices(labels.HUKOU, blank=True),
                        validators=[Optional()])


class EmploymentForm(DivisionMixin, SafeForm):
    employment_type = SelectField(COLUMNS["employment_type"],
                                  choices=_choices(labels.EMPLOYMENT_TYPES),
                                  default=EmploymentType.UNIT.value)
    employer_uscc = StringField(COLUMNS["employer_uscc"], validators=[Optional()])
    employer_name = StringField(COLUMNS["employer_name"], validators=[Optional()])
    start_date = DateField(COLUMNS["start_date"], validators=[_date_required])
    registered_on = DateField(COLUMNS["registered_on"], validators=[_date_required],
                              default=_today)
    person_category = SelectField(COLUMNS["person_category"],
                                  choices=_choices(labels.PERSON_CATEGORIES),
                                  default=PersonCategory.NEW_ENTRANT.value)
    formal_transfer = BooleanField(_l("从机关、国有企事业单位正式调动"))
    end_unemployment = BooleanField(_l("同时注销本辖区的失业登记（原因：已就业，日期为就业时间）"))
    # Set once the clerk has seen the continuation warning and registers anyway.
    acknowledged = HiddenField()


class EndEmploymentForm(SafeForm):
    end_date = DateField(COLUMNS["end_date"], validators=[_date_required], default=_today)


class UnemploymentForm(DivisionMixin, SafeForm):
    registered_on = DateField(COLUMNS["registered_on"], validators=[_date_required],
                              default=_today)
    receives_benefit = BooleanField(COLUMNS["receives_benefit"])
    end_employment_on = DateField(_l("同时终止就业，终止日期"), validators=[Optional()])


class CancelUnemploymentForm(SafeForm):
    cancelled_on = DateField(COLUMNS["cancelled_on"], validators=[_date_required],
                             default=_today)
    reason = SelectField(COLUMNS["cancel_reason"], choices=_choices(labels.CANCEL_REASONS))


class InvalidateForm(SafeForm):
    reason = StringField(COLUMNS["invalid_reason"], validators=[_required, Length(max=200)])


def _revive():
    """The clerk's confirmation that a key held by an invalidated record may bring it back
    with the values entered; the form page shows it only once the operation asks. Declared
    last in each form, so that it is rendered last."""
    return BooleanField(_l("恢复已作废的记录"))


class AidForm(DivisionMixin, SafeForm):
    recognized_on = DateField(COLUMNS["recognized_on"], validators=[_date_required],
                              default=_today)
    category = SelectField(COLUMNS["category"], choices=_choices(labels.AID_CATEGORIES))
    revive = _revive()


class AidExitForm(SafeForm):
    exited_on = DateField(COLUMNS["exited_on"], validators=[_date_required], default=_today)
    reason = SelectField(COLUMNS["exit_reason"], choices=_choices(labels.AID_EXIT_REASONS))


class AttritionForm(DivisionMixin, SafeForm):
    occurred_on = DateField(COLUMNS["occurred_on"], validators=[_date_required])
    reason = SelectField(COLUMNS["reason"], choices=_choices(labels.ATTRITION_REASONS))
    revive = _revive()


class EmployedTotalForm(DivisionMixin, SafeForm):
    as_of = DateField(COLUMNS["as_of"], validators=[_date_required])
    # Text, not IntegerField: the importer's own converter judges the number.
    employed_total = StringField(COLUMNS["employed_total"], validators=[_required])
    deduction = StringField(COLUMNS["deduction"], default="0")
    revive = _revive()


class AttritionImportForm(SafeForm):
    files = MultipleFileField(_l("社保数据文件（natural_attrition.csv，可附 persons.csv）"),
                              validators=[FileRequired(message=_l("请选择文件"))])
