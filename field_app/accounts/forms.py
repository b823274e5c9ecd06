"""WTForms for sign-in, password change, restore requests and account administration."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from field_app.accounts.roles import Role
from field_app.core.forms import SafeForm

ROLE_LABELS = {
    Role.VILLAGE_COLLECTOR: _l("村级信息采集员"),
    Role.TOWNSHIP_REVIEWER: _l("乡镇审核员"),
    Role.COUNTY_STATISTICIAN: _l("旗县统计员"),
    Role.COUNTY_LEADER: _l("旗县分管领导"),
    Role.COUNTY_ADMIN: _l("旗县系统管理员"),
    Role.LEAGUE_STATISTICIAN: _l("盟市统计员"),
    Role.REGION_STATISTICIAN: _l("自治区统计员"),
    Role.LEAGUE_ADMIN: _l("盟市系统管理员"),
    Role.REGION_ADMIN: _l("自治区系统管理员"),
    Role.AUDITOR: _l("审计员"),
}

STATE_LABELS = {
    "active": _l("正常"),
    "locked": _l("已锁定"),
    "cancelled": _l("已注销"),
    "deactivated": _l("已停用"),
}

_required = DataRequired(message=_l("必填"))


class LoginForm(SafeForm):
    username = StringField(_l("用户名"), validators=[_required, Length(max=40)])
    password = PasswordField(_l("密码"), validators=[_required])


class ChangePasswordForm(SafeForm):
    current = PasswordField(_l("当前密码"), validators=[_required])
    new = PasswordField(_l("新密码"), validators=[_required])


class RestoreRequestForm(SafeForm):
    username = StringField(_l("用户名"), validators=[_required, Length(max=40)])
    password = PasswordField(_l("密码"), validators=[_required])
    reason = TextAreaField(_l("申请理由"), validators=[_required, Length(max=500)])


def _role_choices(roles: Iterable[Role]) -> list[SelectChoice]:
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in roles]


class RoleField(SelectField):
    """Offers the roles it is given (those the administrator grants), accepts any role:
    whether this administrator may give it, and where, is the operation's to say
    (``User.can_assign``), with its own message."""

    def pre_validate(self, form) -> None:
        if self.data not in {role.value for role in Role}:
            raise ValidationError(self.gettext("Not a valid choice."))


class _RoleForm(SafeForm):
    """A form with a role to choose; ``roles`` are the ones offered."""

    role = RoleField(_l("岗位"), validators=[_required])

    def __init__(self, *args, roles: Iterable[Role] = tuple(Role), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices(roles)


class AccountForm(_RoleForm):
    username = StringField(_l("用户名"), validators=[
        _required, Length(min=3, max=40),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("用户名只能包含字母、数字、点、下划线和连字符"))])
    display_name = StringField(_l("姓名"), validators=[_required, Length(max=100)])
    phone = StringField(_l("手机号"), validators=[Optional(), Regexp(r"^1\d{10}$",
                                                                 message=_l("手机号应为11位"))])
    division_code = StringField(_l("所属区划代码"), validators=[
        _required, Regexp(r"^\d{12}$", message=_l("区划代码应为12位数字"))])
    password = PasswordField(_l("初始密码"), validators=[_required])


class AssignmentForm(_RoleForm):
    division_code = StringField(_l("所属区划代码"), validators=[
        _required, Regexp(r"^\d{12}$", message=_l("区划代码应为12位数字"))])


class DeactivateForm(SafeForm):
    reason = SelectField(_l("原因"), choices=[SelectChoice("transfer", _l("调动")),
                                             SelectChoice("resignation", _l("离职"))])


class ResetPasswordForm(SafeForm):
    password = PasswordField(_l("新的初始密码"), validators=[_required])


class DecisionForm(SafeForm):
    note = StringField(_l("处理意见"), validators=[Optional(), Length(max=200)])


class CodeForm(SafeForm):
    """The second step: six digits from the authenticator app, or a recovery code."""
    code = StringField(_l("验证码"), validators=[_required, Length(max=20)])


class DisableSecondFactorForm(SafeForm):
    password = PasswordField(_l("当前密码"), validators=[_required])


class ConfirmForm(SafeForm):
    """A button with nothing to fill in (its CSRF token only)."""
