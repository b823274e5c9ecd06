"""The frozen copy of a submission, and the report contents rebuilt from it.

A division that reports from its own data (a township, a county) freezes the live figures:
the twelve indicators, both tables by child division, the records behind the figures and
the review coverage of the survey figures. A division that reports from the level below
(a league) freezes the sum of its children's approved submissions, beside its live figures
and the difference. Printed tables of a submission are rebuilt from the frozen copy
(``thaw``), never from live data.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import types
import typing
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, or_, select

from field_app.core.codes import subtree_bounds
from field_app.households.models import Household, HouseholdMember
from field_app.indicators import Policy, compute_indicators, rules
from field_app.indicators.engine import INDICATOR_KEYS, unemployment_rate
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from field_app.reports.context import DivisionRef, TableContext, build_table
from field_app.reports.models import ReportKind
from field_app.reports.roster import RosterContext, build_roster
from field_app.surveys.models import Training, TransferSpell

# Figures that add up over divisions; the rate is recomputed from its parts.
ADDITIVE = tuple(key for key in INDICATOR_KEYS if key != "registered_unemployment_rate")


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def freeze_dataclass(obj) -> dict[str, Any]:
    """A JSON-safe copy of a report context, every field kept (``thaw`` reads it back)."""
    return json.loads(json.dumps(dataclasses.asdict(obj), default=plain))


def thaw(kind, value):
    """The value of type ``kind`` that ``freeze_dataclass`` wrote as ``value``.

    Written here because the contexts are frozen dataclasses of dates, Decimals, enums and
    nested lists: a schema library would repeat every field of them a second time.
    """
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: thaw(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if isinstance(value, str):
            for option in (dt.date, Decimal):
                if option in options:
                    return thaw(option, value)
        if isinstance(value, bool) and bool in options:
            return value
        if isinstance(value, int) and int in options:
            return value
        return thaw(options[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [thaw(item, v) for v in value]
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(thaw(item, v) for v in value)
    if origin is dict:
        _, item = typing.get_args(kind)
        return {k: thaw(item, v) for k, v in value.items()}
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value


def table_from(frozen: dict[str, Any]) -> TableContext:
    return thaw(TableContext, frozen)


def roster_from(frozen: dict[str, Any]) -> RosterContext:
    return thaw(RosterContext, frozen)


def fingerprint(figures: dict[str, Any]) -> str:
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the records behind the figures --------------------------------------------------------------------

def _in(column, division: str):
    low, high = subtree_bounds(division)
    return column.between(low, high)


def record_counts(connection: Connection, division: str, a: dt.date, b: dt.date) -> dict[str, int]:
    """How many records of each kind stand behind the figures of ``division`` for
    ``[a, b]``: the records of the period that the rules read. One query."""
    e, u = EmploymentRegistration, UnemploymentRegistration
    aid, n, t = EmploymentAid, NaturalAttrition, EmployedTotal
    s, tr, m, h = TransferSpell, Training, HouseholdMember, Household
    rural = (select(m.person_id).join(h, h.id == m.household_id)
             .where(_in(h.village_code, division)))
    counts = {
        "employment_registrations": select(func.count()).where(
            e.valid, _in(e.division_code, division), e.start_date.between(a, b)),
        "unemployment_registrations": select(func.count()).where(
            u.valid, _in(u.division_code, division), u.registered_on <= b,
            or_(u.cancelled_on.is_(None), u.cancelled_on > b)),
        "employment_aid": select(func.count()).where(
            aid.valid, _in(aid.division_code, division), aid.recognized_on <= b,
            or_(aid.exited_on.is_(None), aid.exited_on >= a)),
        "natural_attrition": select(func.count()).where(
            n.valid, _in(n.division_code, division), n.occurred_on.between(a, b)),
        "employed_totals": select(func.count()).where(
            t.valid, _in(t.division_code, division),
            t.as_of.between(rules.year_before(b), b)),
        "transfer_spells": select(func.count()).where(
            s.start_date <= b, or_(s.end_date.is_(None), s.end_date >= a),
            s.person_id.in_(rural)),
        "trainings": select(func.count()).where(
            tr.end_date.between(a, b), tr.person_id.in_(rural)),
    }
    row = connection.execute(select(*(q.scalar_subquery().label(k) for k, q in counts.items())))
    return {key: int(value) for key, value in row.mappings().one().items()}


# --- the frozen copies ---------------------------------------------------------------------

def _division_json(division: DivisionRef) -> dict[str, Any]:
    return {"code": division.code, "name": division.name, "level": int(division.level)}


def freeze_live(connection: Connection, division: DivisionRef, a: dt.date, b: dt.date,
                policy: Policy, *, villages: list[DivisionRef] | None = None) -> dict[str, Any]:
    """The frozen copy of a division that reports from its own data. The two tables hold
    it all: their total rows are the engine's twelve figures for the division (the rural
    table's four and the urban table's eight), and their extras the employed total's as-of
    date and the review coverage; nothing is computed twice."""
    tables = {kind.value: freeze_dataclass(build_table(connection, kind, division, a, b, policy))
              for kind in (ReportKind.RURAL, ReportKind.URBAN)}
    totals = {**tables["rural"]["total"]["values"], **tables["urban"]["total"]["values"]}
    as_of = (tables["urban"].get("as_of") or {}).get(division.code)
    coverage = tables["rural"].get("coverage") or {}
    return {
        "basis": "live",
        "division": _division_json(division),
        "start": a.isoformat(), "end": b.isoformat(), "policy": policy.name,
        "indicators": {key: totals[key] for key in INDICATOR_KEYS},
        "tables": tables,
        "records": record_counts(connection, division.code, a, b),
        "coverage": {"households": coverage.get("households", 0),
                     "reviewed": coverage.get("approved", 0)},
        "villages": [v.code for v in villages or []],
        # The date of the employed total used (rule 7); empty for the children's sum.
        "as_of": None if as_of == "children" else as_of,
    }


def sum_of(children: list[dict[str, Any]]) -> dict[str, int | str | None]:
    """The indicators of a division as the sum of its children's frozen indicators (the
    rate from the summed parts; the employed total empty when any child's is)."""
    total: dict[str, Any] = {}
    for key in ADDITIVE:
        parts = [child["indicators"].get(key) for child in children]
        total[key] = None if any(p is None for p in parts) else sum(int(p) for p in parts)
    rate = (unemployment_rate(total["registered_unemployed"], total["employed_total"])
            if total["registered_unemployed"] is not None else None)
    total["registered_unemployment_rate"] = plain(rate)
    return {key: total[key] for key in INDICATOR_KEYS}


