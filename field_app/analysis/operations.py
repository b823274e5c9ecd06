"""The steps of the quarterly analysis: write (save the sections), submit upward (generate
and number the PDF), approve or return by the level above. Each step checks who may take
it and from which state, writes, and flushes; the row's changes are audited by the session
hooks and each step logs an event of its own. Never commits; never reads ``current_user``."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.analysis import labels
from field_app.analysis.document import build_content
from field_app.analysis.models import (
    EDITABLE,
    SECTIONS,
    AnalysisStatus,
    QuarterlyAnalysis,
    next_status,
)
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, NotAllowed, OutOfScope, ValidationFailed
from field_app.divisions.models import Division
from field_app.indicators import Policy
from field_app.reporting.calendar import ANALYSIS_LEVELS, Period, analysis_due_date
from field_app.reporting.operations import require_parent
from field_app.reports.models import Report, ReportKind
from field_app.reports.operations import generate_report

S = AnalysisStatus
SECTION_MAX = 20000  # characters of one section


def find(session: Session, division_code: str, period: Period) -> QuarterlyAnalysis | None:
    return session.scalar(select(QuarterlyAnalysis).where(
        QuarterlyAnalysis.division_code == division_code,
        QuarterlyAnalysis.period_start == period.start,
        QuarterlyAnalysis.period_end == period.end))


def period_of(analysis: QuarterlyAnalysis) -> Period:
    return Period(analysis.period_start, analysis.period_end)


def due_date(level: int, period: Period) -> dt.date | None:
    """When a division of ``level`` owes its analysis of ``period`` (the app's configuration)."""
    return analysis_due_date(current_app.config, level, period)


def is_late(analysis: QuarterlyAnalysis | None, due: dt.date | None, today: dt.date) -> bool:
    """逾期: first submitted after the due date, or not submitted and the due date passed."""
    if due is None:
        return False
    first = analysis.first_submitted_at if analysis is not None else None
    return first.date() > due if first is not None else today > due


def _division(session: Session, code: str) -> Division:
    division = session.get(Division, code)
    if division is None:
        raise OutOfScope()
    return division


def _require_writer(actor, division: Division) -> None:
    """``actor`` writes for its own division, a level that writes an analysis."""
    if actor is None:
        return
    if not actor.can(Capability.WRITE_ANALYSIS, at=division.code):
        raise OutOfScope()
    if actor.division_code != division.code:
        raise NotAllowed(_l("只能编写本级（%(division)s）的季分析", division=division.name))


def _step(analysis: QuarterlyAnalysis, step: str, message) -> AnalysisStatus:
    status = next_status(analysis.status, step)
    if status is None:
        raise InvalidTransition(message)
    return status


def _log(session: Session, action: str, analysis: QuarterlyAnalysis, extra: str | None = None):
    note = f"{analysis.period_key}: {extra}"[:200] if extra else analysis.period_key
    record(session, action, target_type="quarterly_analyses", target_id=analysis.id,
           division=analysis.division_code, note=note)


def save(session: Session, *, division_code: str, period: Period, actor,
         sections: dict[str, str | None]) -> QuarterlyAnalysis:
    """Write the sections of ``division_code``'s analysis of ``period`` (a draft is made
    on the first save). Only a draft or a returned analysis can be edited."""
    division = _division(session, division_code)
    _require_writer(actor, division)
    if ANALYSIS_LEVELS.get(division.level) is None:
        raise NotAllowed(_l("该级不编写季分析"))
    if period.start > clock.today():
        raise ValidationFailed(_l("%(period)s尚未开始", period=period.label))
    analysis = find(session, division.code, period)
    if analysis is None:
        analysis = QuarterlyAnalysis(division_code=division.code, period_start=period.start,
                                     period_end=period.end, period_key=period.key,
                                     status=S.DRAFT)
        session.add(analysis)
    elif analysis.status not in EDITABLE:
        raise InvalidTransition(_l("季分析已报送，不能修改；如需修改，请上级退回"))
    errors = {name: [_l("不能超过 %(max)d 个字", max=SECTION_MAX)] for name in SECTIONS
              if len(sections.get(name) or "") > SECTION_MAX}
    if errors:
        raise ValidationFailed(_l("内容过长"), errors=errors)
    for name in SECTIONS:
        # Line breaks as typed, without the browser's CRs and trailing blank space.
        text = (sections.get(name) or "").replace("\r\n", "\n").strip()
        if getattr(analysis, name) != text:
            setattr(analysis, name, text)
    session.flush()
    return analysis


def check_submit(session: Session, analysis: QuarterlyAnalysis, *, actor
                 ) -> tuple[Division, AnalysisStatus]:
    """What ``submit`` requires, checked without generating anything (the page asks this
    before it queues the submission as a job): the division and the status it moves to."""
    division = _division(session, analysis.division_code)
    _require_writer(actor, division)
    status = _step(analysis, "submit", _l("季分析已报送"))
    period = period_of(analysis)
    if period.end >= clock.today():
        raise ValidationFailed(_l("%(period)s尚未结束，结束后才能报送", period=period.label))
    missing = {name: [_l("请填写%(section)s", section=labels.SECTION_TITLES[name])]
               for name in SECTIONS if not (getattr(analysis, name) or "").strip()}
    if missing:
        raise ValidationFailed(
            _l("报送前请填写：%(names)s",
               names="、".join(str(labels.SECTION_TITLES[name]) for name in missing)),
            errors=missing)
    return division, status


def submit(session: Session, analysis: QuarterlyAnalysis, *, actor, policy: Policy,
           site_url: str, progress: Callable[[int, int], None] | None = None) -> Report:
    """Submit the analysis upward: the three sections must be written and the quarter over.
    The document is generated now, numbered and kept (``reports``); a resubmission's new
    document supersedes the earlier one. ``progress`` hears of the document's steps."""
    division, status = check_submit(session, analysis, actor=actor)
    period = period_of(analysis)
    content = build_content(session, division, period, analysis.sections(), policy)
    report, _pdf = generate_report(session, kind=ReportKind.ANALYSIS,
                                   division_code=division.code, start=period.start,
                                   end=period.end, actor=actor, site_url=site_url,
                                   content=content, progress=progress)
    now = clock.now().replace(microsecond=0)
    earlier = analysis.report_id
    if earlier is not None and earlier != report.id:
        # Reports are written once: only these two columns ever change (reporting does
        # the same for a corrected submission), and the analysis' event says why.
        session.execute(update(Report.__table__).where(
            Report.id == earlier, Report.superseded_at.is_(None))
            .values(superseded_at=now, superseded_by_id=report.id))
    analysis.status = status
    analysis.submitted_at = now
    analysis.submitted_by_id = getattr(actor, "id", None)
    analysis.first_submitted_at = analysis.first_submitted_at or now
    analysis.due_on = analysis_due_date(current_app.config, division.level, period)
    analysis.reviewed_at = analysis.reviewed_by_id = analysis.return_reason = None
    analysis.report_id = report.id
    session.flush()
    _log(session, "analysis_submit", analysis, report.number)
    return report


def approve(session: Session, analysis: QuarterlyAnalysis, *, actor) -> None:
    division = _division(session, analysis.division_code)
    require_parent(actor, division, _l("季分析由直接上级审核"))
    analysis.status = _step(analysis, "approve", _l("只有待审核的季分析可以审核通过"))
    analysis.reviewed_at = clock.now().replace(microsecond=0)
    analysis.reviewed_by_id = getattr(actor, "id", None)
    session.flush()
    _log(session, "analysis_approve", analysis)


def return_analysis(session: Session, analysis: QuarterlyAnalysis, *, actor,
                    reason: str | None) -> None:
    """Send the analysis back with a reason; the division edits it and submits again."""
    division = _division(session, analysis.division_code)
    require_parent(actor, division, _l("季分析由直接上级审核"))
    status = _step(analysis, "return", _l("只有待审核的季分析可以退回"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("退回须说明理由"), errors={"reason": [_l("退回须说明理由")]})
    analysis.status = status
    analysis.reviewed_at = clock.now().replace(microsecond=0)
    analysis.reviewed_by_id = getattr(actor, "id", None)
    analysis.return_reason = reason[:2000]
    session.flush()
    _log(session, "analysis_return", analysis, reason)
