"""The files of a data set: their columns, natural keys and references, in load order."""
from __future__ import annotations

import dataclasses

from flask_babel import lazy_gettext as _l

from field_app.exchange import columns as c
from field_app.households.models import Hukou, LabourCapacity, Relation
from field_app.registrations.models import (
    AidExitReason,
    AttritionReason,
    EmploymentType,
    PersonCategory,
)
from field_app.surveys.models import INDUSTRY_SECTIONS, Destination, Funding, SpellKind


@dataclasses.dataclass(frozen=True)
class Reference:
    column: str
    target: str  # the file whose key the value must be
    message: object  # lazy: the importer reports it in both languages


@dataclasses.dataclass(frozen=True)
class FileSpec:
    filename: str
    columns: tuple[c.Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(col.name for col in self.columns)

    def column(self, name: str) -> c.Column:
        return next(col for col in self.columns if col.name == name)


PERSON_REF = Reference("id_number", "persons.csv", _l("人员不存在（persons.csv或数据库中均无）"))
DIVISION_REF = Reference("division_code", "divisions.csv", _l("区划代码不存在"))

_date = c.date
_bool = c.boolean

DIVISIONS = FileSpec(
    "divisions.csv",
    (
        c.Column("code", c.division_code, required=True),
        c.Column("name", c.text(100), required=True),
        c.Column("parent_code", c.division_code),
    ),
    key=("code",),
    references=(Reference("parent_code", "divisions.csv", _l("上级区划代码不存在")),),
)
PERSONS = FileSpec(
    "persons.csv",
    (
        c.Column("id_number", c.id_number, required=True),
        c.Column("name", c.text(100), required=True),
        c.Column("hukou", c.choice(Hukou)),
        c.Column("phone", c.phone),
    ),
    key=("id_number",),
)
HOUSEHOLDS = FileSpec(
    "households.csv",
    (
        c.Column("household_code", c.text(32), required=True),
        c.Column("village_code", c.division_code, required=True),
        c.Column("address", c.text(200)),
        c.Column("longitude", c.longitude),
        c.Column("latitude", c.latitude),
    ),
    key=("household_code",),
    references=(Reference("village_code", "divisions.csv", _l("嘎查村区划代码不存在")),),
)
HOUSEHOLD_MEMBERS = FileSpec(
    "household_members.csv",
    (
        c.Column("household_code", c.text(32), required=True),
        c.Column("id_number", c.id_number, required=True),
        c.Column("relation", c.choice(Relation), required=True),
        c.Column("labour_capacity", c.choice(LabourCapacity), required=True),
    ),
    key=("id_number",),
    references=(
        Reference("household_code", "households.csv", _l("户编码不存在")),
        PERSON_REF,
    ),
)
TRANSFER_SPELLS = FileSpec(
    "transfer_spells.csv",
    (
        c.Column("id_number", c.id_number, required=True),
        c.Column("kind", c.choice(SpellKind), required=True),
        c.Column("start_date", _date, required=True),
        c.Column("end_date", _date),
        c.Column("destination", c.choice(Destination)),
        c.Column("industry", c.letter_from(
            INDUSTRY_SECTIONS, _l("行业门类应为%(first)s-%(last)s中的一个字母",
                                  first=INDUSTRY_SECTIONS[0], last=INDUSTRY_SECTIONS[-1]))),
        c.Column("stable_workplace", _bool, required=True),
        c.Column("stable_income", _bool, required=True),
    ),
    key=("id_number", "start_date", "kind"),
    references=(PERSON_REF,),
)
TRAININGS = FileSpec(
    "trainings.csv",
    (
        c.Column("id_number", c.id_number, required=True),
        c.Column("course", c.text(100), required=True),
        c.Column("institution", c.text(200)),
        c.Column("institution_certified", _bool, required=True),
        c.Column("funding", c.choice(Funding), required=True),
        c.Column("start_date", _date, required=True),
        c.Column("end_date", _date, required=True),
        c.Column("completed", _bool, required=True),
    ),
    key=("id_number", "course", "start_date"),
    references=(PERSON_REF,),
)
EMPLOYMENT_REGISTRATIONS = FileSpec(
    "employment_registrations.csv",
    (
        c.Column("registration_id", c.text(40), required=True),
        c.Column("id_number", c.id_number, required=True),
        c.Column("division_code", c.division_code, required=True),
        c.Column("employment_type", c.choice(EmploymentType), required=True),
        c.Column("employer_uscc", c.uscc),
        c.Column("employer_name", c.text(200)),
        c.Column("start_date", _date, required=True),
        c.Column("end_date", _date),
        c.Column("registered_on", _date, required=True),
        c.Column("person_category", c.choice(PersonCategory), required=True),
        c.Column("formal_transfer", _bool, required=True),
        c.Column("valid", _bool, required=True),
    ),
    key=("registration_id",),
    references=(PERSON_REF, DIVISION_REF),
)
UNEMPLOYMENT_REGISTRATIONS = FileSpec(
    "unemployment_registrations.csv",
    (
        c.Column("registration_id", c.text(40), required=True),
        c.Column("id_number", c.id_number, required=True),
        c.Column("division_code", c.division_code, required=True),
        c.Column("registered_on", _date, required=True),
        c.Column("cancelled_on", _date),
        c.Column("valid", _bool, required=True),
        c.Column("receives_benefit", _bool),
    ),
    key=("registration_id",),
    references=(PERSON_REF, DIVISION_REF),
)
EMPLOYMENT_AID = FileSpec(
    "employment_aid.csv",
    (
        c.Column("id_number", c.id_number, required=True),
        c.Column("division_code", c.division_code, required=True),
        c.Column("recognized_on", _date, required=True),
        c.Column("exited_on", _date),
        c.Column("exit_reason", c.choice(AidExitReason)),
    ),
    key=("id_number", "recognized_on"),
    references=(PERSON_REF, DIVISION_REF),
)
NATURAL_ATTRITION = FileSpec(
    "natural_attrition.csv",
    (
        c.Column("id_number", c.id_number, required=True),
        c.Column("division_code", c.division_code, required=True),
        c.Column("occurred_on", _date, required=True),
        c.Column("reason", c.choice(AttritionReason), required=True),
    ),
    key=("id_number", "occurred_on"),
    references=(PERSON_REF, DIVISION_REF),
)
EMPLOYED_TOTALS = FileSpec(
    "employed_totals.csv",
    (
        c.Column("division_code", c.division_code, required=True),
        c.Column("as_of", _date, required=True),
        c.Column("employed_total", c.non_negative_int, required=True),
        c.Column("deduction", c.non_negative_int, default=0),
    ),
    key=("division_code", "as_of"),
    references=(DIVISION_REF,),
)

# Load order: every file comes after the files it refers to. Households (which refer only
# to their villages) come before persons: a large import writes them, and their audit
# events, while it reads the persons (``importer._import_while_reading``).
FILES: tuple[FileSpec, ...] = (
    DIVISIONS,
    HOUSEHOLDS,
    PERSONS,
    HOUSEHOLD_MEMBERS,
    TRANSFER_SPELLS,
    TRAININGS,
    EMPLOYMENT_REGISTRATIONS,
    UNEMPLOYMENT_REGISTRATIONS,
    EMPLOYMENT_AID,
    NATURAL_ATTRITION,
    EMPLOYED_TOTALS,
)
BY_NAME = {spec.filename: spec for spec in FILES}
