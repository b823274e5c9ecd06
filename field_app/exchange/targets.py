"""How each file of a data set becomes rows of its table: the table, the natural key (as
table columns) and the conversion of a parsed row into a record."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from collections.abc import Callable
from typing import Any

from geoalchemy2 import WKTElement
from sqlalchemy import Table, func

from field_app.core.codes import level_of
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, Person
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from field_app.surveys.models import Training, TransferSpell


@dataclasses.dataclass(frozen=True)
class Target:
    """How one file's parsed rows become rows of one table."""

    table: Table
    key: tuple[str, ...]  # table columns forming the natural key
    to_record: Callable[[dict[str, Any], "Lookups"], dict[str, Any]]
    read_as: dict[str, Any] = dataclasses.field(default_factory=dict)
    write_as: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    order: Callable[[dict[str, Any]], Any] | None = None
    # On PostgreSQL, new rows go in in this order (unless ``order`` gives one): a unique
    # index's key that the file gives in no useful order (ID numbers). PostgreSQL's B-tree
    # takes ascending keys on its rightmost page without a descent from the root: a
    # million persons' COPY took 5.6 s instead of 8.4. SQLite is left in file order: its
    # page cache holds the index either way, and the sort (and the rows' scattered memory
    # after it) cost it as much as it saved.
    postgresql_order: Callable[[dict[str, Any]], Any] | None = None


@dataclasses.dataclass
class Lookups:
    person_ids: dict[str, int] = dataclasses.field(default_factory=dict)
    household_ids: dict[str, int] = dataclasses.field(default_factory=dict)


def normalise(value):
    """A value read back from a table, comparable with a record's: enum columns read back
    as members of a str enum, compared as plain strings."""
    return value.value if hasattr(value, "value") else value


@functools.cache  # a few tens of thousands of days: each made once, not once per person
def _birth_date(digits: str) -> dt.date:
    return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _person(row, lookups):
    number = row["id_number"]
    return {
        "id_number": number,
        "name": row["name"],
        "hukou": row["hukou"],
        "phone": row["phone"],
        "birth_date": _birth_date(number[6:14]),
        "sex": "male" if number[16] in "13579" else "female",
    }


def _with_person(*names: str, rename: dict[str, str] | None = None):
    rename = rename or {}

    def to_record(row, lookups):
        record = {rename.get(name, name): row[name] for name in names}
        record["person_id"] = lookups.person_ids[row["id_number"]]
        return record

    return to_record


def _household_location(record):
    lon, lat = record.pop("longitude"), record.pop("latitude")
    record["location"] = None if lon is None else WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
    return record


_households = Household.__table__
TARGETS: dict[str, Target] = {
    "divisions.csv": Target(
        Division.__table__,
        ("code",),
        lambda row, _: {
            "code": row["code"],
            "name": row["name"],
            "parent_code": row["parent_code"],
            "level": int(level_of(row["code"])),
        },
        order=lambda record: record["level"],  # parents before children
    ),
    "households.csv": Target(
        _households,
        ("code",),
        lambda row, _: {
            "code": row["household_code"],
            "village_code": row["village_code"],
            "address": row["address"],
            "longitude": row["longitude"],
            "latitude": row["latitude"],
        },
        read_as={
            "longitude": func.ST_X(_households.c.location),
            "latitude": func.ST_Y(_households.c.location),
        },
        write_as=_household_location,
    ),
    "persons.csv": Target(Person.__table__, ("id_number",), _person,
                          postgresql_order=operator.itemgetter("id_number")),
    "household_members.csv": Target(
        HouseholdMember.__table__,
        ("person_id",),
        lambda row, lookups: {
            "household_id": lookups.household_ids[row["household_code"]],
            "person_id": lookups.person_ids[row["id_number"]],
            "relation": row["relation"],
            "labour_capacity": row["labour_capacity"],
        },
    ),
    "transfer_spells.csv": Target(
        TransferSpell.__table__,
        ("person_id", "start_date", "kind"),
        _with_person("kind", "start_date", "end_date", "destination", "industry",
                     "stable_workplace", "stable_income"),
    ),
    "trainings.csv": Target(
        Training.__table__,
        ("person_id", "course", "start_date"),
        _with_person("course", "institution", "institution_certified", "funding",
                     "start_date", "end_date", "completed"),
    ),
    "employment_registrations.csv": Target(
        EmploymentRegistration.__table__,
        ("registration_no",),
        _with_person("registration_id", "division_code", "employment_type", "employer_uscc",
                     "employer_name", "start_date", "end_date", "registered_on",
                     "person_category", "formal_transfer", "valid",
                     rename={"registration_id": "registration_no"}),
    ),
    "unemployment_registrations.csv": Target(
        UnemploymentRegistration.__table__,
        ("registration_no",),
        _with_person("registration_id", "division_code", "registered_on", "cancelled_on",
                     "valid", "receives_benefit", rename={"registration_id": "registration_no"}),
    ),
    "employment_aid.csv": Target(
        EmploymentAid.__table__,
        ("person_id", "recognized_on"),
        _with_person("division_code", "recognized_on", "exited_on", "exit_reason"),
    ),
    "natural_attrition.csv": Target(
        NaturalAttrition.__table__,
        ("person_id", "occurred_on"),
        _with_person("division_code", "occurred_on", "reason"),
    ),
    "employed_totals.csv": Target(
        EmployedTotal.__table__,
        ("division_code", "as_of"),
        lambda row, _: {name: row[name] for name in
                        ("division_code", "as_of", "employed_total", "deduction")},
    ),
}


