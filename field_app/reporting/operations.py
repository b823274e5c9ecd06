"""The steps of the reporting chain. Each step checks who may take it and from which state,
writes, sets or releases the period lock, and logs one explicit event. Flushes, never
commits; never reads ``current_user`` (the actor is passed in)."""
from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.codes import Level, ancestor_at, level_of
from field_app.core.errors import InvalidTransition, NotAllowed, OutOfScope, ValidationFailed
from field_app.core.periods import period_label
from field_app.divisions.models import Division
from field_app.indicators import Policy
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.indicators.explain import PERSON_INDICATORS, person_ids_statement
from field_app.locks.operations import lock_period, release_submission_locks
from field_app.quality.models import ScanTrigger
from field_app.quality.operations import scan as quality_scan
from field_app.quality.queries import open_errors, unexplained_warnings
from field_app.quality.rules import Settings
from field_app.reporting import freeze
from field_app.reporting.calendar import Period, due_date
from field_app.reporting.models import (
    Submission,
    SubmissionPerson,
    SubmissionReport,
    SubmissionRoster,
    SubmissionScan,
    SubmissionStatus,
)
from field_app.reports.context import DivisionRef
from field_app.reports.models import Report, ReportKind
from field_app.reports.operations import generate_report

S = SubmissionStatus
# The levels that report from their own data, and the one that reports its children's
# approved submissions (the league); the region approves and reports to nobody here.
LIVE_LEVELS = {Level.TOWNSHIP, Level.COUNTY}
CHILDREN_LEVELS = {Level.LEAGUE}
OPEN_FOR_SUBMISSION = {None, S.RETURNED, S.REOPENED}
HOLDING = {S.SUBMITTED, S.APPROVED}  # states that hold a lock
SCAN_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
              b"\x89PNG\r\n\x1a\n": "image/png"}


def latest(session: Session, division_code: str, period: Period) -> Submission | None:
    return session.scalar(
        select(Submission).where(Submission.division_code == division_code,
                                 Submission.period_start == period.start,
                                 Submission.period_end == period.end)
        .order_by(Submission.version.desc()).limit(1))


def _division(session: Session, code: str) -> Division:
    division = session.get(Division, code)
    if division is None:
        raise OutOfScope()
    return division


def _ref(division: Division) -> DivisionRef:
    return DivisionRef(division.code, division.name, division.level)


def _note(submission: Submission, extra: str | None = None) -> str:
    note = f"{submission.period_key} v{submission.version}"
    return f"{note}: {extra}"[:200] if extra else note


def _log(session: Session, action: str, submission: Submission, extra: str | None = None,
         actor=None) -> None:
    record(session, action, target_type="submissions", target_id=submission.id,
           division=submission.division_code, note=_note(submission, extra))


def _ancestor_holding(session: Session, division_code: str, period: Period) -> Submission | None:
    """A submission of an ancestor, for the same period, that holds a lock."""
    level = level_of(division_code)
    for upper in (lv for lv in Level if lv < level):
        found = latest(session, ancestor_at(division_code, upper), period)
        if found is not None and found.status in HOLDING:
            return found
    return None


def _require_own(actor, capability: Capability, division: Division) -> None:
    """``actor`` holds ``capability`` for its own division ``division``."""
    if actor is None:
        return
    if not actor.can(capability, at=division.code):
        raise OutOfScope()
    if actor.division_code != division.code:
        raise NotAllowed(_l("只能为本级（%(division)s）办理此项", division=division.name))


def require_parent(actor, division: Division, refusal=None) -> None:
    """``actor`` approves for the level directly above ``division`` (what the level below
    sends up: a submission, a quarterly analysis); ``refusal`` says so otherwise."""
    if actor is None:
        return
    if not actor.can(Capability.APPROVE_SUBMISSIONS, at=division.code):
        raise OutOfScope()
    if division.parent_code != actor.division_code:
        raise NotAllowed(refusal or _l("报送由直接上级审核"))


# --- submit --------------------------------------------------------------------------------

def _children_submissions(session: Session, division: Division, period: Period):
    children = list(session.scalars(select(Division).where(Division.parent_code == division.code)
                                    .order_by(Division.code)))
    found, missing = [], []
    for child in children:
        submission = latest(session, child.code, period)
        if submission is None or submission.status != S.APPROVED:
            missing.append(child.name)
        else:
            found.append((_ref(child), submission.id, submission.version, submission.figures))
    return found, missing


