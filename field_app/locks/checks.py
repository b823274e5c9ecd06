"""Refusing writes that would change a locked period's figures.

A lock holds the subtree of its division up to the end of its period. A write of a dated
record (registrations, aid, attrition, employed totals, transfer spells, trainings) lying in
that subtree is refused when a date it sets or clears falls on or before the period's end:

* a new or deleted record: every date it carries;
* a changed record: when only its dates changed (an end, a cancellation, an aid exit, with
  the reason that goes with that date), the old and the new value of each changed date, so
  ending on the day after the period passes; when anything else changed (validity and
  invalidation, the division, the person, a type, a figure), the record as a whole: every
  date it had and has.

A record with a division lies there (before and after the change); a transfer spell or a
training lies in every division holding a record of its person
(``households.scope.person_divisions``, plus memberships this flush adds). Bookkeeping
columns alone (who and when changed it, the phone's version and UUID) are no change.

Household memberships are not dated, but the rural figures of a village count the members it
has now (rules 9-12 join spells to members by the household's village, and rule 9 reads the
member's labour capacity). A membership write — a member added, removed or moved, or their
labour capacity changed — is therefore refused when the person has a transfer spell or a
training overlapping the period of a lock holding the village (old or new). A change of the
relation alone passes, as does a member with nothing in the locked period.

``install`` checks every ORM flush (desk, invalidation, phone sync, employed totals, any
future form): with no dated record or membership written there is no query, and otherwise
one small query for the active locks, more only when there are some. Bulk writers (the
interchange importer) match their rows with ``writes_refused`` before writing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Connection, event, inspect, select, union_all
from sqlalchemy.orm import Session

from field_app.core.codes import in_subtree
from field_app.core.errors import DomainError
from field_app.core.periods import period_label
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember
from field_app.households.scope import person_divisions
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
# Tables whose records are placed by their person, not by a division column.
PERSON_LINKED = frozenset({"transfer_spells", "trainings"})
# A column that only qualifies one date: changing it with (or without) that date concerns
# that date alone, not the whole record.
ATTACHED = {"cancel_reason": "cancelled_on", "exit_reason": "exited_on"}
# Columns whose change alone does not touch a figure.
BOOKKEEPING = frozenset({"id", "created_at", "created_by_id", "updated_at", "updated_by_id",
                         "version", "uid"})
MEMBERS = "household_members"
# The membership columns the rural figures read (``relation`` is not one of them).
MEMBER_FIGURES = ("household_id", "person_id", "labour_capacity")

Span = tuple[dt.date, dt.date | None]


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
        """The period in the reader's language (``2026年第1季度``)."""
        return period_label(self.period_start, self.period_end)

    def holds(self, divisions: Iterable[str]) -> bool:
        return any(in_subtree(code, self.division_code) for code in divisions)

    def covers(self, divisions: Iterable[str], dates: Iterable[dt.date | None]) -> bool:
        """A write setting or clearing ``dates`` of a record lying in ``divisions``."""
        return (any(d is not None and d <= self.period_end for d in dates)
                and self.holds(divisions))

    def overlaps(self, divisions: Iterable[str], spans: Iterable[Span]) -> bool:
        """A membership in ``divisions`` of a person whose spells and trainings span
        ``spans`` counts in this lock's period."""
        return (any(start <= self.period_end and (end is None or end >= self.period_start)
                    for start, end in spans) and self.holds(divisions))


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


