"""Sign-in, password change, restore requests and account administration pages."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from field_app.accounts import operations, queries, two_factor
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
from field_app.core.errors import DomainError
from field_app.core.permissions import require
from field_app.extensions import db

bp = Blueprint("accounts", __name__)
admin_only = require(lambda user: user.is_admin)


@bp.app_context_processor
def labels():
    return {"role_labels": ROLE_LABELS, "state_labels": STATE_LABELS,
            "lock_days": current_account_policy().lock_after.days}


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
    if form.validate_on_submit():
        try:
            user = operations.authenticate(db.session, form.username.data, form.password.data,
                                           ip=client_ip(), policy=current_account_policy(),
                                           throttle=current_throttle())
        except operations.SignInRefused as refused:
            db.session.commit()  # keep the audit entry of the refusal
            flash(str(refused.message), "error")
            return render_template("accounts/login.html", form=form), refused.status
        db.session.commit()
        target = safe_next(request.args.get("next"))
        if user.signs_in_with_second_factor:
            return _begin_second_step(user, target)
        start_session(user, second_factor=False)
        return redirect(target)
    if request.args.get("expired"):
        flash(_("登录已超时，请重新登录"), "info")
    return render_template("accounts/login.html", form=form)


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
    if form.validate_on_submit():
        try:
            how = operations.verify_second_factor(db.session, user, form.code.data,
                                                  ip=client_ip(), throttle=current_throttle())
        except operations.SignInRefused as refused:
            db.session.commit()  # keep the audit entry of the refusal
            flash(str(refused.message), "error")
            return render_template("accounts/second_factor.html", form=form), refused.status
        operations.complete_sign_in(db.session, user, note=how)
        db.session.commit()
        return redirect(_finish_second_step(user))
    return render_template("accounts/second_factor.html", form=form)


def _candidate_secret() -> str:
    """The secret being enrolled, kept in the (signed) session until a code confirms it."""
    if not isinstance(session.get("totp_candidate"), str):
        session["totp_candidate"] = two_factor.new_secret()
    return session["totp_candidate"]


def _enrol_page(form, user: User, secret: str):
    uri = two_factor.provisioning_uri(secret, user.username)
    return render_template("accounts/enrol.html", form=form, secret=two_factor.grouped(secret),
                           qr=two_factor.qr_data_uri(uri))


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
    if form.validate_on_submit():
        try:
            codes = operations.enable_second_factor(db.session, user, secret, form.code.data)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            operations.complete_sign_in(db.session, user, note="second factor: enrolled")
            db.session.commit()
            target = _finish_second_step(user)
            return render_template("accounts/recovery_codes.html", codes=codes, next=target)
    return _enrol_page(form, user, secret)


@bp.post("/logout")
def logout():
    operations.end_sessions(current_user)  # a copy of this cookie must not work either
    record(db.session, "sign_out", target_type="users", target_id=current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(db.session, current_user, form.current.data,
                                       form.new.data, current_account_policy(),
                                       ip=client_ip(), throttle=current_throttle())
        except DomainError as error:
            db.session.commit()  # nothing changed but the audit entry of a wrong password
            flash(str(error.message), "error")
        else:
            db.session.commit()
            session["generation"] = current_user.session_generation  # this one goes on
            flash(_("密码已修改，其他设备上的登录已退出"), "info")
            return redirect(url_for("statistics.home"))
    return render_template("accounts/password.html", form=form)


@bp.get("/account/two-factor")
def two_factor_settings():
    remaining = (operations.unused_recovery_codes(db.session, current_user)
                 if current_user.has_second_factor else 0)
    return render_template("accounts/two_factor.html", remaining=remaining,
                           disable=DisableSecondFactorForm(), renew=CodeForm())


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
def enrol_second_factor():
    if current_user.has_second_factor:
        return redirect(url_for("accounts.two_factor_settings"))
    secret, form = _candidate_secret(), CodeForm()
    if form.validate_on_submit():
        try:
            codes = operations.enable_second_factor(db.session, current_user, secret,
                                                    form.code.data)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            session.pop("totp_candidate", None)
            # Other sessions, signed in without it, have ended; this one has shown a code.
            session["generation"] = current_user.session_generation
            session["second_factor"] = True
            return render_template("accounts/recovery_codes.html", codes=codes,
                                   next=url_for("accounts.two_factor_settings"))
    return _enrol_page(form, current_user, secret)


@bp.post("/account/two-factor/recovery-codes")
def renew_recovery_codes():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = operations.renew_recovery_codes(db.session, current_user, form.code.data,
                                                    ip=client_ip(), throttle=current_throttle())
        except DomainError as error:
            db.session.commit()  # keep the audit entry of a wrong code
            flash(str(error.message), "error")
        else:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes,
                                   next=url_for("accounts.two_factor_settings"))
    return redirect(url_for("accounts.two_factor_settings"))


@bp.post("/account/two-factor/disable")
def disable_second_factor():
    form = DisableSecondFactorForm()
    if form.validate_on_submit():
        try:
            operations.disable_second_factor(db.session, current_user, form.password.data,
                                             ip=client_ip(), throttle=current_throttle())
        except DomainError as error:
            db.session.commit()  # keep the audit entry of a wrong password
            flash(str(error.message), "error")
        else:
            db.session.commit()
            session["second_factor"] = False
            flash(_("两步验证已停用"), "info")
    return redirect(url_for("accounts.two_factor_settings"))


@bp.route("/restore-request", methods=["GET", "POST"])
def restore_request():
    form = RestoreRequestForm()
    if form.validate_on_submit():
        try:
            operations.file_restore_request(db.session, username=form.username.data,
                                            password=form.password.data, reason=form.reason.data,
                                            ip=client_ip(), policy=current_account_policy(),
                                            throttle=current_throttle())
        except DomainError as error:
            db.session.commit()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("恢复权限申请已提交，请等待管理员审批"), "info")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/restore_request.html", form=form)


@bp.get("/accounts")
@admin_only
def list_accounts():
    accounts = queries.managed_accounts(db.session, current_user, text=request.args.get("q"))
    return render_template("accounts/list.html", accounts=accounts)


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_only
def new_account():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account = operations.create_account(
                db.session, actor=current_user, username=form.username.data,
                display_name=form.display_name.data, role=Role(form.role.data),
                division_code=form.division_code.data, password=form.password.data,
                policy=current_account_policy(), phone=form.phone.data or None)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            return redirect(url_for("accounts.show_account", account_id=account.id))
    return render_template("accounts/new.html", form=form)


@bp.get("/accounts/<int:account_id>")
@admin_only
def show_account(account_id: int):
    account = queries.get_account_or_404(db.session, account_id, current_user)
    return render_template(
        "accounts/show.html", account=account,
        assignment=AssignmentForm(role=account.role and account.role.value,
                                  division_code=account.division_code),
        deactivate=DeactivateForm(), reset=ResetPasswordForm(), reset_second_factor=ConfirmForm())


def _account_action(account_id: int, form, action, done_message: str):
    """Load, authorise, validate, operate, commit, respond: shared by the account actions."""
    account = queries.get_account_or_404(db.session, account_id, current_user)
    if form.validate_on_submit():
        try:
            action(account, form)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(done_message, "info")
    else:
        flash("；".join(e for errors in form.errors.values() for e in map(str, errors)), "error")
    return redirect(url_for("accounts.show_account", account_id=account.id))


@bp.post("/accounts/<int:account_id>/assignment")
@admin_only
def assign(account_id: int):
    return _account_action(account_id, AssignmentForm(), lambda account, form:
                           operations.change_assignment(db.session, account,
                                                        actor=current_user,
                                                        role=Role(form.role.data),
                                                        division_code=form.division_code.data),
                           _("岗位已更新"))


@bp.post("/accounts/<int:account_id>/deactivate")
@admin_only
def deactivate(account_id: int):
    return _account_action(account_id, DeactivateForm(), lambda account, form:
                           operations.deactivate(account, actor=current_user,
                                                 reason=form.reason.data),
                           _("账号已停用，权限已清除"))


@bp.post("/accounts/<int:account_id>/password")
@admin_only
def reset_password(account_id: int):
    return _account_action(account_id, ResetPasswordForm(), lambda account, form:
                           operations.reset_password(account, actor=current_user,
                                                     password=form.password.data,
                                                     policy=current_account_policy()),
                           _("密码已重置，用户下次登录须修改密码"))


@bp.post("/accounts/<int:account_id>/two-factor/reset")
@admin_only
def reset_second_factor(account_id: int):
    return _account_action(account_id, ConfirmForm(), lambda account, form:
                           operations.reset_second_factor(db.session, account,
                                                          actor=current_user),
                           _("两步验证已重置，该用户下次登录时重新绑定"))


@bp.get("/restore-requests")
@admin_only
def restore_requests():
    pending = queries.pending_restore_requests(db.session, current_user)
    return render_template("accounts/restore_requests.html", requests=pending,
                           form=DecisionForm())


@bp.post("/restore-requests/<int:request_id>/<any(approve, refuse):decision>")
@admin_only
def decide_restore(request_id: int, decision: str):
    restore = queries.get_restore_request_or_404(db.session, request_id, current_user)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            operations.decide_restore(restore, actor=current_user, approve=decision == "approve",
                                      note=form.note.data or None)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("已批准") if decision == "approve" else _("已拒绝"), "info")
    return redirect(url_for("accounts.restore_requests"))
