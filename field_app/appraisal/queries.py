"""Reads of the appraisal: the scoreboard of the divisions directly below an office for a
period, and rectification notices, always scoped.

The scoreboard is set-based: each column is one grouped statement over all the children
(the accuracy column is one reported-figure query plus the grouped engine, one statement
per rule), never a query per child.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlalchemy import String, and_, case, func, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.accounts.policy import AccountPolicy
from field_app.accounts.roles import AccountState
from field_app.appraisal import labels
from field_app.appraisal.models import NoticeState, RectificationNotice
from field_app.core.codes import PREFIX_LENGTH, Level, subtree_bounds
from field_app.core.errors import OutOfScope
from field_app.core.permissions import get_or_404
from field_app.divisions.models import Division
from field_app.divisions.queries import get_division
from field_app.households.models import Household
from field_app.indicators import Policy, compute_grouped
from field_app.quality.models import FindingStatus, QualityFinding, Severity
from field_app.reporting.calendar import Period, due_date
from field_app.reporting.models import Submission
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SUBMITTED_ONCE, SurveyStatus
from field_app.surveys.models import SurveyRound
from field_app.targets.queries import reconcile, reported_of


# --- loading ----------------------------------------------------------------------------------

def get_board_division_or_404(session: Session, code: str, user) -> Division:
    """A division whose children the user may appraise (VIEW_APPRAISAL there)."""
    return get_or_404(get_division(session, code or ""),
                      lambda d: d.level < Level.VILLAGE
                      and user.can(Capability.VIEW_APPRAISAL, at=d.code))


def reads_notices(user, code: str | None = None) -> bool:
    """Who reads rectification notices: the offices above (VIEW_APPRAISAL, or issuing them)
    and the divisions answering them (SUBMIT_REPORTS), within their subtree."""
    return any(user.can(capability, at=code) for capability in (
        Capability.VIEW_APPRAISAL, Capability.ISSUE_RECTIFICATION, Capability.SUBMIT_REPORTS))


_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer; a larger id names nothing


def get_notice_or_404(session: Session, notice_id: int, user) -> RectificationNotice:
    found = session.get(RectificationNotice, notice_id) if 0 < notice_id <= _MAX_ID else None
    return get_or_404(found,
                      lambda n: reads_notices(user, n.division_code))


def get_notice_division_or_404(session: Session, code: str | None, user) -> Division:
    division = get_division(session, code or "")
    if division is None or not reads_notices(user, division.code):
        raise OutOfScope()
    return division


def notices_under(session: Session, code: str, *, state: NoticeState | None = None,
                  limit: int = 200) -> list[tuple[RectificationNotice, str]]:
    """The notices addressed to ``code`` or a division below it, with that division's name:
    open ones first, then by deadline."""
    low, high = subtree_bounds(code)
    n = RectificationNotice
    query = (select(n, Division.name).join(Division, Division.code == n.division_code)
             .where(n.division_code.between(low, high)))
    if state is not None:
        query = query.where(n.state == state)
    order = case((n.state == NoticeState.OPEN, 0), (n.state == NoticeState.ANSWERED, 1), else_=2)
    return list(session.execute(query.order_by(order, n.deadline, n.id).limit(limit)).all())


def user_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


# --- the scoreboard -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Timeliness:
    status: str  # a key of labels.TIMELINESS
    due: dt.date | None
    first_submitted: dt.datetime | None

    @property
    def label(self):
        return labels.TIMELINESS[self.status]


@dataclasses.dataclass(frozen=True)
class Accuracy:
    reported: int  # reported figures of the period
    outside: int  # of which beyond ±5% (or without a system figure to compare)

    @property
    def status(self) -> str:
        if not self.reported:
            return labels.NO_FIGURES
        return labels.OUTSIDE if self.outside else labels.WITHIN

    @property
    def label(self):
        return labels.ACCURACY[self.status]


@dataclasses.dataclass(frozen=True)
class Completeness:
    households: int
    surveyed: int  # submitted at least once in the year's round
    reviewed: int  # approved by the township
    returned: int

    @property
    def percent(self) -> Decimal | None:
        """Reviewed of all households, one decimal; empty without households."""
        if not self.households:
            return None
        return (Decimal(self.reviewed) * 100 / self.households).quantize(Decimal("0.1"))


@dataclasses.dataclass(frozen=True)
class Upkeep:
    accounts: int  # active and locked accounts
    locked: int
    overdue: int  # active, idle past the lock threshold, not yet locked by the daily sweep
    never_used: int  # active or locked, never signed in

    @property
    def problems(self) -> int:
        return self.locked + self.overdue + self.never_used


@dataclasses.dataclass(frozen=True)
class ScoreRow:
    division: Division
    timeliness: Timeliness
    accuracy: Accuracy
    completeness: Completeness
    errors: int  # open error findings of the period
    warnings: int  # open (unexplained) warnings of the period
    upkeep: Upkeep
    notices_open: int
    notices_overdue: int
    notices_answered: int  # waiting for the office to close or reopen


def _children(session: Session, division: Division) -> list[Division]:
    return list(session.scalars(select(Division).where(Division.parent_code == division.code)
                                .order_by(Division.code)))


def _key(column, width: int):
    """The child's prefix of a division code column."""
    return func.substr(column, 1, width, type_=String)


