"""Survey round forms: shape only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired

from field_app.core.clock import clock
from field_app.core.forms import SafeForm


class OpenRoundForm(SafeForm):
    year = IntegerField(_l("调查年度"), validators=[InputRequired(message=_l("必填"))],
                        default=lambda: clock.today().year)
    open = SubmitField(_l("开启入户调查"))


class CloseRoundForm(SafeForm):
    close = SubmitField(_l("结束本轮调查"))
