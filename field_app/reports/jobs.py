"""Printing a large report as a background job (生成报表).

A table's cost grows with its rows: one engine pass and one WeasyPrint table row each (the
benchmark, ``benchmarks/reports.py``, has a league's 1,000 village rows at up to 10 s on the
reference machine). A report of at most ``AT_ONCE_ROWS`` rows (a county's townships, a
township's villages, a small village's roster) prints in a second or two and is answered at
once, as before; a larger one (a league or a county village by village, a large village's
roster) is a job, so that no request waits on WeasyPrint for more than a few seconds.

The job calls the same ``generate_report`` in one transaction with the same serial lock
held to its commit, so its numbering, its reissue of unchanged content, /verify and the
period locks are those of the report printed at once.
"""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.core.codes import Level
from field_app.core.context import current_policy
from field_app.core.security import site_url
from field_app.households.models import Household, HouseholdMember
from field_app.jobs import operations as jobs
from field_app.jobs.models import Job
from field_app.jobs.queue import Outcome, kind
from field_app.reports.context import row_divisions
from field_app.reports.models import ReportKind
from field_app.reports.operations import checked_division, generate_report

KIND = "report_pdf"
AT_ONCE_ROWS = 60  # about two printed pages of a table


def printed_rows(session: Session, kind: ReportKind, division, row_level: Level | None) -> int:
    """How many rows the report will print: the table's divisions, or the roster's members
    (one query)."""
    if kind == ReportKind.ROSTER:
        h, m = Household.__table__, HouseholdMember.__table__
        return session.scalar(select(func.count()).select_from(
            h.join(m, m.c.household_id == h.c.id)).where(h.c.village_code == division.code))
    return len(row_divisions(session.connection(), division, row_level))


def generate_or_enqueue(session: Session, *, kind: ReportKind | str, division_code: str,
                        start: dt.date, end: dt.date, actor, row_level: Level | None = None):
    """The report ``(Report, pdf)`` when it is small, else the queued ``Job`` that prints
    it. The request's checks (jurisdiction, period, a roster's village) come first either
    way, so a refused report is refused on the form, not by the job."""
    kind = ReportKind(kind)
    division = checked_division(session, kind, division_code, start, end, actor)
    if printed_rows(session, kind, division, row_level) <= AT_ONCE_ROWS:
        return generate_report(session, kind=kind, division_code=division.code, start=start,
                               end=end, actor=actor, policy=current_policy(),
                               site_url=site_url(), row_level=row_level)
    return jobs.enqueue(session, KIND, actor=actor, division_code=division.code, params={
        "kind": kind.value, "start": start.isoformat(), "end": end.isoformat(),
        "row_level": int(row_level) if row_level is not None else None})


def _download(job: Job) -> str | None:
    number = (job.result or {}).get("number")
    return url_for("reports.download", number=number) if number else None


@kind(KIND, label=_l("生成报表"), capability=Capability.PRINT_REPORTS, link=_download)
def run_report(session, job, progress) -> Outcome:
    params = job.params
    actor = session.get(User, job.created_by_id) if job.created_by_id else None
    progress(0, 3)
    row_level = params.get("row_level")
    report, pdf = generate_report(
        session, kind=params["kind"], division_code=job.division_code,
        start=dt.date.fromisoformat(params["start"]), end=dt.date.fromisoformat(params["end"]),
        actor=actor, policy=current_policy(), site_url=site_url(),
        row_level=Level(row_level) if row_level is not None else None, progress=progress)
    return Outcome(True, {"number": report.number, "report_id": report.id,
                          "bytes": len(pdf)})
