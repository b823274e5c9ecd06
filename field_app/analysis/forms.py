"""The forms of the quarterly analysis: the three sections, and the level above's steps."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from field_app.analysis.operations import SECTION_MAX
from field_app.core.forms import SafeForm

_TOO_LONG = _l("不能超过 %(max)d 个字")


class EditForm(SafeForm):
    situation = TextAreaField(_l("形势分析"), validators=[Optional(),
                                                      Length(max=SECTION_MAX, message=_TOO_LONG)])
    problems = TextAreaField(_l("存在问题"), validators=[Optional(),
                                                     Length(max=SECTION_MAX, message=_TOO_LONG)])
    measures = TextAreaField(_l("下步措施"), validators=[Optional(),
                                                     Length(max=SECTION_MAX, message=_TOO_LONG)])
    # The button pressed: save the draft, or save and submit upward.
    action = StringField(validators=[Optional(), AnyOf(("save", "submit"),
                                                       message=_l("请用页面上的按钮保存或报送"))])

    def sections(self) -> dict[str, str | None]:
        return {"situation": self.situation.data, "problems": self.problems.data,
                "measures": self.measures.data}


class StepForm(SafeForm):
    """A step that needs no input beyond the CSRF token (approval)."""


class ReturnForm(SafeForm):
    reason = TextAreaField(_l("退回理由"), validators=[
        DataRequired(message=_l("请填写退回理由")), Length(max=2000, message=_TOO_LONG)])