def freeze_from_children(connection: Connection, division: DivisionRef, a: dt.date,
                         b: dt.date, policy: Policy,
                         children: list[tuple[DivisionRef, int, int, dict[str, Any]]]
                         ) -> dict[str, Any]:
    """The frozen copy of a division that reports its children's approved submissions:
    ``children`` holds (division, submission id, version, frozen figures) of each."""
    summed = sum_of([figures for _, _, _, figures in children])
    live = {key: plain(value) for key, value in
            compute_indicators(connection, division.code, a, b, policy).items()}
    difference = {key: (None if summed[key] is None or live[key] is None
                        else str(Decimal(str(summed[key])) - Decimal(str(live[key]))))
                  for key in INDICATOR_KEYS}
    tables = {}
    for kind in (ReportKind.RURAL, ReportKind.URBAN):
        columns = ([c for c in INDICATOR_KEYS if c in _columns(kind)])
        rows = [{"code": ref.code, "name": ref.name,
                 "values": {c: figures["indicators"].get(c) for c in columns}}
                for ref, _, _, figures in children]
        tables[kind.value] = {
            "kind": kind.value, "division": _division_json(division),
            "start": a.isoformat(), "end": b.isoformat(), "columns": columns,
            "total": {"code": division.code, "name": division.name,
                      "values": {c: summed[c] for c in columns}},
            "rows": rows, "policy": policy.name}
    return {
        "basis": "children",
        "division": _division_json(division),
        "start": a.isoformat(), "end": b.isoformat(), "policy": policy.name,
        "indicators": summed,
        "live": live,
        "difference": {k: v for k, v in difference.items() if v not in (None, "0", "0.00")},
        "tables": tables,
        "children": [{"code": ref.code, "name": ref.name, "submission": sid, "version": version}
                     for ref, sid, version, _ in children],
        "coverage": {
            "households": sum(f.get("coverage", {}).get("households", 0) for *_, f in children),
            "reviewed": sum(f.get("coverage", {}).get("reviewed", 0) for *_, f in children)},
        "records": {},
    }


def _columns(kind: ReportKind) -> tuple[str, ...]:
    from field_app.reports.context import COLUMNS  # noqa: PLC0415

    return COLUMNS[kind]


def freeze_roster(connection: Connection, village: DivisionRef, a: dt.date, b: dt.date,
                  policy: Policy) -> dict[str, Any]:
    return freeze_dataclass(build_roster(connection, village, a, b, policy))

