"""The forms of the checks' desk pages: shape only; the rules are the operations'
(``channels.hires``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from field_app.core.forms import SafeForm


class ConfirmHireForm(SafeForm):
    """确认终止: nothing to fill in; the CSRF token and the review in the URL."""


class KeepRegistrationForm(SafeForm):
    """保留: the unemployment registration stays, for a reason the desk gives."""

    note = StringField(_l("保留原因"), validators=[DataRequired(message=_l("请填写保留原因")),
                                                  Length(max=200)])


class RegisterPayeeForm(SafeForm):
    """去登记: opens the desk's unemployment registration form for the payee."""
