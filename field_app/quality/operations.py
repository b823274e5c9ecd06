"""Scanning a subtree for a period, and explaining a finding. Both flush and never commit;
the request or command around them commits once, so a scan is stored whole or not at all.
A scan's findings are built and compared with the stored ones in SQL (``collect``)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.codes import Level, ancestor_at, level_of, subtree_bounds
from field_app.core.errors import InvalidTransition, ValidationFailed
from field_app.core.text import find_unsafe
from field_app.divisions.models import Division
from field_app.quality.collect import clear, collect, found_table
from field_app.quality.models import (
    FindingStatus,
    QualityFinding,
    QualityScan,
    ScanTrigger,
    Severity,
)
from field_app.quality.rules import BY_CODE, RULES, Rule, Settings

EXPLANATION_MAX = 2000


@dataclasses.dataclass
class Found:
    """One finding as a scan saw it."""

    rule: Rule
    subject: str
    records: list[dict[str, Any]]
    params: dict[str, Any]

    @property
    def division_code(self) -> str:
        return self.records[0]["division"]

    @property
    def scope_code(self) -> str:
        return lowest_common_division([r["division"] for r in self.records])


def lowest_common_division(codes: list[str]) -> str:
    """The lowest division whose subtree holds every code."""
    for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.LEAGUE, Level.REGION):
        first = ancestor_at(codes[0], level)
        if level_of(first) == level and all(ancestor_at(c, level) == first for c in codes):
            return first
    return codes[0][:2].ljust(12, "0")


def run_rules(session: Session, division: str, start: dt.date, end: dt.date,
              settings: Settings) -> list[Found]:
    """Every rule's findings for the subtree and period, as a scan would store them (in
    catalogue order, then by each finding's first record). Reads what ``collect`` built."""
    connection = session.connection()
    collect(connection, RULES, division, start, end, settings)
    f = found_table
    rows = connection.execute(select(f.c.rule, f.c.subject, f.c.records, f.c.params)).all()
    clear(connection)
    return _ordered(Found(BY_CODE[row.rule], row.subject, row.records, row.params)
                    for row in rows)


def _ordered(found) -> list[Found]:
    order = {rule.code: number for number, rule in enumerate(RULES)}
    return sorted(found, key=lambda f: (order[f.rule.code], f.records[0]["file"],
                                        f.records[0]["key"]))


class ScanResult:
    """A stored scan; ``found`` (the findings it saw, loaded when asked for) and ``total``."""

    def __init__(self, session: Session, scan: QualityScan) -> None:
        self.session = session
        self.scan = scan

    @property
    def total(self) -> int:
        return sum(self.scan.counts.values())

    @functools.cached_property
    def found(self) -> list[Found]:
        # Right after a scan, the standing findings of its period whose scope lies in its
        # subtree are exactly the ones it saw: it fixed every other one there, and
        # everything it saw lies there (unchanged ones are not rewritten, see ``_store``).
        table = QualityFinding.__table__
        low, high = subtree_bounds(self.scan.division_code)
        rows = self.session.connection().execute(
            select(table.c.rule, table.c.subject, table.c.records, table.c.params)
            .where(table.c.period_start == self.scan.period_start,
                   table.c.period_end == self.scan.period_end,
                   table.c.scope_code.between(low, high),
                   table.c.status != FindingStatus.FIXED)).all()
        return _ordered(Found(BY_CODE[row.rule], row.subject, row.records, row.params)
                        for row in rows)


def scan(session: Session, division: Division, start: dt.date, end: dt.date, *,
         settings: Settings, actor=None, trigger: ScanTrigger = ScanTrigger.COMMAND
         ) -> ScanResult:
    """Run every rule on ``division``'s subtree for ``[start, end]`` and store the outcome.

    A finding seen for the first time is ``open``; one seen again keeps its status, except
    that a ``fixed`` one is open again; an ``explained`` one stays explained while it still
    appears. A stored finding of the period whose scope lies in the subtree and that the scan
    no longer sees becomes ``fixed`` (by the scan's runner, now). The caller has checked that
    ``actor`` may scan ``division``."""
    began = time.perf_counter()
    now = clock.now()
    user_id = getattr(actor, "id", None)
    scan_row = QualityScan(division_code=division.code, period_start=start, period_end=end,
                           trigger=trigger, started_at=now, run_by_id=user_id, counts={})
    session.add(scan_row)
    session.flush()
    connection = session.connection()
    collect(connection, RULES, division.code, start, end, settings)
    f = found_table
    scan_row.counts = {row.rule: row.n for row in connection.execute(
        select(f.c.rule, func.count().label("n")).group_by(f.c.rule_no, f.c.rule)
        .order_by(f.c.rule_no))}
    opened, fixed = _store(connection, scan_row, now, user_id)
    clear(connection)
    # Every finding is either new (opened) or stored already (seen).
    scan_row.seen = sum(scan_row.counts.values()) - opened
    scan_row.opened, scan_row.fixed = opened, fixed
    scan_row.seconds = round(time.perf_counter() - began, 3)
    session.flush()
    return ScanResult(session, scan_row)