def submit(session: Session, *, division_code: str, period: Period, actor, policy: Policy,
           site_url: str, explanation: str | None = None) -> Submission:
    """Submit ``division_code``'s figures for ``period`` upward, frozen now, as the next
    version; lock the period; generate the tables from the frozen copy."""
    division = _division(session, division_code)
    _require_own(actor, Capability.SUBMIT_REPORTS, division)
    level = Level(division.level)
    if level not in LIVE_LEVELS | CHILDREN_LEVELS:
        raise NotAllowed(_l("该级不向上报送"))
    if period.end >= clock.today():
        raise ValidationFailed(_l("%(period)s尚未结束，结束后才能报送", period=period.label))
    previous = latest(session, division.code, period)
    if previous is not None and previous.status not in OPEN_FOR_SUBMISSION:
        raise InvalidTransition(_l("%(period)s已报送（第%(version)s版）；如需更改，请申请更正",
                                   period=period.label, version=previous.version))
    explanation = (explanation or "").strip() or None
    _quality_check(session, division, period, policy, actor, explanation,
                   scan=level in LIVE_LEVELS)
    connection = session.connection()
    rosters = []
    if level in CHILDREN_LEVELS:
        children, missing = _children_submissions(session, division, period)
        if missing:
            raise ValidationFailed(_l("以下下级的报送尚未审核通过：%(names)s",
                                      names="、".join(missing)))
        figures = freeze.freeze_from_children(connection, _ref(division), period.start,
                                              period.end, policy, children)
        if figures["difference"] and not explanation:
            raise ValidationFailed(
                _l("下级报送合计与本级实时数据不一致，请在说明中解释差异"),
                errors={"explanation": [_l("请说明差异原因")]})
    else:
        villages = []
        if level == Level.TOWNSHIP:
            villages = [_ref(v) for v in session.scalars(
                select(Division).where(Division.parent_code == division.code)
                .order_by(Division.code))]
        figures = freeze.freeze_live(connection, _ref(division), period.start, period.end,
                                     policy, villages=villages)
        rosters = [(v, freeze.freeze_roster(connection, v, period.start, period.end, policy))
                   for v in villages]
    now = clock.now().replace(microsecond=0)
    submission = Submission(
        division_code=division.code, period_start=period.start, period_end=period.end,
        period_key=period.key, version=(previous.version + 1) if previous else 1,
        status=S.SUBMITTED, submitted_at=now, submitted_by_id=getattr(actor, "id", None),
        due_on=due_date(current_app.config, level, period), figures=figures,
        content_sha256=freeze.fingerprint(figures), policy=policy.name,
        explanation=explanation)
    session.add(submission)
    session.flush()
    if figures["basis"] == "live":
        _store_persons(session, submission, policy)
    for village, content in rosters:
        session.add(SubmissionRoster(submission_id=submission.id, village_code=village.code,
                                     content=content))
    lock_period(session, division_code=division.code, start=period.start, end=period.end,
                reason=_note(submission, "报送"), actor_id=getattr(actor, "id", None),
                submission_id=submission.id)
    reports = {kind: submission_report(session, submission, kind, actor=actor,
                                       site_url=site_url)[0]
               for kind in (ReportKind.RURAL, ReportKind.URBAN)}
    if previous is not None:
        _supersede(session, previous, submission, reports, now)
    _log(session, "submission_submit", submission)
    return submission


def _quality_check(session: Session, division: Division, period: Period, policy: Policy,
                   actor, explanation: str | None, *, scan: bool) -> None:
    """The pre-report check (数据质量检查): a division reporting its own data is scanned
    now; open errors block the submission, and open warnings that no one has explained
    need the submitter's written explanation."""
    if scan:
        quality_scan(session, division, period.start, period.end,
                     settings=Settings.from_config(current_app.config, policy), actor=actor,
                     trigger=ScanTrigger.SUBMISSION)
    errors = open_errors(session, division.code, period.start, period.end)
    if errors:
        raise ValidationFailed(_l("有 %(n)s 条错误级数据质量问题尚未更正，不能报送；请在“质量检查”中逐条处理",
                                  n=errors))
    warnings = unexplained_warnings(session, division.code, period.start, period.end)
    if warnings and not explanation:
        message = _l("有 %(n)s 条警告尚未说明：请在“质量检查”中逐条说明，或在报送说明中写明理由",
                     n=warnings)
        raise ValidationFailed(message, errors={"explanation": [message]})


