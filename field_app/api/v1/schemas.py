"""Shapes of the API v1: what comes in (checked for type, range and safe text) and what
goes out. No rules here: the operations and queries apply those."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from field_app.core.periods import FIRST_YEAR, LAST_YEAR
from field_app.core.text import find_unsafe
from field_app.indicators.grouped import DIMENSIONS
from field_app.partners.models import SCOPES
from field_app.registrations.models import EmploymentType, PersonCategory

CODE = r"^[0-9]{12}$"
PERIOD = r"^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])?$"
ID_NUMBER = r"^[0-9]{17}[0-9Xx]$"


class Text(fields.String):
    """Text the database stores as typed: no control or unassigned characters, one line."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if find_unsafe(text, single_line=True) is not None:
            raise ma.ValidationError(_("含有不允许的字符"))
        return text


class Day(fields.Date):
    """A date in the years the system keeps (core.periods)."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ma.ValidationError(_("年份应在 %(first)s 到 %(last)s 之间",
                                       first=FIRST_YEAR, last=LAST_YEAR))
        return day


class Moment(fields.DateTime):
    """A stored time (the server's local time, kept naive) with its UTC offset, as RFC 3339
    wants it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.astimezone()
        return super()._serialize(value, attr, obj, **kwargs)


def code_field(**kwargs):
    return Text(validate=validate.Regexp(CODE, error=_l("区划代码应为12位数字")), **kwargs)


class ErrorSchema(ma.Schema):
    """Every error of the API (and of the site's other JSON resources)."""

    code = fields.String(required=True, metadata={"description": "机器可读的错误代码，如 not_found"})
    status = fields.Integer(required=True, metadata={"description": "HTTP 状态码"})
    message = fields.String(required=True, metadata={"description": "说明（中文）"})
    errors = fields.Raw(required=True, metadata={"description": "字段 → 说明列表"})


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


# --- me, divisions ----------------------------------------------------------------------
class ClientOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    division_code = fields.String(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(list(SCOPES))), required=True)
    expires_at = Moment(required=True)
    rate_per_minute = fields.Integer(required=True)


class DivisionArgs(ma.Schema):
    root = code_field(metadata={"description": "子树的根；缺省为客户端所属区划"})
    depth = fields.Integer(load_default=1, validate=validate.Range(0, 4),
                           metadata={"description": "列出根以下几级"})


class DivisionOut(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    parent_code = fields.String(required=True, allow_none=True)


class DivisionList(ma.Schema):
    root = fields.String(required=True)
    divisions = fields.List(fields.Nested(DivisionOut), required=True)


# --- indicators ---------------------------------------------------------------------------
class IndicatorArgs(ma.Schema):
    division = code_field(required=True)
    period = Text(required=True, validate=validate.Regexp(PERIOD, error=_l("期间写作 2026、2026Q1 或 2026-03")),
                  metadata={"description": "2026、2026Q1 或 2026-03"})
    by = fields.String(validate=validate.OneOf(DIMENSIONS),
                       metadata={"description": "按维度分组（缺省：不分组）"})


Value = fields.Float(allow_none=True)


class IndicatorGroup(ma.Schema):
    key = fields.Raw(required=True, allow_none=True,
                     metadata={"description": "组的取值（按下级时为区划代码）"})
    indicators = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                             required=True)


class IndicatorsOut(ma.Schema):
    division = fields.String(required=True)
    name = fields.String(required=True)
    period = fields.String(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    policy = fields.String(required=True)
    by = fields.String(required=True, allow_none=True)
    indicators = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                             allow_none=True, required=True)
    groups = fields.List(fields.Nested(IndicatorGroup), allow_none=True, required=True)


# --- submissions, quality ----------------------------------------------------------------
class SubmissionArgs(ma.Schema):
    division = code_field(required=True)
    period = Text(required=True, validate=validate.Regexp(PERIOD, error=_l("期间写作 2026、2026Q1 或 2026-03")))


