"""The reporting pages: a division's submission for a period with its versions and the
status of every division below it, and the steps (submit, sign off, upload the scan,
approve, return, ask for a correction)."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.periods import PeriodError
from field_app.core.permissions import require, require_can
from field_app.core.security import site_url
from field_app.divisions.queries import ancestors_of
from field_app.extensions import db
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.indicators.explain import PERSON_INDICATORS, Scope
from field_app.reporting import labels, operations, queries
from field_app.reporting.calendar import Period, PeriodKind, period_containing, previous, recent_periods
from field_app.reporting.forms import ReasonForm, ReturnForm, ScanForm, StepForm, SubmitForm
from field_app.reporting.models import SubmissionStatus
from field_app.reports.models import ReportKind
from field_app.statistics.explain import render_difference
from field_app.statistics.labels import INDICATOR_LABELS

bp = Blueprint("reporting", __name__)
viewers = require_can(Capability.VIEW_SUBMISSIONS)
submitters = require_can(Capability.SUBMIT_REPORTS)
approvers = require_can(Capability.APPROVE_SUBMISSIONS)
signers = require_can(Capability.SIGN_OFF_REPORTS)
scanners = require(lambda user: user.can(Capability.SUBMIT_REPORTS)
                   or user.can(Capability.SIGN_OFF_REPORTS))


def _default_period() -> Period:
    return previous(period_containing(clock.today(), PeriodKind.MONTH))


def _period_arg(text: str | None) -> Period:
    if not text:
        return _default_period()
    try:
        return Period.parse(text)
    except PeriodError:
        raise OutOfScope() from None


@bp.get("/reporting/")
@viewers
def home():
    return redirect(url_for("reporting.show", code=current_user.division_code,
                            period=request.args.get("period") or _default_period().key))


def _page(division, period: Period, forms: dict | None = None):
    session = db.session
    versions = queries.versions(session, division.code, period)
    current = versions[0] if versions else None
    rows = queries.board(session, current_app.config, division, period, clock.today())
    people = queries.people_of(session, [*versions, *(r.submission for r in rows)])
    forms = {"submit": SubmitForm(prefix="submit"), "sign": StepForm(prefix="sign"),
             "scan": ScanForm(prefix="scan"), "approve": StepForm(prefix="approve"),
             "return": ReturnForm(prefix="return"), "correct": ReasonForm(prefix="correct"),
             **(forms or {})}
    user = current_user
    own = user.division_code == division.code
    is_parent = division.parent_code == user.division_code
    status = current.status if current else None
    may = {
        "submit": own and user.can(Capability.SUBMIT_REPORTS, at=division.code)
        and status in (None, SubmissionStatus.RETURNED, SubmissionStatus.REOPENED)
        and period.end < clock.today(),
        "sign": own and user.can(Capability.SIGN_OFF_REPORTS, at=division.code)
        and status in operations.HOLDING and current.signed_at is None,
        "scan": own and current is not None and status in operations.HOLDING
        and (user.can(Capability.SUBMIT_REPORTS, at=division.code)
             or user.can(Capability.SIGN_OFF_REPORTS, at=division.code)),
        "approve": is_parent and user.can(Capability.APPROVE_SUBMISSIONS, at=division.code)
        and status == SubmissionStatus.SUBMITTED,
        "return": is_parent and user.can(Capability.APPROVE_SUBMISSIONS, at=division.code)
        and status in operations.HOLDING,
        "correct": own and user.can(Capability.SUBMIT_REPORTS, at=division.code)
        and status in operations.HOLDING,
    }
    today = clock.today()
    return render_template(
        "reporting/show.html", division=division, period=period, versions=versions,
        current=current, rows=rows, people=people, forms=forms, may=may, labels=labels,
        indicator_labels=INDICATOR_LABELS, keys=INDICATOR_KEYS,
        ancestors=[a for a in ancestors_of(db.session, division)
                   if user.can(Capability.VIEW_SUBMISSIONS, at=a.code)],
        periods=recent_periods(today, current_app.config.get("REPORT_PERIOD_KINDS")
                               or [k.value for k in PeriodKind]),
        reports=queries.reports_of(db.session, current) if current else [],
        scans=queries.scans_of(db.session, current) if current else [],
        villages=queries.roster_villages(db.session, current) if current else [],
        can_print=user.can(Capability.PRINT_REPORTS, at=division.code),
        can_explain=user.can(Capability.EXPLAIN_FIGURES, at=division.code),
        changed_figures=queries.changed_figures,
        due=operations.due_date(current_app.config, division.level, period))


@bp.get("/reporting/<code>")
@viewers
def show(code: str):
    division = queries.get_reporting_division_or_404(db.session, code, current_user)
    return _page(division, _period_arg(request.args.get("period")))


def _back(submission) -> str:
    return url_for("reporting.show", code=submission.division_code, period=submission.period_key)


@bp.post("/reporting/<code>/<period>/submit")
@submitters
def submit(code: str, period: str):
    division = queries.get_reporting_division_or_404(db.session, code, current_user)
    chosen = _period_arg(period)
    form = SubmitForm(prefix="submit")
    return handle_form(form, lambda: operations.submit(
        db.session, division_code=division.code, period=chosen, actor=current_user,
        policy=current_policy(), site_url=site_url(), explanation=form.explanation.data),
        template=lambda: _page(division, chosen, {"submit": form}), success=_back,
        message=_("已报送"))


def _step(submission_id: int, name: str, form, operate, message: str):
    submission = queries.get_submission_or_404(db.session, submission_id, current_user)
    division = queries.get_reporting_division_or_404(db.session, submission.division_code,
                                                     current_user)
    return handle_form(form, lambda: operate(submission),
                       template=lambda: _page(division, Period(submission.period_start,
                                                               submission.period_end),
                                              {name: form}),
                       success=lambda _done: _back(submission), message=message)


@bp.post("/reporting/submissions/<int:submission_id>/sign-off")
@signers
def sign_off(submission_id: int):
    return _step(submission_id, "sign", StepForm(prefix="sign"),
                 lambda s: operations.sign_off(db.session, s, actor=current_user),
                 _("已签发"))


@bp.post("/reporting/submissions/<int:submission_id>/scan")
@scanners
def upload_scan(submission_id: int):
    form = ScanForm(prefix="scan")

    def operate(s):
        upload = form.scan.data
        return operations.upload_scan(db.session, s, actor=current_user,
                                      filename=upload.filename or "", data=upload.read())

    return _step(submission_id, "scan", form, operate, _("扫描件已上传"))


@bp.post("/reporting/submissions/<int:submission_id>/approve")
@approvers
def approve(submission_id: int):
    return _step(submission_id, "approve", StepForm(prefix="approve"),
                 lambda s: operations.approve(db.session, s, actor=current_user),
                 _("已审核通过"))


@bp.post("/reporting/submissions/<int:submission_id>/return")
@approvers
def return_submission(submission_id: int):
    form = ReturnForm(prefix="return")
    return _step(submission_id, "return", form,
                 lambda s: operations.return_submission(db.session, s, actor=current_user,
                                                        reason=form.reason.data,
                                                        items=form.items()),
                 _("已退回"))


@bp.post("/reporting/submissions/<int:submission_id>/correction")
@submitters
def correction(submission_id: int):
    form = ReasonForm(prefix="correct")
    return _step(submission_id, "correct", form,
                 lambda s: operations.request_correction(db.session, s, actor=current_user,
                                                         reason=form.reason.data),
                 _("已申请更正：请修改数据后重新报送"))


@bp.get("/reporting/submissions/<int:submission_id>/scans/<int:scan_id>")
@viewers
def download_scan(submission_id: int, scan_id: int):
    submission = queries.get_submission_or_404(db.session, submission_id, current_user)
    scan = queries.get_scan_or_404(db.session, submission, scan_id)
    record(db.session, "submission_scan_download", target_type="submissions",
           target_id=submission.id, division=submission.division_code, note=scan.sha256)
    return send_file(io.BytesIO(scan.content), mimetype=scan.media_type, as_attachment=True,
                     download_name=scan.filename)


@bp.get("/reporting/submissions/<int:submission_id>/<kind>.pdf")
@viewers
def report_pdf(submission_id: int, kind: str):
    submission = queries.get_submission_or_404(db.session, submission_id, current_user)
    if kind not in (ReportKind.RURAL.value, ReportKind.URBAN.value, ReportKind.ROSTER.value):
        raise OutOfScope()
    village = request.args.get("village") if kind == ReportKind.ROSTER.value else None
    report, pdf = operations.submission_report(db.session, submission, kind, actor=current_user,
                                               site_url=site_url(), village_code=village)
    record(db.session, "report_download", target_type="reports", target_id=report.id,
           division=report.division_code, note=report.number)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{report.number}.pdf")


@bp.get("/reporting/submissions/<int:submission_id>/compare/<indicator>")
@require_can(Capability.EXPLAIN_FIGURES)
def compare(submission_id: int, indicator: str):
    """Who a figure counted in this version and not in the one before it, and the converse."""
    newer = queries.get_submission_or_404(db.session, submission_id, current_user)
    division = queries.get_reporting_division_or_404(db.session, newer.division_code,
                                                     current_user)
    if (indicator not in PERSON_INDICATORS or newer.figures.get("basis") != "live"
            or not current_user.can(Capability.EXPLAIN_FIGURES, at=division.code)):
        raise OutOfScope()
    period = Period(newer.period_start, newer.period_end)
    older = next((v for v in queries.versions(db.session, division.code, period)
                  if v.version == newer.version - 1), None)
    if older is None:
        raise OutOfScope()
    scope = Scope(division.code, newer.period_start, newer.period_end)
    return render_difference(
        division, indicator, scope, scope,
        first_ids=queries.stored_persons(older, indicator),
        second_ids=queries.stored_persons(newer, indicator),
        titles=(_("第%(v)s版", v=older.version), _("第%(v)s版", v=newer.version)))
