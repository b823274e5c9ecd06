"""Sign-in, password change, restore requests and account administration pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from field_app.accounts import operations, queries
from field_app.accounts.forms import (
    ROLE_LABELS,
    STATE_LABELS,
    AccountForm,
    AssignmentForm,
    ChangePasswordForm,
    DeactivateForm,
    DecisionForm,
    LoginForm,
    ResetPasswordForm,
    RestoreRequestForm,
)
from field_app.accounts.roles import Role
from field_app.accounts.session import client_ip, current_account_policy
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


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("divisions.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(db.session, form.username.data, form.password.data,
                                           ip=client_ip(), policy=current_account_policy())
        except operations.SignInRefused as refused:
            db.session.commit()  # keep the failure count and its audit entry
            flash(str(refused.message), "error")
            return render_template("accounts/login.html", form=form), 401
        db.session.commit()
        session.clear()
        login_user(user)
        session["seen"] = clock.now().timestamp()  # the idle clock starts at sign-in
        return redirect(_safe_next(request.args.get("next")))
    if request.args.get("expired"):
        flash(_("登录已超时，请重新登录"), "info")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
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
            operations.change_password(current_user, form.current.data, form.new.data,
                                       current_account_policy())
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("密码已修改"), "info")
            return redirect(url_for("divisions.home"))
    return render_template("accounts/password.html", form=form)


@bp.route("/restore-request", methods=["GET", "POST"])
def restore_request():
    form = RestoreRequestForm()
    if form.validate_on_submit():
        try:
            operations.file_restore_request(db.session, username=form.username.data,
                                            password=form.password.data, reason=form.reason.data,
                                            ip=client_ip(), policy=current_account_policy())
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
        deactivate=DeactivateForm(), reset=ResetPasswordForm())


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
