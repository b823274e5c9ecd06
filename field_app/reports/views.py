"""The reports page, downloads, and the public verification of a printed copy."""
from __future__ import annotations

import hashlib
import io

from flask import Blueprint, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.core.codes import Level
from field_app.divisions.queries import ancestors_of, children_of
from field_app.extensions import db
from field_app.jobs.models import Job
from field_app.reports import jobs, labels, operations, queries
from field_app.reports.forms import GenerateForm, default_period
from field_app.reports.models import ReportKind

bp = Blueprint("reports", __name__)
printers = require_can(Capability.PRINT_REPORTS)


def _pdf_response(report, pdf: bytes):
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{report.number}.pdf")


@bp.get("/reports/")
@printers
def index():
    division = queries.get_printable_division_or_404(
        db.session, request.args.get("division") or current_user.division_code, current_user)
    form = GenerateForm(division=division.code, period=default_period(clock.today()))
    return _index_page(division, form)


def _index_page(division, form) -> str:
    return render_template(
        "reports/index.html", division=division, form=form, labels=labels, kinds=ReportKind,
        ancestors=[a for a in ancestors_of(db.session, division)
                   if current_user.can(Capability.PRINT_REPORTS, at=a.code)],
        children=children_of(db.session, division.code), is_village=division.level == Level.VILLAGE,
        # A township's rows are its villages already: "village by village" adds nothing there.
        offers_by_village=division.level < Level.TOWNSHIP,
        reports=queries.recent_reports(db.session, current_user))


@bp.post("/reports/")
@printers
def generate():
    form = GenerateForm()
    division = queries.get_printable_division_or_404(db.session, form.division.data, current_user)
    return handle_form(form, lambda: jobs.generate_or_enqueue(
        db.session, kind=form.kind.data, division_code=division.code,
        start=form.period_range[0], end=form.period_range[1], actor=current_user,
        row_level=Level.VILLAGE if form.by_village.data else None),
        template=lambda: _index_page(division, form), success=_printed,
        message=_l("报表较大，正在后台生成；完成后在此页下载"))


def _printed(done):
    """A small report's PDF at once; a large one's job page (``reports.jobs``)."""
    if isinstance(done, Job):
        return url_for("jobs.show", job_id=done.id)
    return _pdf_response(*done)


@bp.get("/reports/<number>.pdf")
@printers
def download(number: str):
    report = queries.get_report_or_404(db.session, number, current_user)
    pdf = operations.stored_pdf(db.session, report)
    record(db.session, "report_download", target_type="reports", target_id=report.id,
           division=report.division_code, note=report.number)
    return _pdf_response(report, pdf)


@bp.route("/verify/<number>", methods=["GET", "POST"])
def verify(number: str):
    """Public: what the numbered report showed, and whether a given hash or file is it."""
    report = queries.get_public_report_or_404(db.session, number)
    candidate = request.args.get("sha256")
    if request.method == "POST":
        # The body's size is capped before any hook reads it (core.security.BODY_LIMITS).
        upload = request.files.get("pdf")
        candidate = (hashlib.sha256(upload.read()).hexdigest() if upload and upload.filename
                     else request.form.get("sha256"))
    return render_template("reports/verify.html", report=report, labels=labels,
                           candidate=(candidate or "").strip(),
                           matches=report.hash_matches(candidate))