def describe(locks: Sequence[ActiveLock], day: dt.date | None = None, *,
             elsewhere: bool = False) -> str:
    """The refusal, naming every locked period of ``locks``, in the reader's language.
    ``elsewhere``: further locks hold the record through a place the writer may not be
    shown (a person's record in another jurisdiction), so they are mentioned unnamed."""
    names = "、".join(_("%(division)s %(period)s", division=lock.division_name,
                        period=lock.period) for lock in locks)
    if elsewhere:
        names = (_("%(locks)s，以及该人员其他记录所在地的已锁定期间", locks=names) if names
                 else _("该人员其他记录所在地的已锁定期间"))
    if day is None:
        return _("该数据属于已报送锁定的期间（%(locks)s），不能直接更改；如需更改，请在报送页面申请更正。",
                 locks=names)
    return _("该数据属于已报送锁定的期间（%(locks)s）：%(day)s 及以前的数据不能直接更改；"
             "如需更改，请在报送页面申请更正。", locks=names, day=day.isoformat())


class PeriodLocked(DomainError):
    """A write into a locked period (409), naming the period(s) it would change."""

    status = 409
    code = "period_locked"

    def __init__(self, locks: Sequence[ActiveLock], day: dt.date | None = None, *,
                 hidden: Sequence[ActiveLock] = ()) -> None:
        super().__init__(describe(locks, day, elsewhere=bool(hidden)))
        self.locks = [*locks, *hidden]


# --- what a write touches ------------------------------------------------------------------

def touched_dates(table: str, old: Mapping[str, Any] | None,
                  new: Mapping[str, Any] | None) -> list[dt.date] | None:
    """The dates a write of one ``table`` record sets or clears; None when it changes no
    figure. ``old`` is the stored record (None for an insert), ``new`` the record written
    (None for a delete; for an update, only the columns it gives are compared)."""
    dates = DATED_TABLES[table]
    if old is None or new is None:
        record = new if old is None else old
        return [record[name] for name in dates if record.get(name) is not None]
    changed = [name for name, value in new.items()
               if name not in BOOKKEEPING and name in old and _plain(old[name]) != _plain(value)]
    if not changed:
        return None
    if all(name in dates or name in ATTACHED for name in changed):
        names = {ATTACHED.get(name, name) for name in changed}
    else:
        names = set(dates)
    return [value for name in names for value in (old.get(name), new.get(name, old.get(name)))
            if value is not None]


def membership_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """A membership write the rural figures can see: an insert, a delete, or a change of the
    household, the person or the labour capacity."""
    if old is None or new is None:
        return True
    return any(name in new and _plain(old.get(name)) != _plain(new[name])
               for name in MEMBER_FIGURES)


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def person_division_map(connection: Connection, person_ids: Iterable[int]) -> dict[int, set[str]]:
    """Person id → every division holding a record of that person."""
    found: dict[int, set[str]] = defaultdict(set)
    ids = sorted({p for p in person_ids if p is not None})
    for start in range(0, len(ids), 2000):
        rows = person_divisions(ids[start:start + 2000]).subquery()
        for person_id, code in connection.execute(select(rows.c.person_id, rows.c.division_code)):
            if code:
                found[person_id].add(code)
    return found


def home_villages(connection: Connection, person_ids: Iterable[int]) -> dict[int, str]:
    """Person id → the village of the household the person is a member of."""
    found: dict[int, str] = {}
    ids = sorted({p for p in person_ids if p is not None})
    for start in range(0, len(ids), 2000):
        found.update(connection.execute(
            select(HouseholdMember.person_id, Household.village_code)
            .join(Household, Household.id == HouseholdMember.household_id)
            .where(HouseholdMember.person_id.in_(ids[start:start + 2000]))).all())
    return found


def person_spans(connection: Connection, person_ids: Iterable[int]) -> dict[int, list[Span]]:
    """Person id → the (start, end) of every stored transfer spell and training."""
    from field_app.surveys.models import Training, TransferSpell  # noqa: PLC0415 - tables

    found: dict[int, list[Span]] = defaultdict(list)
    ids = sorted({p for p in person_ids if p is not None})
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        query = union_all(*(select(model.person_id, model.start_date, model.end_date)
                            .where(model.person_id.in_(chunk))
                            for model in (TransferSpell, Training)))
        for person_id, first, last in connection.execute(query):
            found[person_id].append((first, last))
    return found


