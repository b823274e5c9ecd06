"""The village roster for signing (入户调查花名册): set-based, a few queries per village.

Whatever the number of households, the roster reads the division path, the survey round,
the households with their members and their status in that round, their spells, their
trainings, the engine's person sets of rules 9 and 11, and the engine's figures: eight
queries. Identity numbers leave this module masked.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from field_app.core.identifiers import mask_id_number
from field_app.core.codes import PREFIX_LENGTH, Level
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, Person
from field_app.indicators import Policy, compute_indicators
from field_app.indicators import rules
from field_app.indicators.policy import NOTICE_2019
from field_app.reports.context import RURAL_COLUMNS, DivisionRef
from field_app.review.models import HouseholdSurvey
from field_app.review.states import REVIEWED, SurveyStatus
from field_app.surveys.models import SurveyRound, Training, TransferSpell

# Heads first, then by generation, so the head's signature cell sits beside the head.
RELATION_ORDER = {"head": 0, "spouse": 1, "parent": 2, "sibling": 3, "child": 4,
                  "grandchild": 5, "other": 6}


@dataclasses.dataclass(frozen=True)
class Spell:
    kind: str
    start: dt.date
    end: dt.date | None
    destination: str | None
    industry: str | None
    stable: bool


@dataclasses.dataclass(frozen=True)
class Course:
    course: str
    end: dt.date
    funding: str
    completed: bool


@dataclasses.dataclass(frozen=True)
class RosterMember:
    name: str
    relation: str
    sex: str
    birth_date: dt.date
    id_masked: str
    labour_capacity: str
    spells: list[Spell]
    courses: list[Course]
    transfer: bool  # counted by rule 9 (农村牧区劳动力转移就业)
    new_generation: bool  # and born on or after the policy's cut-off (rule 10)
    stable: bool  # counted by rule 11 (转移就业6个月以上)


@dataclasses.dataclass(frozen=True)
class RosterHousehold:
    code: str
    address: str | None
    members: list[RosterMember]
    # Its status (review.states.SurveyStatus) in the roster's survey round, "not_surveyed"
    # without a row in it or without a round; None in copies frozen before the roster
    # printed statuses (printed as unknown, never as approved).
    status: str | None = None
    reviewed_on: dt.date | None = None  # the township's decision (approved or returned)


@dataclasses.dataclass(frozen=True)
class RosterContext:
    division: DivisionRef
    path: list[DivisionRef]  # region down to the township
    start: dt.date
    end: dt.date
    households: list[RosterHousehold]
    indicators: dict[str, int | None]
    policy: str = NOTICE_2019  # the working-age policy the figures were counted under
    round_year: int | None = None  # the survey round the statuses are of (none: no round)

    @property
    def member_count(self) -> int:
        return sum(len(h.members) for h in self.households)

    def status_counts(self) -> dict[str, int]:
        """Households by survey status, in the order of the statuses; unknown last."""
        counts = {status.value: 0 for status in SurveyStatus}
        for household in self.households:
            key = household.status if household.status in counts else "unknown"
            counts[key] = counts.get(key, 0) + 1
        return {key: n for key, n in counts.items() if n}

    def figures(self) -> dict[str, Any]:
        """What /verify may show of a roster: counts and the village's figures, no person."""
        return {"division": dataclasses.asdict(self.division), "policy": self.policy,
                "households": len(self.households), "members": self.member_count,
                "indicators": dict(self.indicators)}

    def content(self) -> dict[str, Any]:
        return {"figures": self.figures(), "path": [d.code for d in self.path],
                "households": [dataclasses.asdict(h) for h in self.households]}


def division_path(connection: Connection, code: str) -> list[DivisionRef]:
    """The divisions above ``code``, region first. One query."""
    codes = [code[:n].ljust(12, "0") for n in PREFIX_LENGTH.values() if n < 12]
    d = Division.__table__
    rows = connection.execute(select(d.c.code, d.c.name, d.c.level)
                              .where(d.c.code.in_([c for c in codes if c != code]))
                              .order_by(d.c.level))
    return [DivisionRef(*row) for row in rows]


def _village_members(village: str):
    h, m = Household.__table__, HouseholdMember.__table__
    return h.join(m, m.c.household_id == h.c.id), h.c.village_code == village


def _spells(connection, village: str, start: dt.date, end: dt.date) -> dict[int, list[Spell]]:
    s = TransferSpell.__table__
    joined, in_village = _village_members(village)
    member = HouseholdMember.__table__
    rows = connection.execute(
        select(s.c.person_id, s.c.kind, s.c.start_date, s.c.end_date, s.c.destination,
               s.c.industry, and_(s.c.stable_workplace, s.c.stable_income))
        .select_from(joined.join(s, s.c.person_id == member.c.person_id))
        .where(in_village, s.c.start_date <= end,
               or_(s.c.end_date.is_(None), s.c.end_date >= start))
        .order_by(s.c.person_id, s.c.start_date))
    spells: dict[int, list[Spell]] = defaultdict(list)
    for person_id, *fields in rows:
        spells[person_id].append(Spell(*fields[:-1], stable=bool(fields[-1])))
    return spells


