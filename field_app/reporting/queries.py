"""Reads of the reporting chain, always scoped to the reader's jurisdiction."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.core.permissions import get_or_404
from field_app.divisions.models import Division
from field_app.divisions.queries import get_division
from field_app.reporting import labels
from field_app.reporting.calendar import Period, due_date
from field_app.reporting.models import (
    Submission,
    SubmissionReport,
    SubmissionRoster,
    SubmissionScan,
)
from field_app.reports.models import Report


def get_reporting_division_or_404(session: Session, code: str | None, user) -> Division:
    return get_or_404(get_division(session, code or ""),
                      lambda d: user.can(Capability.VIEW_SUBMISSIONS, at=d.code))


def get_submission_or_404(session: Session, submission_id: int, user) -> Submission:
    return get_or_404(session.get(Submission, submission_id),
                      lambda s: user.can(Capability.VIEW_SUBMISSIONS, at=s.division_code))


def latest_by_division(session: Session, codes: list[str], period: Period
                       ) -> dict[str, Submission]:
    """The newest version of each division's submission for ``period``. One query."""
    if not codes:
        return {}
    newest = (select(Submission.division_code, func.max(Submission.version).label("version"))
              .where(Submission.division_code.in_(codes),
                     Submission.period_start == period.start,
                     Submission.period_end == period.end)
              .group_by(Submission.division_code).subquery())
    rows = session.scalars(select(Submission).join(newest, and_(
        newest.c.division_code == Submission.division_code,
        newest.c.version == Submission.version,
        Submission.period_start == period.start, Submission.period_end == period.end)))
    return {row.division_code: row for row in rows}


def versions(session: Session, code: str, period: Period) -> list[Submission]:
    return list(session.scalars(
        select(Submission).where(Submission.division_code == code,
                                 Submission.period_start == period.start,
                                 Submission.period_end == period.end)
        .order_by(Submission.version.desc())))


@dataclasses.dataclass(frozen=True)
class BoardRow:
    division: Division
    submission: Submission | None
    status: str  # a key of labels.BOARD_STATUS
    due: dt.date | None
    late: bool  # submitted after its due date, or not submitted and past it

    @property
    def status_label(self):
        return labels.BOARD_STATUS[self.status]


def board_status(submission: Submission | None, due: dt.date | None, today: dt.date) -> str:
    if submission is None:
        return labels.OVERDUE if due is not None and today > due else labels.NOT_SUBMITTED
    return submission.status.value


def board(session: Session, config, division: Division, period: Period,
          today: dt.date) -> list[BoardRow]:
    """The status of every division directly below ``division`` for ``period``."""
    children = list(session.scalars(select(Division).where(
        Division.parent_code == division.code).order_by(Division.code)))
    found = latest_by_division(session, [c.code for c in children], period)
    rows = []
    for child in children:
        submission = found.get(child.code)
        due = due_date(config, child.level, period)
        status = board_status(submission, due, today)
        first = submission and _first_submitted(session, child.code, period)
        late = due is not None and ((first is not None and first.date() > due)
                                    or (submission is None and today > due))
        rows.append(BoardRow(child, submission, status, due, bool(late)))
    return rows


def _first_submitted(session: Session, code: str, period: Period) -> dt.datetime | None:
    return session.scalar(select(func.min(Submission.submitted_at)).where(
        Submission.division_code == code, Submission.period_start == period.start,
        Submission.period_end == period.end))


def users_by_id(session: Session, ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def people_of(session: Session, submissions) -> dict[int, User]:
    ids = set()
    for s in submissions:
        if s is not None:
            ids.update((s.submitted_by_id, s.signed_by_id, s.reviewed_by_id, s.reopened_by_id))
    return users_by_id(session, ids)


def reports_of(session: Session, submission: Submission) -> list[Report]:
    return list(session.scalars(select(Report).join(
        SubmissionReport, SubmissionReport.report_id == Report.id)
        .where(SubmissionReport.submission_id == submission.id).order_by(Report.id)))


def scans_of(session: Session, submission: Submission) -> list[SubmissionScan]:
    return list(session.scalars(select(SubmissionScan).where(
        SubmissionScan.submission_id == submission.id).order_by(SubmissionScan.id)))


def get_scan_or_404(session: Session, submission: Submission, scan_id: int) -> SubmissionScan:
    return get_or_404(session.get(SubmissionScan, scan_id),
                      lambda s: s.submission_id == submission.id)


def roster_villages(session: Session, submission: Submission) -> list[Division]:
    return list(session.scalars(select(Division).join(
        SubmissionRoster, SubmissionRoster.village_code == Division.code)
        .where(SubmissionRoster.submission_id == submission.id).order_by(Division.code)))


def stored_persons(submission: Submission, indicator: str):
    """The persons a version's figure counted when it was submitted (a statement)."""
    from field_app.reporting.models import SubmissionPerson  # noqa: PLC0415

    return select(SubmissionPerson.person_id).where(
        SubmissionPerson.submission_id == submission.id,
        SubmissionPerson.indicator == indicator)


def changed_figures(older: Submission, newer: Submission) -> list[str]:
    """The person figures whose value differs between two versions."""
    from field_app.indicators.explain import PERSON_INDICATORS  # noqa: PLC0415

    a, b = older.figures.get("indicators", {}), newer.figures.get("indicators", {})
    return [key for key in PERSON_INDICATORS if a.get(key) != b.get(key)]
