"""The findings page (质量检查): filters, drill-down to each record and who entered it, the
explanation form, the scan button and the XLSX export."""
from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.core.clock import clock
from field_app.core.codes import in_subtree
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.identifiers import mask_id_number
from field_app.core.periods import PeriodError, parse_period, period_key
from field_app.core.permissions import get_or_404, require_can
from field_app.core.text import spreadsheet_cell
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.jobs import operations as jobs_operations, queue as jobs_queue
from field_app.quality import forms, labels, operations, queries
from field_app.quality.models import FindingStatus, QualityFinding, ScanTrigger, Severity
from field_app.quality.rules import BY_CODE, RULES, Settings, message

bp = Blueprint("quality", __name__, url_prefix="/quality")
scanners = require_can(Capability.RUN_QUALITY_SCAN)
PAGE_SIZE = 50
LAST_PAGE = 100_000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Files whose natural key begins with the person's ID number (masked where shown).
PERSON_KEYED = {"transfer_spells", "trainings", "household_members"}


def shown_key(file: str, key: str) -> str:
    if file in PERSON_KEYED:
        first, _sep, rest = key.partition("|")
        return mask_id_number(first) + (_sep + rest if _sep else "")
    return key


def period_text(finding: QualityFinding) -> str:
    try:
        return period_key(finding.period_start, finding.period_end)
    except ValueError:  # not whole months
        return f"{finding.period_start}..{finding.period_end}"


def _filters() -> tuple[queries.Filters, list[str]]:
    """The list's filters from the query string; a division outside the reader's subtree is
    404, any other bad value is named and left out."""
    errors: list[str] = []
    division = (request.args.get("division") or current_user.division_code).strip()
    if not in_subtree(division, current_user.division_code):
        raise OutOfScope()
    period = None
    if request.args.get("period"):
        try:
            period = parse_period(request.args["period"])
        except PeriodError as error:
            errors.append(str(error.message))
    rule = request.args.get("rule") or None
    if rule and rule not in BY_CODE:
        errors.append(_("没有这条规则：%(rule)s", rule=rule))
        rule = None
    severity = _choice(Severity, "severity", errors)
    status = _choice(FindingStatus, "status", errors)
    return queries.Filters(division, period, rule, severity, status), errors


def _choice(enum_cls, name: str, errors: list[str]):
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        errors.append(_("筛选值无效：%(value)s", value=value))
        return None


def _args(filters: queries.Filters) -> dict[str, str]:
    args = {"division": filters.division}
    if filters.period:
        args["period"] = period_key(*filters.period)
    for name in ("rule", "severity", "status"):
        if getattr(filters, name):
            args[name] = str(getattr(filters, name))
    return args


@bp.get("/")
@scanners
def index():
    filters, errors = _filters()
    page = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
    statement = queries.findings(filters)
    rows = list(db.session.scalars(statement.limit(PAGE_SIZE + 1)
                                   .offset((page - 1) * PAGE_SIZE)))
    form = forms.ScanForm(formdata=None, division=filters.division,
                          period=_args(filters).get("period", ""))
    return _index_page(filters, errors, rows, page, form), 422 if errors else 200


def _index_page(filters, errors, rows, page, form) -> str:
    divisions = {d.code: d.name for d in db.session.query(Division).filter(
        Division.code.in_({f.division_code for f in rows[:PAGE_SIZE]} | {filters.division}))}
    return render_template(
        "quality/index.html", filters=filters, args=_args(filters), errors=errors,
        findings=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, page=page, form=form,
        rules=RULES, labels=labels, message=message, by_code=BY_CODE, divisions=divisions,
        total=queries.count(db.session, queries.findings(filters)),
        scans=queries.recent_scans(db.session, filters.division), shown_key=shown_key,
        Severity=Severity, FindingStatus=FindingStatus)


def _scan_link(job) -> str:
    return url_for("quality.index", division=job.params["division"],
                   period=job.result["period"])


@jobs_queue.kind("quality_scan", label=_l("质量检查"), capability=Capability.RUN_QUALITY_SCAN,
                 link=_scan_link)
