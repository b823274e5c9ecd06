"""Reads of stored findings, always within a subtree: the counts the reporting chain checks
before a submission, the filtered list of the page and its export, and who entered each
record a finding names (谁录入谁负责)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from field_app.accounts.models import User
from field_app.core.codes import Level, ancestor_at, in_subtree, subtree_bounds
from field_app.households.models import Household, HouseholdMember
from field_app.quality.models import FindingStatus, QualityFinding, QualityScan, Severity
from field_app.registrations.models import EmploymentRegistration, UnemploymentRegistration
from field_app.surveys.models import Training, TransferSpell

# The record tables a finding may name, by interchange file stem.
RECORD_TABLES = {
    "transfer_spells": TransferSpell,
    "trainings": Training,
    "households": Household,
    "household_members": HouseholdMember,
    "employment_registrations": EmploymentRegistration,
    "unemployment_registrations": UnemploymentRegistration,
}


def last_seen(session: Session, finding: QualityFinding) -> dt.datetime:
    """When a scan last saw ``finding``. A scan does not rewrite the findings it sees again
    unchanged, so for a standing finding this is the latest scan of its period whose
    subtree holds its scope (each such scan saw it or fixed it); a fixed one was last seen
    when it was last stored."""
    if finding.status == FindingStatus.FIXED:
        return finding.last_seen_at
    holders = {ancestor_at(finding.scope_code, level) for level in Level}
    latest = session.scalar(select(func.max(QualityScan.started_at)).where(
        QualityScan.period_start == finding.period_start,
        QualityScan.period_end == finding.period_end,
        QualityScan.division_code.in_(sorted(holders)),
        QualityScan.started_at >= finding.last_seen_at))
    return latest or finding.last_seen_at


def _counted(session: Session, division_code: str, start: dt.date, end: dt.date,
             severity: Severity) -> int:
    f = QualityFinding
    low, high = subtree_bounds(division_code)
    return session.scalar(select(func.count()).where(
        f.division_code.between(low, high), f.period_start == start, f.period_end == end,
        f.severity == severity, f.status == FindingStatus.OPEN)) or 0


def open_errors(session: Session, division_code: str, start: dt.date, end: dt.date) -> int:
    """Open error findings of the subtree for exactly the period ``[start, end]``: the
    submission refuses while this is above zero (after a scan)."""
    return _counted(session, division_code, start, end, Severity.ERROR)


def unexplained_warnings(session: Session, division_code: str, start: dt.date,
                         end: dt.date) -> int:
    """Open (not yet explained) warning findings of the subtree for the period."""
    return _counted(session, division_code, start, end, Severity.WARNING)


@dataclasses.dataclass(frozen=True)
class Filters:
    division: str
    period: tuple[dt.date, dt.date] | None = None
    rule: str | None = None
    severity: Severity | None = None
    status: FindingStatus | None = None


def findings(filters: Filters) -> Select:
    """The findings matching ``filters`` (the division already checked against the reader's
    jurisdiction), errors first, then by rule and record."""
    f = QualityFinding
    low, high = subtree_bounds(filters.division)
    statement = select(f).where(f.division_code.between(low, high))
    if filters.period is not None:
        statement = statement.where(f.period_start == filters.period[0],
                                    f.period_end == filters.period[1])
    if filters.rule:
        statement = statement.where(f.rule == filters.rule)
    if filters.severity:
        statement = statement.where(f.severity == filters.severity)
    if filters.status:
        statement = statement.where(f.status == filters.status)
    return statement.order_by(f.period_end.desc(), f.severity, f.rule, f.record_key, f.id)


def count(session: Session, statement: Select) -> int:
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def status_counts(session: Session, division: str) -> dict[tuple[str, str], int]:
    """``(severity, status) → count`` of the subtree's findings."""
    f = QualityFinding
    low, high = subtree_bounds(division)
    return {(str(severity), str(status)): n for severity, status, n in session.execute(
        select(f.severity, f.status, func.count()).where(f.division_code.between(low, high))
        .group_by(f.severity, f.status))}


def recent_scans(session: Session, division: str, limit: int = 10) -> list[QualityScan]:
    low, high = subtree_bounds(division)
    return list(session.scalars(select(QualityScan)
                                .where(QualityScan.division_code.between(low, high))
                                .order_by(QualityScan.id.desc()).limit(limit)))


def entered_by(session: Session, records: list[dict[str, Any]]) -> dict[tuple[str, int], Any]:
    """``(file, id) → (created_at, created_by User or None, still exists)`` for the records a
    finding names."""
    by_file: dict[str, list[int]] = {}
    for item in records:
        by_file.setdefault(item["file"], []).append(item["id"])
    found: dict[tuple[str, int], Any] = {}
    for file, ids in by_file.items():
        model = RECORD_TABLES.get(file)
        if model is None:
            continue
        for record_id, created_at, user_id in session.execute(
                select(model.id, model.created_at, model.created_by_id)
                .where(model.id.in_(ids))):
            found[(file, record_id)] = (created_at, user_id)
    users = {user.id: user for user in session.scalars(
        select(User).where(User.id.in_({uid for _, uid in found.values() if uid})))}
    return {key: (created_at, users.get(uid)) for key, (created_at, uid) in found.items()}


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {user.id: user.display_name for user in session.scalars(
        select(User).where(User.id.in_(ids)))}


def visible(finding: QualityFinding, user) -> bool:
    return in_subtree(finding.division_code, user.division_code)