def _store_persons(session: Session, submission: Submission, policy: Policy) -> None:
    """Keep who each person figure counted, set-based (INSERT … SELECT from the engine's
    statements), so that two versions can be compared person by person."""
    table = SubmissionPerson.__table__
    for indicator in PERSON_INDICATORS:
        counted = person_ids_statement(indicator, submission.division_code,
                                       submission.period_start, submission.period_end,
                                       policy).subquery("counted")
        session.execute(table.insert().from_select(
            ["submission_id", "indicator", "person_id"],
            select(literal(submission.id), literal(indicator), counted.c.person_id)
            .distinct()))


def _supersede(session: Session, old: Submission, new: Submission,
               reports: dict[ReportKind, Report], now: dt.datetime) -> None:
    old.superseded_at = now
    old.superseded_by_id = new.id
    for report in session.scalars(select(Report).join(
            SubmissionReport, SubmissionReport.report_id == Report.id)
            .where(SubmissionReport.submission_id == old.id)):
        successor = reports.get(report.kind)
        if successor is not None and successor.id != report.id and report.superseded_at is None:
            # Reports are written once: only these two columns ever change, with a Core
            # update, and the submission's event says why.
            session.execute(update(Report.__table__).where(Report.id == report.id)
                            .values(superseded_at=now, superseded_by_id=successor.id))
    session.flush()


def submission_report(session: Session, submission: Submission, kind: ReportKind | str, *,
                      actor, site_url: str, village_code: str | None = None
                      ) -> tuple[Report, bytes]:
    """The numbered PDF of a submission's table (or of one village's roster), generated
    from the frozen copy and linked to the submission."""
    kind = ReportKind(kind)
    if kind == ReportKind.ROSTER:
        frozen = session.scalar(select(SubmissionRoster.content).where(
            SubmissionRoster.submission_id == submission.id,
            SubmissionRoster.village_code == (village_code or "")))
        if frozen is None:
            raise OutOfScope()
        content = freeze.roster_from(frozen)
        division_code = content.division.code
    else:
        content = freeze.table_from(submission.figures["tables"][kind.value])
        division_code = submission.division_code
    report, pdf = generate_report(session, kind=kind, division_code=division_code,
                                  start=submission.period_start, end=submission.period_end,
                                  actor=actor, site_url=site_url, content=content)
    linked = session.scalar(select(func.count()).select_from(SubmissionReport).where(
        SubmissionReport.submission_id == submission.id,
        SubmissionReport.report_id == report.id))
    if not linked:
        session.add(SubmissionReport(submission_id=submission.id, report_id=report.id))
        session.flush()
    return report, pdf


# --- sign-off and the scan ------------------------------------------------------------------

def _current(session: Session, submission: Submission) -> None:
    newest = latest(session, submission.division_code,
                    Period(submission.period_start, submission.period_end))
    if newest is None or newest.id != submission.id:
        raise InvalidTransition(_l("这不是最新版本的报送"))


def sign_off(session: Session, submission: Submission, *, actor) -> None:
    """The county leader confirms that the paper was signed and sealed."""
    division = _division(session, submission.division_code)
    _require_own(actor, Capability.SIGN_OFF_REPORTS, division)
    _current(session, submission)
    if submission.status not in HOLDING:
        raise InvalidTransition(_l("只有已报送的版本可以签发"))
    if submission.signed_at is not None:
        raise InvalidTransition(_l("该版本已签发"))
    submission.signed_at = clock.now().replace(microsecond=0)
    submission.signed_by_id = getattr(actor, "id", None)
    session.flush()
    _log(session, "submission_sign_off", submission)


