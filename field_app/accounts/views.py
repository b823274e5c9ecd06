"""Sign-in, password change, restore requests and account administration pages."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from field_app.accounts import operations, queries, two_factor
from field_app.accounts.capabilities import Capability
from field_app.accounts.forms import (
    ROLE_LABELS,
    STATE_LABELS,
    AccountForm,
    AssignmentForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    DeactivateForm,
    DecisionForm,
    DisableSecondFactorForm,
    LoginForm,
    ResetPasswordForm,
    RestoreRequestForm,
)
from field_app.accounts.models import User
from field_app.accounts.roles import Role
from field_app.accounts.session import (
    client_ip,
    current_account_policy,
    current_throttle,
    start_session,
)
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.codes import is_code
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.divisions.models import Division
from field_app.extensions import db

bp = Blueprint("accounts", __name__)
admin_only = require_can(Capability.MANAGE_ACCOUNTS)


def _can(capability: str, at: str | None = None) -> bool:
    """``current_user.can`` for templates, by the capability's name (a misspelt name
    raises rather than hiding a menu entry)."""
    return current_user.is_authenticated and current_user.can(Capability(capability), at)


@bp.app_context_processor
def labels():
    """What every page may ask: the role and state labels, and ``can`` for the menu."""
    return {"role_labels": ROLE_LABELS, "state_labels": STATE_LABELS,
            "lock_days": current_account_policy().lock_after.days, "can": _can}


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the home page.

    Browsers forgive much in a Location header (tabs and line breaks dropped, a backslash
    read as a slash), so anything that could read as another host is refused whole rather
    than cleaned: a scheme, a host, ``//``, backslashes, whitespace, control characters.
    """
    home = url_for("statistics.home")
    if not target or len(target) > 2048 or "\\" in target:
        return home
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.args.get("expired") and not form.is_submitted():
        flash(_("登录已超时，请重新登录"), "info")
    # A refusal keeps its audit row (keep_writes) and answers 401, or 429 when throttled.
    return handle_form(form, lambda: operations.authenticate(
        db.session, form.username.data, form.password.data, ip=client_ip(),
        policy=current_account_policy(), throttle=current_throttle()),
        success=_password_accepted, keep_writes=True, template="accounts/login.html")


def _password_accepted(user: User):
    target = safe_next(request.args.get("next"))
    if user.signs_in_with_second_factor:
        return _begin_second_step(user, target)
    start_session(user, second_factor=False)
    return target


def _begin_second_step(user: User, target: str):
    """Password accepted; no session yet. The browser holds which account is half-way in,
    at which session generation, since when, and where it was going."""
    session.clear()
    session["pending"] = {"user": user.id, "generation": user.session_generation,
                          "at": clock.now().timestamp(), "next": target}
    step = "accounts.second_factor" if user.has_second_factor else "accounts.enrol_at_sign_in"
    return redirect(url_for(step))


