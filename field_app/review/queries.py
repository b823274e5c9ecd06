"""Review reads, scoped to the reviewer's township: the survey, its earlier returns, and what
the collector changed since the last return (read from the audit log)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.audit.models import AuditEvent
from field_app.core.errors import OutOfScope
from field_app.households.models import HouseholdMember, Person
from field_app.review.models import HouseholdSurvey, ReturnReason
from field_app.surveys.models import Training, TransferSpell


def get_survey_or_404(session: Session, survey_id: int, user) -> HouseholdSurvey:
    survey = session.get(HouseholdSurvey, survey_id)
    if survey is None or not user.can(Capability.REVIEW_HOUSEHOLDS, at=survey.village_code):
        raise OutOfScope()
    return survey


def user_names(session: Session, ids) -> dict[int, str]:
    """Display names of the accounts ``ids`` (submitters, reviewers)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


@dataclasses.dataclass(frozen=True)
class Return:
    """One return of the household: when, by whom, and its reasons as ``(member name or
    None for the household, reason)``."""

    number: int
    at: dt.datetime
    by: str
    reasons: list[tuple[str | None, str]]


def returns_of(session: Session, survey: HouseholdSurvey) -> list[Return]:
    """Every return of the household in this round, the latest first."""
    rows = session.execute(
        select(ReturnReason.return_no, ReturnReason.created_at, User.display_name,
               Person.name, ReturnReason.reason)
        .outerjoin(User, User.id == ReturnReason.created_by_id)
        .outerjoin(HouseholdMember, HouseholdMember.id == ReturnReason.member_id)
        .outerjoin(Person, Person.id == HouseholdMember.person_id)
        .where(ReturnReason.survey_id == survey.id)
        .order_by(ReturnReason.return_no.desc(), ReturnReason.member_id.is_not(None),
                  ReturnReason.id))
    found: dict[int, Return] = {}
    for number, at, by, member, reason in rows:
        entry = found.setdefault(number, Return(number, at, by or "", []))
        entry.reasons.append((member, reason))
    return list(found.values())


# The audited tables a household's survey consists of, and the survey entity each is.
ENTITIES = {"households": "household", "household_members": "member", "persons": "member",
            "transfer_spells": "spell", "trainings": "training"}
# Columns the collector never types: not a change worth showing.
_INTERNAL = {"id", "uid", "version", "created_at", "updated_at", "created_by_id",
             "updated_by_id", "household_id", "person_id", "code", "village_code"}


@dataclasses.dataclass(frozen=True)
class Change:
    """One record changed since the return: ``action`` is create, update or delete;
    ``fields`` lists ``(column, before, after)`` with the values as the audit log holds
    them (before the first change, after the last)."""

    entity: str  # household, member, spell, training
    person_id: int | None  # whose member row, spell or training
    action: str
    fields: list[tuple[str, Any, Any]]
    order: int  # the first event's id, to list changes as they were made


def last_return(session: Session, survey: HouseholdSurvey) -> AuditEvent | None:
    """The audit event of the household's latest return in this round, if it has one."""
    if not survey.return_count:
        return None
    return session.scalar(select(AuditEvent).where(
        AuditEvent.action == "household_return", AuditEvent.target_type == "households",
        AuditEvent.target_id == str(survey.household_id))
        .order_by(AuditEvent.id.desc()).limit(1))


def changes_since(session: Session, survey: HouseholdSurvey, since: AuditEvent) -> list[Change]:
    """What was written to the household, its members (and their person records), spells
    and trainings after the event ``since`` (the log's order, not its clock: writes in the
    same second stay apart), one ``Change`` per record, from the audit log.

    Records of the household are found by id; a record removed since (whose id the household
    no longer holds) by the household or person its last values name."""
    household_id = survey.household_id
    members = session.execute(select(HouseholdMember.id, HouseholdMember.person_id).where(
        HouseholdMember.household_id == household_id)).all()
    member_ids = {m for m, _p in members}
    person_ids = {p for _m, p in members}
    details = {
        "transfer_spells": set(session.scalars(select(TransferSpell.id).where(
            TransferSpell.person_id.in_(person_ids)))) if person_ids else set(),
        "trainings": set(session.scalars(select(Training.id).where(
            Training.person_id.in_(person_ids)))) if person_ids else set(),
    }
    e = AuditEvent
    deleted = e.action == "delete"

    def ids(values) -> list[str]:
        return [str(v) for v in values]

    events = session.scalars(select(e).where(
        e.id > since.id, e.at >= since.at, e.action.in_(("create", "update", "delete")),
        or_(and_(e.target_type == "households", e.target_id == str(household_id)),
            and_(e.target_type == "household_members",
                 or_(e.target_id.in_(ids(member_ids)), deleted)),
            and_(e.target_type == "persons", e.target_id.in_(ids(person_ids))),
            *[and_(e.target_type == table, or_(e.target_id.in_(ids(found)), deleted))
              for table, found in details.items()]))
        .order_by(e.id)).all()

    def belongs(event: AuditEvent) -> bool:
        if event.action != "delete" or event.target_type in ("households", "persons"):
            return True
        before = event.before or {}
        if event.target_type == "household_members":
            return before.get("household_id") == household_id
        return before.get("person_id") in person_ids

    grouped: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in events:
        if belongs(event):
            grouped.setdefault((event.target_type, event.target_id), []).append(event)
    changes, members_changed = [], {}
    for (table, target), chain in grouped.items():
        change = _change(table, target, chain, member_person={m: p for m, p in members})
        if change is None:
            continue
        if change.entity != "member":
            changes.append(change)
            continue
        # A member is two rows (the membership and the person): one change for the reviewer,
        # added or removed when the membership was.
        other = members_changed.get(change.person_id)
        if other is not None:
            action = next((a for a in ("create", "delete") if a in (other.action, change.action)),
                          "update")
            change = Change("member", change.person_id, action, [*other.fields, *change.fields],
                            min(other.order, change.order))
        members_changed[change.person_id] = change
    return sorted([*changes, *members_changed.values()], key=lambda c: c.order)


def _change(table: str, target: str, chain: list[AuditEvent],
            member_person: dict[int, int]) -> Change | None:
    created, removed = chain[0].action == "create", chain[-1].action == "delete"
    if created and removed:
        return None  # added and taken out again: nothing to review
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    for event in chain:
        for key, value in (event.before or {}).items():
            first.setdefault(key, value)
        for key, value in (event.after or {}).items():
            last[key] = value
    if created:
        first = {}
    if removed:
        last = {}
    keys = [k for k in dict.fromkeys([*first, *last]) if k not in _INTERNAL]
    fields = [(k, first.get(k), last.get(k)) for k in keys if first.get(k) != last.get(k)]
    if not fields and not (created or removed):
        return None
    values = chain[-1].before if removed else (chain[-1].after or chain[0].after or {})
    values = {**(chain[0].before or {}), **(values or {})}
    if table == "persons":
        person_id = int(target)
    elif table == "household_members":
        person_id = values.get("person_id") or member_person.get(int(target))
    else:
        person_id = values.get("person_id")
    action = "create" if created else "delete" if removed else "update"
    return Change(ENTITIES[table], person_id, action, fields, chain[0].id)
