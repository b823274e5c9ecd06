"""Scanning a subtree for a period, and explaining a finding. Both flush and never commit;
the request or command around them commits once, so a scan is stored whole or not at all."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.codes import Level, ancestor_at, in_subtree, level_of, subtree_bounds
from field_app.core.errors import InvalidTransition, ValidationFailed
from field_app.core.sql import insert_rows
from field_app.core.text import find_unsafe
from field_app.divisions.models import Division
from field_app.quality.models import (
    FindingStatus,
    QualityFinding,
    QualityScan,
    ScanTrigger,
    Severity,
)
from field_app.quality.rules import RULES, Rule, Settings

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


@dataclasses.dataclass
class ScanResult:
    scan: QualityScan
    found: list[Found]


def lowest_common_division(codes: list[str]) -> str:
    """The lowest division whose subtree holds every code."""
    for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.LEAGUE, Level.REGION):
        first = ancestor_at(codes[0], level)
        if level_of(first) == level and all(ancestor_at(c, level) == first for c in codes):
            return first
    return codes[0][:2].ljust(12, "0")


def run_rules(session: Session, division: str, start: dt.date, end: dt.date,
              settings: Settings) -> list[Found]:
    """Every rule's statement for the subtree and period, rows grouped into findings (in
    catalogue order, then by each finding's first record)."""
    connection = session.connection()
    found: list[Found] = []
    for rule in RULES:
        grouped: dict[str, Found] = {}
        rows = connection.execute(rule.build(division, start, end, settings)).all()
        for row in sorted(rows, key=lambda r: (r.subject, r.ord, r.file, r.record_id)):
            finding = grouped.get(row.subject)
            if finding is None:
                params = {k: getattr(row, k) for k in ("n1", "n2", "label")
                          if getattr(row, k) is not None}
                finding = grouped[row.subject] = Found(rule, row.subject, [], params)
            finding.records.append({"file": row.file, "key": row.record_key,
                                    "id": row.record_id, "division": row.division_code})
        found.extend(sorted(grouped.values(),
                            key=lambda f: (f.records[0]["file"], f.records[0]["key"])))
    return found


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
    found = run_rules(session, division.code, start, end, settings)
    opened, seen, fixed = _store(session, scan_row, found, now, user_id)
    counts: dict[str, int] = defaultdict(int)
    for finding in found:
        counts[finding.rule.code] += 1
    scan_row.counts = dict(counts)
    scan_row.opened, scan_row.seen, scan_row.fixed = opened, seen, fixed
    scan_row.seconds = round(time.perf_counter() - began, 3)
    session.flush()
    return ScanResult(scan_row, found)


def _store(session: Session, scan_row: QualityScan, found: list[Found], now: dt.datetime,
           user_id: int | None) -> tuple[int, int, int]:
    table = QualityFinding.__table__
    connection = session.connection()
    low, high = subtree_bounds(scan_row.division_code)
    period = (table.c.period_start == scan_row.period_start,
              table.c.period_end == scan_row.period_end)
    kept = (table.c.id, table.c.rule, table.c.subject, table.c.status, table.c.scope_code,
            table.c.division_code, table.c.records, table.c.params)
    stored = {(row.rule, row.subject): row for row in connection.execute(
        select(*kept).where(*period, table.c.scope_code.between(low, high)))}
    wanted = {(f.rule.code, f.subject) for f in found}
    missing = [key for key in wanted if key not in stored]
    if missing:  # seen before by a scan of a wider subtree: the same finding
        subjects = {subject for _, subject in missing}
        for chunk in _chunks(sorted(subjects), 500):
            for row in connection.execute(
                    select(*kept).where(*period, table.c.subject.in_(chunk))):
                stored.setdefault((row.rule, row.subject), row)
    new_rows, seen_rows, unchanged = [], [], []
    for finding in found:
        values = {"division_code": finding.division_code, "scope_code": finding.scope_code,
                  "record_file": finding.records[0]["file"],
                  "record_key": finding.records[0]["key"][:200],
                  "record_id": finding.records[0]["id"], "records": finding.records,
                  "params": finding.params}
        old = stored.get((finding.rule.code, finding.subject))
        if old is None:
            new_rows.append(values | {
                "rule": finding.rule.code, "severity": finding.rule.severity,
                "period_start": scan_row.period_start, "period_end": scan_row.period_end,
                "subject": finding.subject, "status": FindingStatus.OPEN, "found_at": now,
                "found_by_id": user_id, "last_scan_id": scan_row.id, "last_seen_at": now})
        elif old.status != FindingStatus.FIXED and all(
                getattr(old, k) == values[k]
                for k in ("division_code", "scope_code", "records", "params")):
            unchanged.append(old.id)  # only the time it was last seen moves on
        else:
            reopened = old.status == FindingStatus.FIXED
            seen_rows.append(values | {
                "b_id": old.id,
                "status": FindingStatus.OPEN if reopened else old.status,
                "fixed_at": None, "fixed_by_id": None,
                "last_scan_id": scan_row.id, "last_seen_at": now})
    insert_rows(connection, table, new_rows)
    if seen_rows:
        columns = [k for k in seen_rows[0] if k != "b_id"]
        connection.execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(k) for k in columns}),
            seen_rows)
    for chunk in _chunks(unchanged, 500):
        connection.execute(update(table).where(table.c.id.in_(chunk)).values(
            last_scan_id=scan_row.id, last_seen_at=now))
    gone = [row.id for key, row in stored.items()
            if key not in wanted and row.status != FindingStatus.FIXED
            and in_subtree(row.scope_code, scan_row.division_code)]
    for chunk in _chunks(gone, 500):
        connection.execute(update(table).where(table.c.id.in_(chunk)).values(
            status=FindingStatus.FIXED, fixed_at=now, fixed_by_id=user_id,
            explanation=None, explained_at=None, explained_by_id=None,
            last_scan_id=scan_row.id))
    return len(new_rows), len(seen_rows) + len(unchanged), len(gone)


def _chunks(items: list, size: int):
    for index in range(0, len(items), size):
        yield items[index:index + size]


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