def _pending_user() -> User | None:
    """The account whose password this browser gave within the second-step window, if it
    is still active and nothing has ended its sessions since."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    window = current_account_policy().second_step_window.total_seconds()
    if clock.now().timestamp() - pending.get("at", 0) > window:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.is_active or user.session_generation != pending.get("generation"):
        return None
    return user


def _second_step_expired():
    session.pop("pending", None)
    flash(_("验证已超时，请重新登录"), "info")
    return redirect(url_for("accounts.login"))


def _finish_second_step(user: User):
    target = session["pending"]["next"]
    start_session(user, second_factor=True)
    return target


@bp.route("/login/verify", methods=["GET", "POST"])
def second_factor():
    user = _pending_user()
    if user is None:
        return _second_step_expired()
    if not user.has_second_factor:
        return redirect(url_for("accounts.enrol_at_sign_in"))
    form = CodeForm()

    def verify():
        how = operations.verify_second_factor(db.session, user, form.code.data,
                                              ip=client_ip(), throttle=current_throttle())
        operations.complete_sign_in(db.session, user, note=how)

    return handle_form(form, verify, success=lambda _done: _finish_second_step(user),
                       keep_writes=True, template="accounts/second_factor.html")


def _candidate_secret() -> str:
    """The secret being enrolled, kept in the (signed) session until a code confirms it."""
    if not isinstance(session.get("totp_candidate"), str):
        session["totp_candidate"] = two_factor.new_secret()
    return session["totp_candidate"]


def _enrol_page(form, user: User, secret: str) -> str:
    uri = two_factor.provisioning_uri(secret, user.username)
    return render_template("accounts/enrol.html", form=form, secret=two_factor.grouped(secret),
                           qr=two_factor.qr_data_uri(uri))


def _codes_page(codes: list[str], target: str):
    """The recovery codes, shown once, after a success rather than a redirect."""
    return make_response(render_template("accounts/recovery_codes.html", codes=codes,
                                         next=target))


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol_at_sign_in():
    """A role that requires the second factor, signing in without one yet (a new account,
    or one whose authenticator an administrator has reset), enrols before going in."""
    user = _pending_user()
    if user is None:
        return _second_step_expired()
    if user.has_second_factor:
        return redirect(url_for("accounts.second_factor"))
    secret, form = _candidate_secret(), CodeForm()

    def enrol():
        codes = operations.enable_second_factor(db.session, user, secret, form.code.data)
        operations.complete_sign_in(db.session, user, note="second factor: enrolled")
        return codes

    return handle_form(form, enrol, template=lambda: _enrol_page(form, user, secret),
                       success=lambda codes: _codes_page(codes, _finish_second_step(user)))


@bp.post("/logout")
def logout():
    operations.end_sessions(current_user)  # a copy of this cookie must not work either
    record(db.session, "sign_out", target_type="users", target_id=current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    return handle_form(form, lambda: operations.change_password(
        db.session, current_user, form.current.data, form.new.data, current_account_policy(),
        ip=client_ip(), throttle=current_throttle()),
        success=_password_changed, message=_("密码已修改，其他设备上的登录已退出"),
        keep_writes=True, template="accounts/password.html")  # the wrong password's audit row


def _password_changed(_result) -> str:
    session["generation"] = current_user.session_generation  # this one goes on
    return url_for("statistics.home")


@bp.get("/account/two-factor")
def two_factor_settings():
    return _two_factor_page()


def _two_factor_page(**given) -> str:
    remaining = (operations.unused_recovery_codes(db.session, current_user)
                 if current_user.has_second_factor else 0)
    forms = {"disable": DisableSecondFactorForm(formdata=None), "renew": CodeForm(formdata=None)}
    return render_template("accounts/two_factor.html", remaining=remaining, **(forms | given))


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
def enrol_second_factor():
    if current_user.has_second_factor:
        return redirect(url_for("accounts.two_factor_settings"))
    secret, form = _candidate_secret(), CodeForm()
    return handle_form(form, lambda: operations.enable_second_factor(
        db.session, current_user, secret, form.code.data),
        template=lambda: _enrol_page(form, current_user, secret), success=_enrolled)


def _enrolled(codes: list[str]):
    session.pop("totp_candidate", None)
    # Other sessions, signed in without it, have ended; this one has shown a code.
    session["generation"] = current_user.session_generation
    session["second_factor"] = True
    return _codes_page(codes, url_for("accounts.two_factor_settings"))


@bp.post("/account/two-factor/recovery-codes")
def renew_recovery_codes():
    form = CodeForm()
    return handle_form(form, lambda: operations.renew_recovery_codes(
        db.session, current_user, form.code.data, ip=client_ip(), throttle=current_throttle()),
        template=lambda: _two_factor_page(renew=form), keep_writes=True,  # a wrong code's row
        success=lambda codes: _codes_page(codes, url_for("accounts.two_factor_settings")))


@bp.post("/account/two-factor/disable")
def disable_second_factor():
    form = DisableSecondFactorForm()
    return handle_form(form, lambda: operations.disable_second_factor(
        db.session, current_user, form.password.data, ip=client_ip(),
        throttle=current_throttle()),
        template=lambda: _two_factor_page(disable=form), keep_writes=True,  # a wrong password
        success=_second_factor_disabled, message=_("两步验证已停用"))


def _second_factor_disabled(_result) -> str:
    session["second_factor"] = False
    return url_for("accounts.two_factor_settings")


@bp.route("/restore-request", methods=["GET", "POST"])
def restore_request():
    form = RestoreRequestForm()
    return handle_form(form, lambda: operations.file_restore_request(
        db.session, username=form.username.data, password=form.password.data,
        reason=form.reason.data, ip=client_ip(), policy=current_account_policy(),
        throttle=current_throttle()),
        success=lambda _request: url_for("accounts.login"), keep_writes=True,  # wrong password
        message=_("恢复权限申请已提交，请等待管理员审批"), template="accounts/restore_request.html")


@bp.get("/accounts")
@admin_only
def list_accounts():
    # ``division``: the accounts of one division's subtree (the appraisal links here); a
    # code outside the administrator's jurisdiction finds nothing, as the list is scoped.
    division = db.session.get(Division, request.args.get("division", "")) \
        if is_code(request.args.get("division", "")) else None
    accounts = queries.managed_accounts(db.session, current_user, text=request.args.get("q"),
                                        division=division.code if division else None)
    return render_template("accounts/list.html", accounts=accounts, division=division)


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_only
def new_account():
    form = AccountForm(roles=current_user.grantable_roles())
    return handle_form(form, lambda: operations.create_account(
        db.session, actor=current_user, username=form.username.data,
        display_name=form.display_name.data, role=Role(form.role.data),
        division_code=form.division_code.data, password=form.password.data,
        policy=current_account_policy(), phone=form.phone.data or None),
        success=lambda account: url_for("accounts.show_account", account_id=account.id),
        template="accounts/new.html")


@bp.get("/accounts/<int:account_id>")
@admin_only
def show_account(account_id: int):
    return _account_page(queries.get_account_or_404(db.session, account_id, current_user))


def _account_page(account: User, **given) -> str:
    """The account with its action forms; ``given``: a refused one, shown with its errors."""
    forms = {"assignment": AssignmentForm(formdata=None, role=account.role and account.role.value,
                                          division_code=account.division_code,
                                          roles=current_user.grantable_roles()),
             "deactivate": DeactivateForm(formdata=None),
             "reset": ResetPasswordForm(formdata=None),
             "reset_second_factor": ConfirmForm(formdata=None)}
    return render_template("accounts/show.html", account=account, **(forms | given))


def _account_action(account_id: int, name: str, form, action, done_message: str):
    """Load → authorise → the form pipeline, for the forms on an account's page (``name``)."""
    account = queries.get_account_or_404(db.session, account_id, current_user)
    return handle_form(form, lambda: action(account, form), message=done_message,
                       template=lambda: _account_page(account, **{name: form}),
                       success=lambda _done: url_for("accounts.show_account",
                                                     account_id=account.id))