def _run_scan(session, job, progress) -> jobs_queue.Outcome:
    """The scan a statistician started from the page, run as a background job."""
    division = session.get(Division, job.params["division"])
    start, end = (dt.date.fromisoformat(job.params[name]) for name in ("start", "end"))
    progress(0, 1)
    result = operations.scan(
        session, division, start, end, actor=session.get(User, job.created_by_id),
        settings=Settings.from_config(current_app.config, current_policy()),
        trigger=ScanTrigger.WEB)
    progress(1, 1)
    return jobs_queue.Outcome(True, {"scan_id": result.scan.id, "found": result.total,
                                     "period": period_key(start, end)})


@bp.post("/scan")
@scanners
def scan():
    form = forms.ScanForm()

    def operate():
        code = form.division.data.strip()
        if db.session.get(Division, code) is None:
            raise OutOfScope(_l("您的辖区内没有这个区划"))
        start, end = form.span
        return jobs_operations.enqueue(
            db.session, "quality_scan", actor=current_user, division_code=code,
            params={"division": code, "start": start.isoformat(), "end": end.isoformat()})

    def page():
        filters = queries.Filters(current_user.division_code)
        rows = list(db.session.scalars(queries.findings(filters).limit(PAGE_SIZE + 1)))
        return _index_page(filters, [], rows, 1, form)

    return handle_form(form, operate, template=page,
                       success=lambda job: url_for("jobs.show", job_id=job.id),
                       message=_l("检查已开始，在后台进行"))


@bp.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@scanners
def show(finding_id: int):
    finding = get_or_404(db.session.get(QualityFinding, finding_id),
                         lambda f: queries.visible(f, current_user))
    form = forms.ExplainForm()
    return handle_form(form, lambda: operations.explain(db.session, finding, form.reason.data,
                                                        actor=current_user),
                       template=lambda: _finding_page(finding, form),
                       success=lambda _f: url_for("quality.show", finding_id=finding.id),
                       message=_l("说明已保存"))


def _finding_page(finding: QualityFinding, form) -> str:
    entered = queries.entered_by(db.session, finding.records)
    names = queries.user_names(db.session, {finding.explained_by_id, finding.found_by_id,
                                            finding.fixed_by_id})
    links = {(r["file"], r["id"]): _link(r) for r in finding.records}
    return render_template("quality/finding.html", finding=finding, form=form,
                           rule=BY_CODE.get(finding.rule), message=message, labels=labels,
                           entered=entered, names=names, links=links, shown_key=shown_key,
                           division=db.session.get(Division, finding.division_code),
                           Severity=Severity, FindingStatus=FindingStatus)


def _link(record) -> str | None:
    """The existing page of a record, where there is one the reader may open."""
    file, record_id, division = record["file"], record["id"], record["division"]
    if not current_user.can(Capability.READ_DESK, at=division):
        return None
    if file == "employment_registrations":
        return url_for("registrations.employment", record_id=record_id)
    if file == "unemployment_registrations":
        return url_for("registrations.unemployment", record_id=record_id)
    return None


@bp.get("/export.xlsx")
@scanners
def export():
    filters, errors = _filters()
    if errors:
        raise OutOfScope(errors[0])
    findings = db.session.scalars(queries.findings(filters)).all()
    names = queries.user_names(db.session, {f.explained_by_id for f in findings})
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("质量问题"))
    sheet.append([_cell(sheet, str(h)) for h in (
        _("规则"), _("严重程度"), _("问题"), _("区划代码"), _("期间"), _("状态"), _("记录类别"),
        _("记录"), _("发现时间"), _("说明"), _("说明人"))])
    for f in findings:
        rule = BY_CODE.get(f.rule)
        sheet.append([_cell(sheet, value) for value in (
            f.rule, str(labels.SEVERITIES[f.severity]),
            str(message(rule, f.params)) if rule else "", f.division_code,
            period_text(f),
            str(labels.STATUSES[f.status]), str(labels.FILES.get(f.record_file, f.record_file)),
            "; ".join(shown_key(r["file"], r["key"]) for r in f.records),
            f.found_at.strftime("%Y-%m-%d %H:%M"), f.explanation or "",
            names.get(f.explained_by_id, ""))])
    buffer = io.BytesIO()
    book.save(buffer)
    filename = f"quality-{filters.division}-{clock.today():%Y%m%d}.xlsx"
    return Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(sheet, value):
    """Text as a string cell, neutralised against formula injection (``core.text``)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
    cell.data_type = "s"
    return cell