def _store(connection: Connection, scan_row: QualityScan, now: dt.datetime,
           user_id: int | None) -> tuple[int, int]:
    """Compare ``quality_scan_found`` with the stored findings of the period, in three
    statements: fix the stored ones of the subtree no longer found, rewrite those found
    again that changed (or reopen them), insert the new ones; ``(opened, fixed)``.
    Findings seen again unchanged are not written at all: their ``last_scan_id`` and
    ``last_seen_at`` stay those of the scan that last opened, changed or fixed them (every
    later scan of the period whose subtree holds their scope has seen them since; see
    ``queries.last_seen``). Rewriting ~150,000 unchanged rows per scan cost PostgreSQL
    more than the rules. A finding is the same across scans by (rule, period, subject),
    wherever a scan of a wider subtree stored it."""
    q, f = QualityFinding.__table__, found_table
    low, high = subtree_bounds(scan_row.division_code)
    period = (q.c.period_start == scan_row.period_start,
              q.c.period_end == scan_row.period_end)
    same_finding = and_(q.c.rule == f.c.rule, q.c.subject == f.c.subject)
    fixed = connection.execute(
        update(q).where(*period, q.c.scope_code.between(low, high),
                        q.c.status != FindingStatus.FIXED,
                        ~exists().where(same_finding))
        .values(status=FindingStatus.FIXED, fixed_at=now, fixed_by_id=user_id,
                explanation=None, explained_at=None, explained_by_id=None,
                last_scan_id=scan_row.id, last_seen_at=_last_sighting(q, scan_row))
    ).rowcount
    unchanged = and_(q.c.status != FindingStatus.FIXED,
                     q.c.division_code == f.c.division_code,
                     q.c.scope_code == f.c.scope_code,
                     cast(q.c.records, Text) == cast(f.c.records, Text),
                     cast(q.c.params, Text) == cast(f.c.params, Text))
    connection.execute(
        update(q).where(*period, same_finding, ~unchanged)
        .values(division_code=f.c.division_code, scope_code=f.c.scope_code,
                record_file=f.c.record_file, record_key=f.c.record_key,
                record_id=f.c.record_id, records=f.c.records, params=f.c.params,
                status=case((q.c.status == FindingStatus.FIXED, FindingStatus.OPEN.value),
                            else_=q.c.status),
                fixed_at=None, fixed_by_id=None, last_scan_id=scan_row.id,
                last_seen_at=now))
    stored = (select(q.c.id).where(*period, q.c.rule == f.c.rule, q.c.subject == f.c.subject)
              .exists())
    # Counted before, not by the insert's rowcount, which psycopg leaves at -1 here.
    opened = connection.execute(select(func.count()).select_from(f).where(~stored)).scalar_one()
    connection.execute(q.insert().from_select(
        ["rule", "severity", "period_start", "period_end", "subject", "division_code",
         "scope_code", "record_file", "record_key", "record_id", "records", "params",
         "status", "found_at", "found_by_id", "last_scan_id", "last_seen_at"],
        select(f.c.rule, f.c.severity, literal(scan_row.period_start, Date),
               literal(scan_row.period_end, Date), f.c.subject, f.c.division_code,
               f.c.scope_code, f.c.record_file, f.c.record_key, f.c.record_id, f.c.records,
               f.c.params, literal(FindingStatus.OPEN.value, String),
               literal(now, DateTime), cast(literal(user_id), Integer),
               literal(scan_row.id, Integer), literal(now, DateTime))
        .where(~stored)
        .order_by(f.c.rule_no, f.c.record_file, f.c.record_key)))
    return opened, fixed


def _last_sighting(q, scan_row: QualityScan):
    """For a standing finding row of ``q``: when a scan before ``scan_row`` last saw it, the
    latest earlier scan of its period whose subtree holds its scope (``queries.last_seen``
    in SQL; a subtree's root is a prefix of the scope padded with zeros)."""
    s = QualityScan.__table__
    holders = [func.substr(q.c.scope_code, 1, length, type_=String)
               + literal("0" * (12 - length)) for length in (2, 4, 6, 9)] + [q.c.scope_code]
    latest = (select(func.max(s.c.started_at))
              .where(s.c.period_start == q.c.period_start, s.c.period_end == q.c.period_end,
                     s.c.id != scan_row.id, s.c.division_code.in_(holders),
                     s.c.started_at >= q.c.last_seen_at)
              .scalar_subquery())
    return func.coalesce(latest, q.c.last_seen_at)


def explain(session: Session, finding: QualityFinding, reason: str, *, actor) -> QualityFinding:
    """Record the written explanation of a warning that still stands (open or explained
    again with a new text). Errors are corrected, not explained."""
    reason = (reason or "").strip()
    if finding.severity == Severity.ERROR:
        raise InvalidTransition(_l("错误须更正后重新检查，不能以说明代替"))
    if finding.status == FindingStatus.FIXED:
        raise InvalidTransition(_l("该问题已更正，无需说明"))
    if not reason:
        raise ValidationFailed(_l("请填写说明"), {"reason": [_l("请填写说明")]})
    if len(reason) > EXPLANATION_MAX:
        raise ValidationFailed(_l("说明不能超过%(n)s字", n=EXPLANATION_MAX),
                               {"reason": [_l("说明不能超过%(n)s字", n=EXPLANATION_MAX)]})
    if find_unsafe(reason) is not None:
        raise ValidationFailed(_l("说明含有不允许的字符"),
                               {"reason": [_l("说明含有不允许的字符")]})
    before = {"status": str(finding.status), "explanation": finding.explanation}
    finding.status = FindingStatus.EXPLAINED
    finding.explanation = reason
    finding.explained_at = clock.now()
    finding.explained_by_id = actor.id
    session.flush()
    record(session, "quality_explain", actor=None, target_type="quality_findings",
           target_id=finding.id, division=finding.division_code,
           before=before, after={"status": "explained", "explanation": reason})
    return finding
