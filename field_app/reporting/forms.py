"""The forms of the reporting chain's steps."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from field_app.core.forms import SafeForm
from field_app.indicators.engine import INDICATOR_KEYS


class StepForm(SafeForm):
    """A step that needs no input beyond the CSRF token (sign-off, approval)."""


class SubmitForm(SafeForm):
    explanation = TextAreaField(_l("报送说明（与实时数据有差异时必填）"),
                                validators=[Optional(), Length(max=2000)])


class ReasonForm(SafeForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(message=_l("请填写理由")),
                                                   Length(max=2000)])


class ReturnForm(ReasonForm):
    """The reason, and optionally a reason for each returned figure (``item_<key>``)."""

    def items(self) -> dict[str, str]:
        return {key: self[f"item_{key}"].data or "" for key in INDICATOR_KEYS}


for _key in INDICATOR_KEYS:
    setattr(ReturnForm, f"item_{_key}", StringField(validators=[Optional(), Length(max=500)]))


class ScanForm(SafeForm):
    scan = FileField(_l("签章扫描件（PDF、JPEG 或 PNG）"),
                     validators=[FileRequired(message=_l("请选择扫描件文件"))])