def upload_scan(session: Session, submission: Submission, *, actor, filename: str,
                data: bytes) -> str:
    """Keep the scan of the signed and sealed paper with its SHA-256 (returned)."""
    division = _division(session, submission.division_code)
    if actor is not None and not (
            actor.division_code == division.code
            and (actor.can(Capability.SUBMIT_REPORTS, at=division.code)
                 or actor.can(Capability.SIGN_OFF_REPORTS, at=division.code))):
        raise NotAllowed(_l("只有本级报送人或分管领导可以上传签章扫描件"))
    limit = current_app.config.get("SCAN_MAX_BYTES", 10 * 1024 * 1024)
    if not data:
        raise ValidationFailed(_l("请选择扫描件文件"), errors={"scan": [_l("请选择扫描件文件")]})
    if len(data) > limit:
        raise ValidationFailed(_l("扫描件过大（上限 %(mb)s MB）", mb=limit // (1024 * 1024)),
                               errors={"scan": [_l("扫描件过大")]})
    media_type = next((kind for magic, kind in SCAN_TYPES.items() if data.startswith(magic)),
                      None)
    if media_type is None:
        raise ValidationFailed(_l("扫描件应为 PDF、JPEG 或 PNG 文件"),
                               errors={"scan": [_l("扫描件应为 PDF、JPEG 或 PNG 文件")]})
    digest = hashlib.sha256(data).hexdigest()
    name = (filename or "scan").replace("\\", "/").rsplit("/", 1)[-1][:200] or "scan"
    session.execute(insert(SubmissionScan.__table__), {
        "submission_id": submission.id, "filename": name, "media_type": media_type,
        "size": len(data), "sha256": digest, "uploaded_at": clock.now().replace(microsecond=0),
        "uploaded_by_id": getattr(actor, "id", None), "content": data})
    _log(session, "submission_scan", submission, f"sha256 {digest}")
    return digest


# --- the level above -----------------------------------------------------------------------

def approve(session: Session, submission: Submission, *, actor) -> None:
    division = _division(session, submission.division_code)
    require_parent(actor, division)
    _current(session, submission)
    if submission.status != S.SUBMITTED:
        raise InvalidTransition(_l("只有待审核的报送可以审核通过"))
    if division.level == Level.COUNTY and submission.signed_at is None:
        raise InvalidTransition(_l("旗县报送须经分管领导签发后才能审核通过"))
    submission.status = S.APPROVED
    submission.reviewed_at = clock.now().replace(microsecond=0)
    submission.reviewed_by_id = getattr(actor, "id", None)
    session.flush()
    _log(session, "submission_approve", submission)


def return_submission(session: Session, submission: Submission, *, actor, reason: str,
                      items: dict[str, str] | None = None) -> None:
    """Send the submission back with a reason (and a reason per figure where given); the
    division's lock is released so it can correct and submit again."""
    division = _division(session, submission.division_code)
    require_parent(actor, division)
    _current(session, submission)
    if submission.status not in HOLDING:
        raise InvalidTransition(_l("只有已报送的版本可以退回"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("退回须说明理由"), errors={"reason": [_l("退回须说明理由")]})
    upper = _ancestor_holding(session, division.code, _period(submission))
    if upper is not None:
        raise InvalidTransition(_upper_message(session, upper))
    items = {key: text.strip()[:500] for key, text in (items or {}).items()
             if key in INDICATOR_KEYS and text and text.strip()}
    submission.status = S.RETURNED
    submission.reviewed_at = clock.now().replace(microsecond=0)
    submission.reviewed_by_id = getattr(actor, "id", None)
    submission.return_reason = reason[:2000]
    submission.return_items = items or None
    session.flush()
    release_submission_locks(session, submission.id, reason=_note(submission, "退回"),
                             actor_id=getattr(actor, "id", None))
    _log(session, "submission_return", submission, reason)


def _period(submission: Submission) -> Period:
    return Period(submission.period_start, submission.period_end)


def _upper_message(session: Session, upper: Submission):
    name = session.get(Division, upper.division_code).name
    return _l("上级（%(division)s %(period)s）已报送；须先由上级申请更正或被退回",
              division=name, period=period_label(upper.period_start, upper.period_end))


def request_correction(session: Session, submission: Submission, *, actor,
                       reason: str) -> None:
    """更正: reopen the division's submitted or approved version with a reason. The lock is
    released; the corrected figures are submitted again as the next version and need the
    level above's approval."""
    division = _division(session, submission.division_code)
    _require_own(actor, Capability.SUBMIT_REPORTS, division)
    _current(session, submission)
    if submission.status not in HOLDING:
        raise InvalidTransition(_l("只有已报送或已审核的版本可以申请更正"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("更正须说明理由"), errors={"reason": [_l("更正须说明理由")]})
    upper = _ancestor_holding(session, division.code, _period(submission))
    if upper is not None:
        raise InvalidTransition(_upper_message(session, upper))
    submission.status = S.REOPENED
    submission.reopened_at = clock.now().replace(microsecond=0)
    submission.reopened_by_id = getattr(actor, "id", None)
    submission.correction_reason = reason[:2000]
    session.flush()
    release_submission_locks(session, submission.id, reason=_note(submission, "更正"),
                             actor_id=getattr(actor, "id", None))
    _log(session, "submission_correction", submission, reason)

