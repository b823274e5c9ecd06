"""Survey round forms: shape only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from field_app.core.clock import clock
from field_app.core.forms import SafeForm


class OpenRoundForm(SafeForm):
    year = IntegerField(_l("调查年度"), validators=[InputRequired(message=_l("必填"))],
                        default=lambda: clock.today().year)
    open = SubmitField(_l("开启入户调查"))


class CloseRoundForm(SafeForm):
    # Checked by the operation (``close_round``), which refuses without it.
    confirm = BooleanField(_l("我已看过上面仍未完成的情况，确认结束本轮调查"))
    close = SubmitField(_l("结束本轮调查"))


class ReopenRoundForm(SafeForm):
    reason = TextAreaField(_l("重新开启的原因"), validators=[Optional(), Length(max=200)])
    reopen = SubmitField(_l("重新开启本轮调查"))
