"""Where a person's records lie: the jurisdiction rule for shared person records.

A person is shared by every office that holds a record of them (a household membership, a
registration, aid, attrition). An office may change a person's identifying fields (name,
phone, hukou) only where every one of those records lies inside its subtree; anywhere else
the person is maintained by someone else, and the change is refused with a message that
names no other place (STYLE 14). A person with no record at all is maintained by nobody yet
and so may be completed by whoever records them first.

Set-based: one UNION over the tables that carry a person's division, whatever the number of
persons asked about.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, union_all
from sqlalchemy.orm import Session

from field_app.core.errors import ValidationFailed
from field_app.core.codes import subtree_bounds
from field_app.households.models import Household, HouseholdMember, Person


def _division_tables():
    # Imported here: registrations sits above households in the package order.
    from field_app.registrations.models import (
        EmploymentAid,
        EmploymentRegistration,
        NaturalAttrition,
        UnemploymentRegistration,
    )

    return (EmploymentRegistration, UnemploymentRegistration, EmploymentAid, NaturalAttrition)


def person_divisions(person_ids: Iterable[int] | Select) -> Select:
    """``SELECT person_id, division_code`` of every record of these persons (duplicates
    possible): household memberships by the household's village, and the desk's records."""
    ids = person_ids if isinstance(person_ids, Select) else list(person_ids)
    parts = [
        select(HouseholdMember.person_id.label("person_id"),
               Household.village_code.label("division_code"))
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(HouseholdMember.person_id.in_(ids))
    ]
    for model in _division_tables():
        parts.append(select(model.person_id.label("person_id"),
                            model.division_code.label("division_code"))
                     .where(model.person_id.in_(ids)))
    return union_all(*parts)


def divisions_of(session: Session, person_id: int) -> list[str]:
    """Every division code holding a record of this person, sorted, without repeats."""
    rows = person_divisions([person_id]).subquery()
    return sorted(set(session.scalars(select(rows.c.division_code))))


def persons_outside(session: Session, person_ids: Iterable[int] | Select,
                    scope_code: str | None) -> set[int]:
    """The persons among ``person_ids`` with at least one record outside ``scope_code``'s
    subtree (all of them that have any record when there is no scope)."""
    rows = person_divisions(person_ids).subquery()
    query = select(rows.c.person_id).distinct()
    if scope_code:
        low, high = subtree_bounds(scope_code)
        query = query.where(~rows.c.division_code.between(low, high))
    return set(session.scalars(query))


def person_maintained_within(session: Session, person_id: int, scope_code: str | None) -> bool:
    """True when every record of the person lies inside ``scope_code``'s subtree, so an
    office of that subtree may change the person's identifying fields."""
    return not persons_outside(session, [person_id], scope_code)


# The identifying fields an office may correct, and the refusal for each when the person is
# maintained elsewhere. The messages name no place, date or value from elsewhere.
MAINTAINED_ELSEWHERE = {
    "name": _l("与系统中该身份证号码登记的姓名不一致。此人在您的管辖范围以外也有登记，"
               "姓名只能由其登记机构更正，请核对"),
    "hukou": _l("此人在您的管辖范围以外也有登记，户口性质只能由其登记机构更正；"
                "请保留原值或留空"),
    "phone": _l("此人在您的管辖范围以外也有登记，电话只能由其登记机构更正；请将此项留空"),
}
# Fields whose stored value the writer is not shown (the phone leaves the server masked):
# for a person maintained elsewhere any value given is refused, equal or not, so that
# retries cannot find the stored value by which one is accepted.
_BLIND = {"phone"}


def person_changes(session: Session, person: Person, proposed: Mapping[str, Any],
                   scope_code: str | None) -> dict[str, Any]:
    """The changes ``proposed`` (``name``, ``hukou``, ``phone`` → value; None proposes
    nothing) makes to the person's identifying fields, to apply; ValidationFailed, per
    field, when any change touches a person not maintained within ``scope_code``
    (``person_maintained_within``).

    A person not yet flushed is new and takes every value given. The refusal says only that
    the person is also registered outside the writer's jurisdiction."""
    given = {field: value for field, value in proposed.items() if value is not None}
    if person.id is None:
        return given
    changes = {field: value for field, value in given.items()
               if getattr(person, field) != value}
    touched = set(changes) | (_BLIND & set(given))
    if not touched or person_maintained_within(session, person.id, scope_code):
        return changes
    errors = {field: [message] for field, message in MAINTAINED_ELSEWHERE.items()
              if field in touched}
    raise ValidationFailed(str(next(iter(errors.values()))[0]), errors)
