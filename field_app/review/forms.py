"""Review forms: shape only. The return form gets one reason field per member at runtime."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from field_app.core.forms import SafeForm


class ApproveForm(SafeForm):
    approve = SubmitField(_l("审核通过"))
    # "1" once the reviewer has answered the page's question; the first press only asks.
    confirmed = HiddenField()


class ReturnForm(SafeForm):
    reason = TextAreaField(_l("整户退回原因"), validators=[Optional(), Length(max=500)])
    send_back = SubmitField(_l("退回修改"))


def return_form(members) -> ReturnForm:
    """A return form with a ``member_<id>`` reason field for each member."""

    class MemberReturnForm(ReturnForm):
        pass

    for member in members:
        setattr(MemberReturnForm, f"member_{member.id}",
                TextAreaField(member.person.name, validators=[Optional(), Length(max=500)]))
    return MemberReturnForm()


def member_reasons(form: ReturnForm, members) -> dict[int, str]:
    return {member.id: form[f"member_{member.id}"].data or "" for member in members}
