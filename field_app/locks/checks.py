"""Refusing writes that would change a locked period's figures.

A write is refused when it creates, changes or deletes a dated record (registrations, aid,
attrition, employed totals, transfer spells, trainings) that lies in the subtree of a locked
division, and any date it sets or clears (the record's dates before and after the change)
falls on or before the end of the locked period. Bookkeeping columns alone (who and when
changed it, the phone's version) do not count as a change.

``install`` checks every ORM flush (desk, invalidation, phone sync, employed totals, any
future form); bulk writers call ``locked_records`` before they write.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import Session

from field_app.core.codes import in_subtree
from field_app.core.errors import DomainError
from field_app.core.periods import period_label
from field_app.divisions.models import Division
from field_app.locks.models import PeriodLock

# Table → the date columns that place its records in time. A record with a division column
# lies in that division; the others (person-linked survey records) lie in every division
# holding a record of their person (``households.scope.person_divisions``).
DATED_TABLES: dict[str, tuple[str, ...]] = {
    "employment_registrations": ("start_date", "end_date", "registered_on"),
    "unemployment_registrations": ("registered_on", "cancelled_on"),
    "employment_aid": ("recognized_on", "exited_on"),
    "natural_attrition": ("occurred_on",),
    "employed_totals": ("as_of",),
    "transfer_spells": ("start_date", "end_date"),
    "trainings": ("start_date", "end_date"),
}
# Columns whose change alone does not touch a figure.
BOOKKEEPING = frozenset({"created_at", "created_by_id", "updated_at", "updated_by_id",
                         "version", "uid"})


@dataclasses.dataclass(frozen=True)
class ActiveLock:
    id: int
    division_code: str
    division_name: str
    period_start: dt.date
    period_end: dt.date
    reason: str
    submission_id: int | None

    @property
    def period(self) -> str:
        return period_label(self.period_start, self.period_end)

    def covers(self, divisions: Iterable[str], dates: Iterable[dt.date | None]) -> bool:
        days = [d for d in dates if d is not None]
        return (bool(days) and min(days) <= self.period_end
                and any(in_subtree(code, self.division_code) for code in divisions))


def active_locks(connection: Connection) -> list[ActiveLock]:
    """Every active lock with its division's name; one query (the table is small)."""
    rows = connection.execute(
        select(PeriodLock.id, PeriodLock.division_code, Division.name, PeriodLock.period_start,
               PeriodLock.period_end, PeriodLock.reason, PeriodLock.submission_id)
        .join(Division, Division.code == PeriodLock.division_code)
        .where(PeriodLock.released_at.is_(None))
        .order_by(PeriodLock.period_end.desc(), PeriodLock.division_code))
    return [ActiveLock(*row) for row in rows]


def covering(locks: Sequence[ActiveLock], divisions: Iterable[str],
             dates: Iterable[dt.date | None]) -> list[ActiveLock]:
    divisions, dates = list(divisions), list(dates)
    return [lock for lock in locks if lock.covers(divisions, dates)]


def describe(locks: Sequence[ActiveLock], day: dt.date | None = None) -> str:
    """The refusal, naming every locked period that holds the record, in the reader's
    language."""
    names = "、".join(_("%(division)s %(period)s", division=lock.division_name,
                        period=lock.period) for lock in locks)
    if day is None:
        return _("该数据属于已报送锁定的期间（%(locks)s），不能直接更改；如需更改，请在报送页面申请更正。",
                 locks=names)
    return _("该数据属于已报送锁定的期间（%(locks)s）：%(day)s 及以前的数据不能直接更改；"
             "如需更改，请在报送页面申请更正。", locks=names, day=day.isoformat())


class PeriodLocked(DomainError):
    """A write into a locked period (409), naming the period(s) it would change."""

    status = 409
    code = "period_locked"

    def __init__(self, locks: Sequence[ActiveLock], day: dt.date | None = None) -> None:
        super().__init__(describe(locks, day))
        self.locks = list(locks)


# --- ORM writes ---------------------------------------------------------------------------

def _values(obj, name: str) -> list:
    state = inspect(obj)
    history = state.attrs[name].history
    values = [*history.unchanged, *history.added, *history.deleted]
    if not values and name not in state.dict and not state.was_deleted:
        values = [getattr(obj, name)]
    return [value for value in values if value is not None]


def _changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[attr.key].history.has_changes()
               for attr in state.mapper.column_attrs if attr.key not in BOOKKEEPING)


def _written(session: Session) -> list:
    found = [obj for obj in (*session.new, *session.deleted)
             if getattr(obj, "__tablename__", None) in DATED_TABLES]
    found += [obj for obj in session.dirty
              if getattr(obj, "__tablename__", None) in DATED_TABLES and _changed(obj)]
    return found


def person_division_map(connection: Connection, person_ids: Iterable[int]) -> dict[int, set[str]]:
    """Person id → every division holding a record of that person."""
    from field_app.households.scope import person_divisions  # noqa: PLC0415 - see layers

    found: dict[int, set[str]] = defaultdict(set)
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), 2000):
        rows = person_divisions(ids[start:start + 2000]).subquery()
        for person_id, code in connection.execute(select(rows.c.person_id, rows.c.division_code)):
            if code:
                found[person_id].add(code)
    return found


def check_flush(session: Session, objects: Sequence) -> None:
    """``PeriodLocked`` if any of ``objects`` (dated records this flush writes) lies in a
    locked period."""
    if not objects:
        return
    connection = session.connection()
    locks = active_locks(connection)
    if not locks:
        return
    persons = {value for obj in objects if not hasattr(obj, "division_code")
               for value in _values(obj, "person_id")}
    by_person = person_division_map(connection, persons) if persons else {}
    for obj in objects:
        if hasattr(obj, "division_code"):
            divisions = set(_values(obj, "division_code"))
        else:
            divisions = set().union(*(by_person.get(p, set()) for p in _values(obj, "person_id")))
        dates = [day for name in DATED_TABLES[obj.__tablename__] for day in _values(obj, name)]
        hit = covering(locks, divisions, dates)
        if hit:
            raise PeriodLocked(hit, max(lock.period_end for lock in hit))


def _before_flush(session: Session, flush_context, instances) -> None:
    check_flush(session, _written(session))


def install(session_class) -> None:
    """Check every ORM flush against the active locks. Idempotent."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