@bp.post("/accounts/<int:account_id>/assignment")
@admin_only
def assign(account_id: int):
    form = AssignmentForm(roles=current_user.grantable_roles())
    return _account_action(account_id, "assignment", form, lambda account, form:
                           operations.change_assignment(db.session, account,
                                                        actor=current_user,
                                                        role=Role(form.role.data),
                                                        division_code=form.division_code.data),
                           _("岗位已更新"))


@bp.post("/accounts/<int:account_id>/deactivate")
@admin_only
def deactivate(account_id: int):
    return _account_action(account_id, "deactivate", DeactivateForm(), lambda account, form:
                           operations.deactivate(account, actor=current_user,
                                                 reason=form.reason.data),
                           _("账号已停用，权限已清除"))


@bp.post("/accounts/<int:account_id>/password")
@admin_only
def reset_password(account_id: int):
    return _account_action(account_id, "reset", ResetPasswordForm(), lambda account, form:
                           operations.reset_password(account, actor=current_user,
                                                     password=form.password.data,
                                                     policy=current_account_policy()),
                           _("密码已重置，用户下次登录须修改密码"))


@bp.post("/accounts/<int:account_id>/two-factor/reset")
@admin_only
def reset_second_factor(account_id: int):
    return _account_action(account_id, "reset_second_factor", ConfirmForm(), lambda account, form:
                           operations.reset_second_factor(db.session, account,
                                                          actor=current_user),
                           _("两步验证已重置，该用户下次登录时重新绑定"))


@bp.get("/restore-requests")
@admin_only
def restore_requests():
    return _restore_requests_page(DecisionForm(formdata=None))


def _restore_requests_page(form) -> str:
    pending = queries.pending_restore_requests(db.session, current_user)
    return render_template("accounts/restore_requests.html", requests=pending, form=form)


@bp.post("/restore-requests/<int:request_id>/<any(approve, refuse):decision>")
@admin_only
def decide_restore(request_id: int, decision: str):
    restore = queries.get_restore_request_or_404(db.session, request_id, current_user)
    form = DecisionForm()
    return handle_form(form, lambda: operations.decide_restore(
        restore, actor=current_user, approve=decision == "approve", note=form.note.data or None),
        template=lambda: _restore_requests_page(form),
        success=lambda _done: url_for("accounts.restore_requests"),
        message=_("已批准") if decision == "approve" else _("已拒绝"))
