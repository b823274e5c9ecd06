"""The quarterly analysis pages: an office's list (its own quarters and the divisions below),
one analysis with its steps, the editor of the three sections, the preview and the
numbered PDF."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.analysis import document, jobs, labels, operations, queries
from field_app.analysis.forms import EditForm, ReturnForm, StepForm
from field_app.analysis.models import EDITABLE, AnalysisStatus
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.core.security import site_url
from field_app.divisions.queries import ancestors_of
from field_app.extensions import db
from field_app.reporting.calendar import ANALYSIS_LEVELS
from field_app.reports.operations import stored_pdf

bp = Blueprint("analysis", __name__)
viewers = require_can(Capability.VIEW_SUBMISSIONS)
writers = require_can(Capability.WRITE_ANALYSIS)
approvers = require_can(Capability.APPROVE_SUBMISSIONS)


def _load(code: str, quarter: str | None = None):
    division = queries.get_analysis_division_or_404(db.session, code, current_user)
    period = queries.quarter_or_404(quarter) if quarter else None
    return division, period


def _writes(division) -> bool:
    return (current_user.division_code == division.code
            and current_user.can(Capability.WRITE_ANALYSIS, at=division.code))


def _reviews(division) -> bool:
    return (division.parent_code == current_user.division_code
            and current_user.can(Capability.APPROVE_SUBMISSIONS, at=division.code))


@bp.get("/analysis/")
@viewers
def home():
    return redirect(url_for("analysis.index", code=current_user.division_code))


@bp.get("/analysis/<code>")
@viewers
def index(code: str):
    division, _none = _load(code)
    today = clock.today()
    chosen = request.args.get("quarter")
    period = queries.quarter_or_404(chosen) if chosen else queries.default_quarter(today)
    config = current_app.config
    return render_template(
        "analysis/index.html", division=division, period=period, labels=labels,
        own=queries.own_rows(db.session, config, division, today),
        below=queries.children_rows(db.session, config, division, period, today),
        quarters=queries.recent_quarters(today), writes=_writes(division),
        ancestors=_ancestors(division))


def _ancestors(division):
    return [a for a in ancestors_of(db.session, division)
            if a.level in ANALYSIS_LEVELS
            and current_user.can(Capability.VIEW_SUBMISSIONS, at=a.code)]


def _page(division, period, forms: dict | None = None):
    analysis = operations.find(db.session, division.code, period)
    status = analysis.status if analysis else None
    reviews = _reviews(division)
    forms = {"approve": StepForm(prefix="approve"), "return": ReturnForm(prefix="return"),
             **(forms or {})}
    due = operations.due_date(division.level, period)
    return render_template(
        "analysis/show.html", division=division, period=period, analysis=analysis,
        labels=labels, forms=forms, due=due,
        late=operations.is_late(analysis, due, clock.today()),
        writes=_writes(division), editable=status is None or status in EDITABLE,
        # A draft is the office's own work until it is submitted.
        shows_sections=analysis is not None and (status != AnalysisStatus.DRAFT
                                                 or current_user.division_code == division.code),
        may_review=reviews and status == AnalysisStatus.SUBMITTED,
        report=queries.report_of(db.session, analysis),
        people=queries.people_of(db.session, analysis), ancestors=_ancestors(division))


@bp.get("/analysis/<code>/<quarter>")
@viewers
def show(code: str, quarter: str):
    division, period = _load(code, quarter)
    return _page(division, period)


def _edit_page(division, period, form, analysis):
    return render_template("analysis/edit.html", division=division, period=period, form=form,
                           analysis=analysis, labels=labels,
                           due=operations.due_date(division.level, period))


@bp.route("/analysis/<code>/<quarter>/edit", methods=["GET", "POST"])
@writers
def edit(code: str, quarter: str):
    division, period = _load(code, quarter)
    if not _writes(division):
        raise OutOfScope()
    analysis = operations.find(db.session, division.code, period)
    if analysis is not None and analysis.status not in EDITABLE:
        return redirect(url_for("analysis.show", code=division.code, quarter=period.key))
    form = EditForm(prefix="edit", obj=analysis if request.method == "GET" else None)
    submitting = form.action.data == "submit"

    def operate():
        saved = operations.save(db.session, division_code=division.code, period=period,
                                actor=current_user, sections=form.sections())
        # The numbered PDF is a job (analysis.jobs); its page follows the progress.
        return jobs.enqueue_submit(db.session, saved, actor=current_user) if submitting \
            else saved

    return handle_form(form, operate,
                       template=lambda: _edit_page(division, period, form, analysis),
                       success=lambda done: url_for("jobs.show", job_id=done.id) if submitting
                       else url_for("analysis.show", code=division.code, quarter=period.key),
                       message=_("季分析已保存，正在生成文件并报送") if submitting
                       else _("已保存草稿"))


@bp.get("/analysis/<code>/<quarter>/preview.pdf")
@writers
def preview(code: str, quarter: str):
    """The document as it stands now, unnumbered (the writer's own division only)."""
    division, period = _load(code, quarter)
    if not _writes(division):
        raise OutOfScope()
    analysis = operations.find(db.session, division.code, period)
    sections = analysis.sections() if analysis else {}
    content = document.build_content(db.session, division, period, sections, current_policy())
    pdf = document.preview_pdf(content, site_url())
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"analysis-{division.code}-{period.key}-preview.pdf")


@bp.get("/analysis/<code>/<quarter>/analysis.pdf")
@viewers
def pdf(code: str, quarter: str):
    """The numbered document of the latest submission."""
    division, period = _load(code, quarter)
    report = queries.report_of(db.session, operations.find(db.session, division.code, period))
    if report is None:
        raise OutOfScope()
    record(db.session, "report_download", target_type="reports", target_id=report.id,
           division=report.division_code, note=report.number)
    return send_file(io.BytesIO(stored_pdf(db.session, report)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"{report.number}.pdf")


def _step(code: str, quarter: str, name: str, form, operate, message: str):
    division, period = _load(code, quarter)
    analysis = operations.find(db.session, division.code, period)
    if analysis is None:
        raise OutOfScope()
    return handle_form(form, lambda: operate(analysis),
                       template=lambda: _page(division, period, {name: form}),
                       success=lambda _done: url_for("analysis.show", code=division.code,
                                                     quarter=period.key),
                       message=message)


@bp.post("/analysis/<code>/<quarter>/approve")
@approvers
def approve(code: str, quarter: str):
    return _step(code, quarter, "approve", StepForm(prefix="approve"),
                 lambda a: operations.approve(db.session, a, actor=current_user),
                 _("季分析已审核通过"))


@bp.post("/analysis/<code>/<quarter>/return")
@approvers
def return_analysis(code: str, quarter: str):
    form = ReturnForm(prefix="return")
    return _step(code, quarter, "return", form,
                 lambda a: operations.return_analysis(db.session, a, actor=current_user,
                                                      reason=form.reason.data),
                 _("季分析已退回"))