def _courses(connection, village: str, start: dt.date, end: dt.date) -> dict[int, list[Course]]:
    t = Training.__table__
    joined, in_village = _village_members(village)
    member = HouseholdMember.__table__
    rows = connection.execute(
        select(t.c.person_id, t.c.course, t.c.end_date, t.c.funding, t.c.completed)
        .select_from(joined.join(t, t.c.person_id == member.c.person_id))
        .where(in_village, t.c.start_date <= end, t.c.end_date >= start)
        .order_by(t.c.person_id, t.c.end_date))
    courses: dict[int, list[Course]] = defaultdict(list)
    for person_id, *fields in rows:
        courses[person_id].append(Course(*fields[:3], completed=bool(fields[3])))
    return courses


def _counted(connection, village: str, start: dt.date, end: dt.date,
             policy: Policy) -> tuple[set[int], set[int]]:
    """Person ids of rules 9 and 11 for the village, from the engine's own rules."""
    transfer = rules.transfer_persons(village, start, end, policy).cte("transfer_persons")
    stable = rules.stable_persons(transfer, start, end, policy)
    return (set(connection.scalars(select(transfer.c.person_id))),
            set(connection.scalars(stable)))


def survey_round(connection: Connection, village: str, end: dt.date) -> tuple[int, int] | None:
    """(id, year) of the village's county's latest survey round of ``end``'s year or before,
    the round whose statuses the roster prints (the engine's approved basis reads the same)."""
    r = SurveyRound.__table__
    county = village[:PREFIX_LENGTH[Level.COUNTY]].ljust(12, "0")
    row = connection.execute(select(r.c.id, r.c.year)
                             .where(r.c.county_code == county, r.c.year <= end.year)
                             .order_by(r.c.year.desc()).limit(1)).first()
    return None if row is None else (row[0], row[1])


def _reviewed_on(status: str, reviewed_at: dt.datetime | None) -> dt.date | None:
    if reviewed_at is None or SurveyStatus(status) not in REVIEWED:
        return None
    return reviewed_at.date() if isinstance(reviewed_at, dt.datetime) else reviewed_at


def build_roster(connection: Connection, village: DivisionRef, start: dt.date, end: dt.date,
                 policy: Policy) -> RosterContext:
    """Every household of ``village`` (members or not) with its members and their answers
    for ``[start, end]`` and its status in the latest survey round (``survey_round``),
    households in code order, heads first."""
    if village.level != Level.VILLAGE:
        raise ValueError(f"{village.code} is not a village")
    h, m, p = Household.__table__, HouseholdMember.__table__, Person.__table__
    hs = HouseholdSurvey.__table__
    current = survey_round(connection, village.code, end)
    in_round = and_(hs.c.household_id == h.c.id,
                    hs.c.round_id == (current[0] if current else None))
    rows = connection.execute(
        select(h.c.code, h.c.address, hs.c.status, hs.c.reviewed_at, p.c.id, p.c.name,
               m.c.relation, p.c.sex, p.c.birth_date, p.c.id_number, m.c.labour_capacity)
        .select_from(h.outerjoin(hs, in_round)
                     .outerjoin(m, m.c.household_id == h.c.id)
                     .outerjoin(p, p.c.id == m.c.person_id))
        .where(h.c.village_code == village.code)
        .order_by(h.c.code)).all()
    spells = _spells(connection, village.code, start, end)
    courses = _courses(connection, village.code, start, end)
    transfer, stable = _counted(connection, village.code, start, end, policy)
    households: dict[str, RosterHousehold] = {}
    for (code, address, status, reviewed_at, person_id, name, relation, sex, birth, number,
         labour) in rows:
        status = str(status or SurveyStatus.NOT_SURVEYED.value)
        household = households.setdefault(code, RosterHousehold(
            code, address, [], status=status, reviewed_on=_reviewed_on(status, reviewed_at)))
        if person_id is None:
            continue
        household.members.append(RosterMember(
            name=name, relation=relation, sex=sex, birth_date=birth,
            id_masked=mask_id_number(number), labour_capacity=labour,
            spells=spells.get(person_id, []), courses=courses.get(person_id, []),
            transfer=person_id in transfer, stable=person_id in stable,
            new_generation=person_id in transfer and birth >= policy.new_generation_born_from))
    for household in households.values():
        household.members.sort(key=lambda x: (RELATION_ORDER.get(x.relation, 9), x.birth_date))
    values = compute_indicators(connection, village.code, start, end, policy)
    return RosterContext(village, division_path(connection, village.code), start, end,
                         list(households.values()), {k: values[k] for k in RURAL_COLUMNS},
                         policy.name, round_year=current[1] if current else None)