class SubmissionOut(ma.Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    submitted_at = Moment(required=True)


class BoardRowOut(ma.Schema):
    division = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    due = fields.Date(required=True, allow_none=True)
    late = fields.Boolean(required=True)
    submission = fields.Nested(SubmissionOut, required=True, allow_none=True)


class SubmissionBoard(ma.Schema):
    division = fields.String(required=True)
    period = fields.String(required=True)
    own = fields.List(fields.Nested(SubmissionOut), required=True)
    below = fields.List(fields.Nested(BoardRowOut), required=True)


class FindingArgs(PageArgs):
    division = code_field(required=True)
    period = Text(validate=validate.Regexp(PERIOD, error=_l("期间写作 2026、2026Q1 或 2026-03")))
    severity = fields.String(validate=validate.OneOf(["error", "warning"]))
    status = fields.String(validate=validate.OneOf(["open", "explained", "fixed"]))


class FindingOut(ma.Schema):
    id = fields.Integer(required=True)
    rule = fields.String(required=True)
    severity = fields.String(required=True)
    status = fields.String(required=True)
    division_code = fields.String(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    record_file = fields.String(required=True)
    found_at = Moment(required=True)


class FindingList(ma.Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    findings = fields.List(fields.Nested(FindingOut), required=True)


# --- registrations --------------------------------------------------------------------------
KINDS = ("employment", "unemployment")


class RegistrationArgs(PageArgs):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    division = code_field()
    since = Day()
    until = Day()
    status = fields.String(validate=validate.OneOf(["open", "ended", "invalid", "registered",
                                                    "cancelled"]))


class RegistrationOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    registration_no = fields.String(required=True)
    division_code = fields.String(required=True)
    id_number_masked = fields.String(required=True)
    name_masked = fields.String(required=True)
    status = fields.String(required=True)
    date = fields.Date(required=True, metadata={"description": "就业时间或失业登记日期"})
    end_date = fields.Date(required=True, allow_none=True)
    employment_type = fields.String(allow_none=True)
    employer_name = fields.String(allow_none=True)


class RegistrationList(ma.Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    registrations = fields.List(fields.Nested(RegistrationOut), required=True)


class EmploymentIn(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id_number = Text(required=True, validate=validate.Regexp(ID_NUMBER, error=_l("身份证号码应为18位")))
    name = Text(validate=validate.Length(1, 50),
                metadata={"description": "系统中尚无此人时必填"})
    division_code = code_field(required=True)
    employment_type = fields.String(required=True, validate=validate.OneOf(
        [t.value for t in EmploymentType]))
    employer_uscc = Text(allow_none=True, validate=validate.Length(max=18))
    employer_name = Text(allow_none=True, validate=validate.Length(max=100))
    start_date = Day(required=True)
    registered_on = Day(required=True)
    person_category = fields.String(required=True, validate=validate.OneOf(
        [c.value for c in PersonCategory]))
    formal_transfer = fields.Boolean(load_default=False)
    end_unemployment = fields.Boolean(load_default=False)


class UnemploymentIn(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id_number = Text(required=True, validate=validate.Regexp(ID_NUMBER, error=_l("身份证号码应为18位")))
    name = Text(validate=validate.Length(1, 50),
                metadata={"description": "系统中尚无此人时必填"})
    division_code = code_field(required=True)
    registered_on = Day(required=True)
    receives_benefit = fields.Boolean(required=True)
    end_employment_on = Day(allow_none=True, metadata={
        "description": "同时终止本辖区内未终止的就业登记，终止日期"})


# --- person check, exports -----------------------------------------------------------------
class PersonCheckIn(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id_number = Text(required=True, validate=validate.Regexp(ID_NUMBER, error=_l("身份证号码应为18位")))


class PersonCheckOut(ma.Schema):
    known = fields.Boolean(required=True, metadata={
        "description": "本客户端辖区内是否有此人的登记；辖区外的情况不予透露"})
    id_number_masked = fields.String(required=True)
    name_masked = fields.String(required=True, allow_none=True)
    employed = fields.Boolean(required=True)
    registered_unemployed = fields.Boolean(required=True)
    employment_aid = fields.Boolean(required=True)


class ExportArgs(ma.Schema):
    division = code_field(required=True)
    period = Text(required=True, validate=validate.Regexp(PERIOD, error=_l("期间写作 2026、2026Q1 或 2026-03")))
    by = fields.String(validate=validate.OneOf(DIMENSIONS))


class RegistrationExportArgs(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    division = code_field()
    since = Day()
    until = Day()