def timeliness(session: Session, config, children: list[Division], period: Period,
               today: dt.date) -> dict[str, Timeliness]:
    """Each child's first submission of the period against its due date. One query."""
    codes = [child.code for child in children]
    first = dict(session.execute(
        select(Submission.division_code, func.min(Submission.submitted_at))
        .where(Submission.division_code.in_(codes), Submission.period_start == period.start,
               Submission.period_end == period.end)
        .group_by(Submission.division_code)).all()) if codes else {}
    found = {}
    for child in children:
        due = due_date(config, child.level, period)
        at = first.get(child.code)
        if due is None:
            status = labels.NOT_DUE
        elif at is None:
            status = labels.OVERDUE if today > due else labels.NOT_YET
        else:
            status = labels.ON_TIME if at.date() <= due else labels.LATE
        found[child.code] = Timeliness(status, due, at)
    return found


def accuracy(session: Session, division: Division, children: list[Division], period: Period,
             policy: Policy) -> dict[str, Accuracy]:
    """Each child's reported figures of exactly the period against the system's (±5%): one
    query for the figures, and the engine grouped by child only when there are any."""
    rows = reported_of(session, [child.code for child in children], period.start, period.end)
    counts = {child.code: [0, 0] for child in children}
    if rows:
        wanted = {figure.indicator for figure, _ in rows}
        system = dict(compute_grouped(session.connection(), division.code, period.start,
                                      period.end, policy, by="child", indicators=wanted))
        for item in reconcile(rows, system):
            counts[item.division_code][0] += 1
            counts[item.division_code][1] += int(item.flagged)
    return {code: Accuracy(*pair) for code, pair in counts.items()}


def completeness(session: Session, division: Division, width: int, year: int
                 ) -> dict[str, Completeness]:
    """Households below each child and their status in their county's round of ``year``
    (none: not surveyed). One grouped query."""
    low, high = subtree_bounds(division.code)
    county = _key(Household.village_code, PREFIX_LENGTH[Level.COUNTY]) + "0" * 6
    status = func.coalesce(HouseholdSurvey.status, SurveyStatus.NOT_SURVEYED.value)
    surveyed = [s.value for s in SUBMITTED_ONCE]
    key = _key(Household.village_code, width)
    query = (
        select(key, func.count(Household.id),
               func.sum(case((status.in_(surveyed), 1), else_=0)),
               func.sum(case((status == SurveyStatus.APPROVED.value, 1), else_=0)),
               func.sum(case((status == SurveyStatus.RETURNED.value, 1), else_=0)))
        .outerjoin(SurveyRound, and_(SurveyRound.county_code == county, SurveyRound.year == year))
        .outerjoin(HouseholdSurvey, and_(HouseholdSurvey.household_id == Household.id,
                                         HouseholdSurvey.round_id == SurveyRound.id))
        .where(Household.village_code.between(low, high))
        .group_by(key))
    return {code: Completeness(int(n), int(s or 0), int(r or 0), int(back or 0))
            for code, n, s, r, back in session.execute(query)}