@dataclasses.dataclass
class Write:
    """One record a write touches, in the terms the locks are matched in: the divisions
    holding it (before and after), the places it may name there (None: all of them), and
    the dates it sets or clears — or, for a membership, its person's spells."""

    divisions: set[str]
    dates: list[dt.date] = dataclasses.field(default_factory=list)
    spans: list[Span] | None = None  # a membership: the person's spells and trainings
    nameable: set[str] | None = None

    def refused(self, locks: Sequence[ActiveLock]) -> tuple[list[ActiveLock], list[ActiveLock]]:
        """The locks this write would break: those it may name, and the others."""
        if self.spans is not None:
            hit = [lock for lock in locks if lock.overlaps(self.divisions, self.spans)]
        else:
            hit = covering(locks, self.divisions, self.dates)
        if self.nameable is None:
            return hit, []
        named = [lock for lock in hit if lock.holds(self.nameable)]
        return named, [lock for lock in hit if lock not in named]


def refusal_day(named: Sequence[ActiveLock], hidden: Sequence[ActiveLock]) -> dt.date:
    return max(lock.period_end for lock in (*named, *hidden))


# --- ORM writes ---------------------------------------------------------------------------

def _changed(obj) -> bool:
    """Whether ``obj`` (a dirty watched record) has a change beyond bookkeeping; cheap, no
    query (an attribute set to its loaded value is no change)."""
    state = inspect(obj)
    if obj.__tablename__ == MEMBERS:
        names = (*MEMBER_FIGURES, "household", "person")
        return any(state.attrs[name].history.has_changes() for name in names)
    return any(state.attrs[attr.key].history.has_changes()
               for attr in state.mapper.column_attrs if attr.key not in BOOKKEEPING)


def _watched(obj) -> bool:
    table = getattr(obj, "__tablename__", None)
    return table in DATED_TABLES or table == MEMBERS


def _written(session: Session) -> list:
    found = [obj for obj in (*session.new, *session.deleted) if _watched(obj)]
    found += [obj for obj in session.dirty if _watched(obj) and _changed(obj)]
    return found


def _stored(connection: Connection, objects: Sequence) -> dict[int, Mapping[str, Any]]:
    """id(obj) → the stored row of each persistent object, one query per table: the values
    before this flush, whether or not the session had them loaded."""
    by_table: dict[Any, dict[Any, Any]] = defaultdict(dict)
    for obj in objects:
        state = inspect(obj)
        if state.key is not None:
            by_table[state.mapper.local_table][state.key[1][0]] = obj
    found: dict[int, Mapping[str, Any]] = {}
    for table, by_key in by_table.items():
        pk = next(iter(table.primary_key.columns))
        for row in connection.execute(select(table).where(pk.in_(list(by_key)))):
            found[id(by_key[row._mapping[pk.name]])] = dict(row._mapping)
    return found


def _current(obj, old: Mapping[str, Any] | None) -> dict[str, Any]:
    """The values ``obj`` will have after the flush (the stored one where not loaded)."""
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        name = attr.columns[0].name
        if attr.key in state.dict:
            values[name] = state.dict[attr.key]
        else:
            values[name] = old.get(name) if old is not None else None
    return values


def _member_refs(obj, values: dict[str, Any]) -> dict[str, Any]:
    """A pending membership set through its relationships carries no ids yet: take them
    (and the household's village) from the related objects."""
    household = obj.__dict__.get("household")
    person = obj.__dict__.get("person")
    if household is not None and household.id is not None:
        values["household_id"] = household.id
    if person is not None and person.id is not None:
        values["person_id"] = person.id
    return values


