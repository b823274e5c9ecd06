"""Reads for the registration desk, always within the user's jurisdiction.

``get_person_or_404`` and ``get_record_or_404`` are the scoping helpers every desk view loads
through; lists are built in ``registrations.lists``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from sqlalchemy import Date, Integer, String, literal, or_, select
from sqlalchemy.orm import Session

from field_app.core.clock import clock
from field_app.core.identifiers import ResidentId, parse_id_number
from field_app.core.permissions import get_or_404, in_scope
from field_app.core.codes import Level
from field_app.divisions.models import Division
from field_app.accounts.capabilities import Capability
from field_app.households.models import Person
from field_app.indicators.rules import continuation
from field_app.registrations.models import (
    CancelReason,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    PersonCategory,
    UnemploymentRegistration,
)

PERSON_RECORDS = (EmploymentRegistration, UnemploymentRegistration, EmploymentAid,
                  NaturalAttrition)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years completed on ``day`` (29 February birthdays complete on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclasses.dataclass(frozen=True)
class Lookup:
    resident: ResidentId
    person: Person | None

    @property
    def age(self) -> int:
        return age_on(self.resident.birth_date, clock.today())


def lookup(session: Session, id_number: str) -> Lookup:
    """The checked ID number and the person holding it, from any module; raises
    ``IdentifierError`` for a number the importer would refuse."""
    resident = parse_id_number(id_number)
    person = session.scalar(select(Person).where(Person.id_number == resident.number))
    return Lookup(resident, person)


def has_records_in_scope(session: Session, person_id: int, user) -> bool:
    return any(
        session.scalar(select(model.id).where(model.person_id == person_id,
                                              in_scope(model.division_code, user)).limit(1))
        for model in PERSON_RECORDS
    )


def get_person_or_404(session: Session, person_id: int, user,
                      looked_up: Collection[int] = ()) -> Person:
    """A person the desk clerk may serve: one they looked up by ID number in this session,
    or one with desk records in their jurisdiction. Anyone else is 404, so numeric ids
    cannot be walked to read names from elsewhere."""
    return get_or_404(session.get(Person, person_id), lambda person: user.can(Capability.REGISTER_DESK) and (
        person.id in looked_up or has_records_in_scope(session, person.id, user)))


def get_record_or_404(session: Session, model, record_id: int, user, *, edit: bool = False):
    """A desk record in the user's jurisdiction, or 404; with ``edit``, one the user may
    change (a reader who may only look gets 404 too)."""
    return get_or_404(session.get(model, record_id), lambda record: (
        record.can_edit(user) if edit else record.can_view(user)))


def division_choices(session: Session, user, *, deepest: Level = Level.VILLAGE) -> list[Division]:
    """The user's division and those below it down to ``deepest``, in code order."""
    return list(session.scalars(select(Division).where(
        in_scope(Division.code, user), Division.level <= int(deepest)).order_by(Division.code)))


@dataclasses.dataclass(frozen=True)
class PersonRecords:
    """A person's desk records in the user's jurisdiction, newest first."""

    employment: list[EmploymentRegistration]
    unemployment: list[UnemploymentRegistration]
    aid: list[EmploymentAid]
    attrition: list[NaturalAttrition]

    def current_employment(self, today: dt.date) -> list[EmploymentRegistration]:
        return [r for r in self.employment if r.is_open_on(today)]

    def current_unemployment(self) -> list[UnemploymentRegistration]:
        return [r for r in self.unemployment if r.is_open]

    def current_aid(self) -> list[EmploymentAid]:
        return [r for r in self.aid if r.valid and r.exited_on is None]


def person_records(session: Session, person: Person, user) -> PersonRecords:
    def of(model, newest):
        return list(session.scalars(select(model).where(
            model.person_id == person.id, in_scope(model.division_code, user))
            .order_by(newest.desc(), model.id.desc())))

    return PersonRecords(
        of(EmploymentRegistration, EmploymentRegistration.start_date),
        of(UnemploymentRegistration, UnemploymentRegistration.registered_on),
        of(EmploymentAid, EmploymentAid.recognized_on),
        of(NaturalAttrition, NaturalAttrition.occurred_on),
    )


def open_employment(session: Session, person: Person, on: dt.date) -> list[EmploymentRegistration]:
    """The person's valid registrations, in any division, not ended before ``on``."""
    e = EmploymentRegistration
    return list(session.scalars(select(e).where(
        e.person_id == person.id, e.valid, or_(e.end_date.is_(None), e.end_date > on))
        .order_by(e.start_date)))


def open_unemployment(session: Session, person: Person) -> list[UnemploymentRegistration]:
    """The person's valid, uncancelled unemployment registrations, in any division."""
    u = UnemploymentRegistration
    return list(session.scalars(select(u).where(
        u.person_id == person.id, u.valid, u.cancelled_on.is_(None)).order_by(u.registered_on)))


@dataclasses.dataclass(frozen=True)
class CategoryDefault:
    """The 人员类别 an employment registration of the person most likely has, and why."""

    category: PersonCategory
    why: str  # unemployed (an open registration), ended (cancelled as employed), worked, none
    unemployment: UnemploymentRegistration | None = None


def default_category(session: Session, person: Person) -> CategoryDefault:
    """就业转失业 (失业再就业) while the person is registered unemployed, or when the latest
    unemployment registration was cancelled as employed (已就业) and no employment has been
    registered since; 其他 for someone registered employed before; else 新成长劳动力."""
    if registered := open_unemployment(session, person):
        return CategoryDefault(PersonCategory.UNEMPLOYED_REEMPLOYED, "unemployed", registered[-1])
    u, e = UnemploymentRegistration, EmploymentRegistration
    latest = session.scalar(select(u).where(u.person_id == person.id, u.valid)
                            .order_by(u.registered_on.desc(), u.id.desc()).limit(1))
    if latest is not None and latest.cancel_reason == CancelReason.EMPLOYED and not session.scalar(
            select(e.id).where(e.person_id == person.id, e.valid,
                               e.registered_on >= latest.cancelled_on).limit(1)):
        return CategoryDefault(PersonCategory.UNEMPLOYED_REEMPLOYED, "ended", latest)
    if session.scalar(select(e.id).where(e.person_id == person.id, e.valid).limit(1)):
        return CategoryDefault(PersonCategory.OTHER, "worked")
    return CategoryDefault(PersonCategory.NEW_ENTRANT, "none")


def open_aid(session: Session, person: Person) -> list[EmploymentAid]:
    """The person's valid recognitions not yet exited, in any division."""
    a = EmploymentAid
    return list(session.scalars(select(a).where(a.person_id == person.id, a.valid,
                                                a.exited_on.is_(None))))


def is_continuation(session: Session, *, person_id: int, employment_type: str,
                    employer_uscc: str | None, start_date: dt.date) -> bool:
    """Whether a registration with these values is a continuation under rule 1, clause 6:
    the engine's own condition, evaluated on a one-row stand-in for the registration."""
    r = select(
        literal(person_id, Integer).label("person_id"),
        literal(str(employment_type), String).label("employment_type"),
        literal(employer_uscc, String).label("employer_uscc"),
        literal(start_date, Date).label("start_date"),
    ).subquery("r")
    r2 = EmploymentRegistration.__table__.alias("r2")
    return bool(session.scalar(select(continuation(r, r2)).select_from(r)))