def findings(session: Session, division: Division, width: int, period: Period
             ) -> dict[str, tuple[int, int]]:
    """Open (errors, warnings) of the period below each child. One grouped query."""
    f = QualityFinding
    low, high = subtree_bounds(division.code)
    key = _key(f.division_code, width)
    query = (select(key, func.sum(case((f.severity == Severity.ERROR, 1), else_=0)),
                    func.sum(case((f.severity == Severity.WARNING, 1), else_=0)))
             .where(f.division_code.between(low, high), f.division_code != division.code,
                    f.period_start == period.start, f.period_end == period.end,
                    f.status == FindingStatus.OPEN)
             .group_by(key))
    return {code: (int(e or 0), int(w or 0)) for code, e, w in session.execute(query)}


def upkeep(session: Session, division: Division, width: int, policy: AccountPolicy,
           now: dt.datetime) -> dict[str, Upkeep]:
    """The accounts bound below each child: locked, overdue for locking, never used. One
    grouped query."""
    low, high = subtree_bounds(division.code)
    key = _key(User.division_code, width)
    kept = User.state.in_([AccountState.ACTIVE, AccountState.LOCKED])
    query = (select(key, func.count(User.id),
                    func.sum(case((User.state == AccountState.LOCKED, 1), else_=0)),
                    func.sum(case((and_(User.state == AccountState.ACTIVE,
                                        User.last_activity_at <= now - policy.lock_after), 1),
                                  else_=0)),
                    func.sum(case((User.last_login_at.is_(None), 1), else_=0)))
             .where(User.division_code.between(low, high), User.division_code != division.code,
                    kept)
             .group_by(key))
    return {code: Upkeep(int(n), int(lk or 0), int(od or 0), int(nu or 0))
            for code, n, lk, od, nu in session.execute(query)}


def notice_counts(session: Session, children: list[Division], today: dt.date
                  ) -> dict[str, tuple[int, int, int]]:
    """(open, overdue, answered) notices addressed to each child. One grouped query."""
    n = RectificationNotice
    codes = [child.code for child in children]
    if not codes:
        return {}
    query = (select(n.division_code,
                    func.sum(case((n.state == NoticeState.OPEN, 1), else_=0)),
                    func.sum(case((and_(n.state == NoticeState.OPEN, n.deadline < today), 1),
                                  else_=0)),
                    func.sum(case((n.state == NoticeState.ANSWERED, 1), else_=0)))
             .where(n.division_code.in_(codes)).group_by(n.division_code))
    return {code: (int(o or 0), int(od or 0), int(a or 0))
            for code, o, od, a in session.execute(query)}


def scoreboard(session: Session, config, division: Division, period: Period, *,
               policy: Policy, account_policy: AccountPolicy, now: dt.datetime) -> list[ScoreRow]:
    """One row per division directly below ``division`` for ``period`` (the division was
    loaded through ``get_board_division_or_404``)."""
    children = _children(session, division)
    if not children:
        return []
    today = now.date()
    width = PREFIX_LENGTH[Level(division.level + 1)]
    timely = timeliness(session, config, children, period, today)
    accurate = accuracy(session, division, children, period, policy)
    complete = completeness(session, division, width, period.end.year)
    found = findings(session, division, width, period)
    accounts = upkeep(session, division, width, account_policy, now)
    notices = notice_counts(session, children, today)
    rows = []
    for child in children:
        key = child.code[:width]
        errors, warnings = found.get(key, (0, 0))
        open_, overdue, answered = notices.get(child.code, (0, 0, 0))
        rows.append(ScoreRow(
            child, timely[child.code], accurate[child.code],
            complete.get(key, Completeness(0, 0, 0, 0)), errors, warnings,
            accounts.get(key, Upkeep(0, 0, 0, 0)), open_, overdue, answered))
    return rows
