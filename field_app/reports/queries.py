"""Reads of reports, always scoped: printing rights for the pages, the number for /verify."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.core.permissions import get_or_404, in_scope
from field_app.divisions.models import Division
from field_app.divisions.queries import get_division
from field_app.reports.models import Report


def get_printable_division_or_404(session: Session, code: str | None, user) -> Division:
    """The division, if the user may print its reports; 404 otherwise."""
    return get_or_404(get_division(session, code or ""),
                      lambda d: user.can(Capability.PRINT_REPORTS, at=d.code))


def get_report_or_404(session: Session, number: str, user) -> Report:
    """A stored report the user may download again; 404 outside their printing rights."""
    report = session.scalar(select(Report).where(Report.number == number))
    return get_or_404(report,
                      lambda r: user.can(Capability.PRINT_REPORTS, at=r.division_code))


def get_public_report_or_404(session: Session, number: str) -> Report:
    """Any report by its full number, for /verify (which shows no personal data)."""
    return get_or_404(session.scalar(select(Report).where(Report.number == number)),
                      lambda r: True)


def recent_reports(session: Session, user, limit: int = 20) -> list[Report]:
    """The newest reports within the user's jurisdiction."""
    if not user.can(Capability.PRINT_REPORTS):
        return []
    return list(session.scalars(
        select(Report).where(in_scope(Report.division_code, user))
        .order_by(Report.generated_at.desc(), Report.id.desc()).limit(limit)))
