"""``flask period lock|unlock|list``: period locks set and released by an operator.

Submissions lock their own periods (``reporting``); these commands are for administrators
and tests. The lock rows are ordinary audited records: the log names the operating-system
user who ran the command, as for every command.
"""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from field_app.cli.commits import commits
from field_app.cli.text import unknown_division
from field_app.core.codes import subtree_bounds
from field_app.core.errors import DomainError
from field_app.core.i18n import both
from field_app.core.periods import PeriodError, parse_period, period_label
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.locks import operations
from field_app.locks.models import PeriodLock

period = AppGroup("period", help="Period locks (期间锁定): lock, unlock, list.")

_DIVISION = click.option("--division", required=True, help="12-digit division code.")
_PERIOD = click.option("--period", "text", required=True,
                       help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
_REASON = click.option("--reason", required=True, help="Why (kept in the lock and the log).")


def _division(code: str) -> Division:
    division = db.session.get(Division, code.strip())
    if division is None:
        raise click.ClickException(unknown_division(code))
    return division


def _period(text: str) -> tuple[dt.date, dt.date]:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise click.BadParameter(both(error.message), param_hint="--period") from None


def _describe(division: Division, start: dt.date, end: dt.date) -> str:
    return f"{division.code} {division.name} {period_label(start, end)} ({start}..{end})"


@period.command("lock")
@_DIVISION
@_PERIOD
@_REASON
@commits
def lock(division: str, text: str, reason: str) -> None:
    """Lock a division's data up to the end of a period (锁定期间)."""
    place, (start, end) = _division(division), _period(text)
    try:
        made = operations.lock_period(db.session, division_code=place.code, start=start,
                                      end=end, reason=reason, actor_id=None)
    except DomainError as error:
        raise click.ClickException(both(error.message)) from None
    click.echo(both(_l("已锁定：%(what)s，锁定编号 %(id)s", what=_describe(place, start, end),
                       id=made.id)))


@period.command("unlock")
@_DIVISION
@_PERIOD
@_REASON
@commits
def unlock(division: str, text: str, reason: str) -> None:
    """Release every active lock on exactly this division and period (解除锁定)."""
    place, (start, end) = _division(division), _period(text)
    locks = operations.active_division_locks(db.session, place.code, start, end)
    if not locks:
        raise click.ClickException(both(_l("%(what)s 没有有效的锁定",
                                           what=_describe(place, start, end))))
    try:
        for found in locks:
            operations.release_lock(db.session, found, reason=reason, actor_id=None)
    except DomainError as error:
        raise click.ClickException(both(error.message)) from None
    click.echo(both(_l("已解除 %(count)s 个锁定：%(what)s", count=len(locks),
                       what=_describe(place, start, end))))


@period.command("list")
@click.option("--division", default=None, help="Only locks within this division's subtree.")
def list_locks(division: str | None) -> None:
    """List the active locks (有效的期间锁定)."""
    query = (select(PeriodLock, Division.name)
             .join(Division, Division.code == PeriodLock.division_code)
             .where(PeriodLock.released_at.is_(None))
             .order_by(PeriodLock.division_code, PeriodLock.period_end))
    if division:
        low, high = subtree_bounds(_division(division).code)
        query = query.where(PeriodLock.division_code.between(low, high))
    rows = db.session.execute(query).all()
    if not rows:
        click.echo(both(_l("没有有效的期间锁定")))
        return
    for found, name in rows:
        source = (f"submission {found.submission_id}" if found.submission_id is not None
                  else "operator")
        click.echo(f"{found.id:>6}  {found.division_code} {name}  "
                   f"{period_label(found.period_start, found.period_end)} "
                   f"({found.period_start}..{found.period_end})  {source}  "
                   f"{found.created_at:%Y-%m-%d %H:%M}  {found.reason}")