def _orm_writes(session: Session, connection: Connection, objects: Sequence) -> list[Write]:
    stored = _stored(connection, [obj for obj in objects if obj not in session.new])
    changes = []  # (table, old, new, obj)
    for obj in objects:
        old = stored.get(id(obj))
        if obj not in session.new and old is None:
            continue  # gone already: nothing of it is in any figure
        new = None if obj in session.deleted else _current(obj, old)
        if obj.__tablename__ == MEMBERS and new is not None:
            new = _member_refs(obj, new)
        changes.append((obj.__tablename__, old, new, obj))

    # Memberships this flush adds or moves: their villages hold their persons' records too.
    pending_villages: dict[int, set[str]] = defaultdict(set)
    pending_spans: dict[int, list[Span]] = defaultdict(list)
    household_ids: set[int] = set()
    for table, old, new, obj in changes:
        if table == MEMBERS:
            household_ids |= {row["household_id"] for row in (old, new) if row is not None}
    villages = _household_villages(session, connection, household_ids)
    for table, old, new, obj in changes:
        if table == MEMBERS and new is not None:
            household = obj.__dict__.get("household")
            village = (household.village_code if household is not None
                       else villages.get(new["household_id"]))
            if village and new.get("person_id") is not None:
                pending_villages[new["person_id"]].add(village)
        if table in PERSON_LINKED and new is not None and new.get("person_id") is not None:
            pending_spans[new["person_id"]].append((new["start_date"], new["end_date"]))

    persons = {row["person_id"] for table, old, new, _obj in changes
               if table in PERSON_LINKED for row in (old, new) if row is not None}
    by_person = person_division_map(connection, persons) if persons else {}
    homes = home_villages(connection, persons) if persons else {}
    members = {row["person_id"] for table, old, new, _obj in changes
               if table == MEMBERS for row in (old, new) if row is not None}
    spans = person_spans(connection, members) if members else {}

    writes = []
    for table, old, new, _obj in changes:
        rows = [row for row in (old, new) if row is not None]
        if table == MEMBERS:
            if not membership_changed(old, new):
                continue
            people = {row["person_id"] for row in rows} - {None}
            writes.append(Write(
                divisions={villages.get(row["household_id"]) for row in rows} - {None}
                | {v for p in people for v in pending_villages.get(p, ())},
                spans=[span for p in people
                       for span in (*spans.get(p, ()), *pending_spans.get(p, ()))]))
            continue
        dates = touched_dates(table, old, new)
        if not dates:
            continue
        if table in PERSON_LINKED:
            people = {row["person_id"] for row in rows}
            holding = {code for p in people
                       for code in (*by_person.get(p, ()), *pending_villages.get(p, ()))}
            home = {code for p in people
                    for code in ({homes.get(p)} | pending_villages.get(p, set())) if code}
            writes.append(Write(divisions=holding, dates=dates, nameable=home))
        else:
            writes.append(Write(divisions={row["division_code"] for row in rows}, dates=dates))
    return writes


def _household_villages(session: Session, connection: Connection,
                        ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(connection.execute(select(Household.id, Household.village_code)
                                   .where(Household.id.in_(sorted(ids)))).all())


def check_flush(session: Session, objects: Sequence) -> None:
    """``PeriodLocked`` if any of ``objects`` (the dated records and memberships this flush
    writes) would change a locked period's figures."""
    if not objects:
        return
    connection = session.connection()
    locks = active_locks(connection)
    if not locks:
        return
    for write in _orm_writes(session, connection, objects):
        named, hidden = write.refused(locks)
        if named or hidden:
            raise PeriodLocked(named, refusal_day(named, hidden), hidden=hidden)


def _before_flush(session: Session, flush_context, instances) -> None:
    check_flush(session, _written(session))


def install(session_class) -> None:
    """Check every ORM flush against the active locks. Idempotent."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)


def lazily(render: Callable[[], str]):
    """A message rendered when shown, in the language then chosen (``core.i18n.both``
    renders it twice)."""
    from flask_babel import LazyString  # noqa: PLC0415

    return LazyString(render)
