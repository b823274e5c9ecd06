"""Generating a report: read its content, number it, render it, keep it. Flushes, never
commits; the view or command commits once."""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record
from field_app.config import DEFAULT_SITE_URL
from field_app.core.clock import clock
from field_app.core.counters import next_number
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope, ValidationFailed
from field_app.core.codes import Level, is_code, prefix
from field_app.divisions.models import Division
from field_app.indicators import Policy
from field_app.reports import labels
from field_app.reports.context import DivisionRef, TableContext, build_table
from field_app.reports.documents import report_html
from field_app.reports.models import Report, ReportDocument, ReportKind
from field_app.reports.pdf import render_pdf
from field_app.reports.roster import RosterContext, build_roster

# Part of the content fingerprint: raise it when the printed layout changes, so that
# unchanged data gets a fresh document (and number) in the new layout.
LAYOUT_VERSION = 2  # 2: the configured form block; the roster's survey statuses
# The random tail makes numbers unguessable: /verify is public, and walking serial
# numbers must not publish figures before their release.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TOKEN_LENGTH = 6
STEPS = 3  # of generate_report's progress: content read, PDF rendered, stored


def period_tag(start: dt.date, end: dt.date) -> str:
    """The period as the number spells it: ``2026``, ``2026Q3``, ``2026H1``, ``2026M03``,
    ``2026M01M09`` (whole months) or ``20260115T20260620``."""
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if not whole or start.year != end.year:
        return f"{start:%Y%m%d}T{end:%Y%m%d}"
    months = (start.month, end.month)
    if months == (1, 12):
        return str(start.year)
    if months in ((1, 6), (7, 12)):
        return f"{start.year}H{end.month // 6}"
    if start.month % 3 == 1 and end.month == start.month + 2:
        return f"{start.year}Q{end.month // 3}"
    if start.month == end.month:
        return f"{start.year}M{start.month:02d}"
    return f"{start.year}M{start.month:02d}M{end.month:02d}"


def report_number(division_code: str, start: dt.date, end: dt.date, serial: int,
                  token: str) -> str:
    """``152221-2026Q3-000017-7KQ4MX``: division prefix, period, serial, random tail."""
    return f"{prefix(division_code)}-{period_tag(start, end)}-{serial:06d}-{token}"


def build_content(session: Session, kind: ReportKind, division: DivisionRef, start: dt.date,
                  end: dt.date, policy: Policy,
                  row_level: Level | None = None) -> TableContext | RosterContext:
    connection = session.connection()
    if kind == ReportKind.ROSTER:
        return build_roster(connection, division, start, end, policy)
    return build_table(connection, kind, division, start, end, policy, row_level)


def content_fingerprint(kind: ReportKind, content: TableContext | RosterContext,
                        site_url: str) -> str:
    # The form block is printed: numbers supplied later make a new document, not a reissue.
    form = labels.form_values(kind, current_app.config.get("REPORT_FORMS"))
    payload = {"layout": LAYOUT_VERSION, "kind": kind.value, "site": site_url, "form": form,
               "start": content.start.isoformat(), "end": content.end.isoformat(),
               "content": content.content()}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def checked_division(session: Session, kind: ReportKind, code: str, start: dt.date,
                     end: dt.date, actor) -> DivisionRef:
    division = session.get(Division, code) if is_code(code) else None
    if division is None or (actor is not None and not actor.can(Capability.PRINT_REPORTS, at=code)):
        raise OutOfScope()
    if start > end:
        raise ValidationFailed(_l("报告期起始日期晚于截止日期"))
    if kind == ReportKind.ROSTER and division.level != Level.VILLAGE:
        raise ValidationFailed(_l("花名册只能按嘎查村生成"))
    return DivisionRef(division.code, division.name, division.level)


def _stored(session: Session, kind: ReportKind, division: DivisionRef, start: dt.date,
            end: dt.date, fingerprint: str) -> Report | None:
    return session.scalar(
        select(Report).where(Report.kind == kind, Report.division_code == division.code,
                             Report.period_start == start, Report.period_end == end,
                             Report.content_sha256 == fingerprint)
        .order_by(Report.id.desc()).limit(1))


def stored_pdf(session: Session, report: Report) -> bytes:
    return session.scalar(select(ReportDocument.pdf)
                          .where(ReportDocument.report_id == report.id))


def generate_report(session: Session, *, kind: ReportKind | str, division_code: str,
                    start: dt.date, end: dt.date, actor, policy: Policy | None = None,
                    site_url: str = DEFAULT_SITE_URL,
                    row_level: Level | None = None,
                    content: TableContext | RosterContext | None = None,
                    progress: Callable[[int, int], None] | None = None
                    ) -> tuple[Report, bytes]:
    """Report ``kind`` of ``division_code`` for ``[start, end]``, numbered and stored.

    ``actor`` is the signed-in user (``None``: the command-line operator); outside their
    printing rights the division is ``OutOfScope``. A roster needs a village
    (``ValidationFailed``). When an earlier report of the same kind, division and period
    showed exactly this content, that report and its stored PDF come back (logged as a
    reissue) instead of a second number; changed data always gets a new number, and
    earlier numbers keep what they showed. QR codes point at ``site_url``/verify/<number>.
    ``content`` is what to print when it is not today's data: a submission's frozen copy.
    ``progress(done, total)`` hears of the steps: content read, PDF rendered, stored.
    """
    progress = progress or (lambda done, total: None)
    kind = ReportKind(kind)
    # One spelling of the address for the fingerprint, whether it came with a slash or not.
    site_url = site_url.rstrip("/") + "/"
    division = checked_division(session, kind, division_code, start, end, actor)
    if content is None:
        content = build_content(session, kind, division, start, end,
                                policy or current_policy(), row_level)
    progress(1, STEPS)
    fingerprint = content_fingerprint(kind, content, site_url)
    earlier = _stored(session, kind, division, start, end, fingerprint)
    if earlier is None:
        serial = next_number(session, "reports",
                             taken=lambda: session.scalar(select(func.max(Report.serial))))
        # The serial's lock is held from here to the commit. The same report asked for at
        # the same moment, committed while this request waited, is found now and answered
        # with its number (the serial just taken stays unused: serials may have gaps).
        earlier = _stored(session, kind, division, start, end, fingerprint)
    if earlier is not None:
        record(session, "report_reissue", target_type="reports", target_id=earlier.id,
               division=division.code, note=earlier.number)
        progress(STEPS, STEPS)
        return earlier, stored_pdf(session, earlier)
    token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    number = report_number(division.code, start, end, serial, token)
    generated_at = clock.now().replace(microsecond=0)
    verify_url = f"{site_url.rstrip('/')}/verify/{number}"
    pdf = render_pdf(report_html(kind, content, number=number, generated_at=generated_at,
                                 verify_url=verify_url))
    progress(2, STEPS)
    report = Report(number=number, serial=serial, kind=kind, division_code=division.code,
                    period_start=start, period_end=end, generated_at=generated_at,
                    generated_by_id=getattr(actor, "id", None),
                    sha256=hashlib.sha256(pdf).hexdigest(), content_sha256=fingerprint,
                    figures=content.figures())
    session.add(report)
    session.flush()
    session.execute(insert(ReportDocument.__table__), {"report_id": report.id, "pdf": pdf})
    current_app.logger.info("report %s generated (%d bytes)", number, len(pdf))
    progress(STEPS, STEPS)
    return report, pdf
