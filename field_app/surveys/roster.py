"""The roster as the phone holds it: households with their members, spells, trainings, status
and return reasons, read in a fixed number of queries whatever the village's size.

ID and phone numbers leave the server masked; the phone keeps a full number only for a
member it has created and not yet had acknowledged.
"""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.households.models import Household, HouseholdMember, Person
from field_app.households.scope import persons_outside
from field_app.review.models import HouseholdSurvey, ReturnReason
from field_app.review.states import EDITABLE, SurveyStatus
from field_app.surveys import queries
from field_app.surveys.models import SurveyRound, Training, TransferSpell

ref_of = queries.ref_of


def _iso(value):
    return value.isoformat() if value is not None else None


def _value(value):
    return getattr(value, "value", value)


def where_text(entries) -> list[str]:
    words = {"household": _("%(place)s 户 %(code)s"),
             "employment": _("%(place)s 就业登记"),
             "unemployment": _("%(place)s 失业登记")}
    return [words[kind] % {"place": name, "code": code} for kind, name, code in entries]


def _where_known(session: Session, households: list[Household], person_ids: list[int],
                 scope: str | None) -> dict[int, list]:
    """Where the members are known (``queries.where_known``) inside ``scope``; with no scope,
    inside each household's own village, the narrowest view any reader of it has."""
    if scope is not None:
        return queries.where_known(session, person_ids, scope)
    found: dict[int, list] = {}
    for village in {h.village_code for h in households}:
        ids = [h.id for h in households if h.village_code == village]
        members = list(session.scalars(select(HouseholdMember.person_id).where(
            HouseholdMember.household_id.in_(ids))))
        found |= queries.where_known(session, members, village)
    return found


def households_json(session: Session, households: list[Household],
                    round_: SurveyRound | None, *, scope: str | None = None) -> list[dict]:
    """Each household as the ``Household`` object of the sync contract, for a reader whose
    jurisdiction is ``scope`` (``registered_elsewhere`` names no place outside it)."""
    if not households:
        return []
    ids = [h.id for h in households]
    locations = {hid: (x, y) for hid, x, y in session.execute(
        select(Household.id, func.ST_X(Household.location), func.ST_Y(Household.location))
        .where(Household.id.in_(ids), Household.location.is_not(None)))}
    codes = {h.id: h.code for h in households}
    surveys = {}
    if round_ is not None:
        surveys = {s.household_id: s for s in session.scalars(
            select(HouseholdSurvey).where(HouseholdSurvey.round_id == round_.id,
                                          HouseholdSurvey.household_id.in_(ids)))}
    members = list(session.execute(
        select(HouseholdMember, Person).join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id.in_(ids))
        .order_by(HouseholdMember.household_id, HouseholdMember.id)))
    person_ids = [person.id for _member, person in members]
    spells, trainings = defaultdict(list), defaultdict(list)
    if person_ids:
        for spell in session.scalars(select(TransferSpell).where(
                TransferSpell.person_id.in_(person_ids)).order_by(TransferSpell.start_date)):
            spells[spell.person_id].append(spell)
        for training in session.scalars(select(Training).where(
                Training.person_id.in_(person_ids)).order_by(Training.start_date)):
            trainings[training.person_id].append(training)
    elsewhere = _where_known(session, households, person_ids, scope)
    # A person with records outside the reader's jurisdiction is shown with what the
    # collector typed (name, ID number) and no stored phone or hukou (STYLE 14).
    maintained_elsewhere = persons_outside(session, person_ids, scope) if scope and person_ids \
        else set()
    member_refs = {member.id: ref_of(member) for member, _person in members}
    reasons = defaultdict(list)
    returned = [s for s in surveys.values() if s.status == SurveyStatus.RETURNED]
    if returned:
        for survey_id, return_no, member_id, reason, at in session.execute(
                select(ReturnReason.survey_id, ReturnReason.return_no, ReturnReason.member_id,
                       ReturnReason.reason, ReturnReason.created_at)
                .where(ReturnReason.survey_id.in_([s.id for s in returned]))
                .order_by(ReturnReason.id)):
            reasons[survey_id].append((return_no, member_id, reason, at))
    by_household = defaultdict(list)
    for member, person in members:
        own = [entry for entry in elsewhere.get(person.id, ())
               if not (entry[0] == "household" and entry[2] == codes[member.household_id])]
        by_household[member.household_id].append(
            _member(member, person, spells, trainings, own,
                    hidden=person.id in maintained_elsewhere))
    out = []
    for household in households:
        survey = surveys.get(household.id)
        status = survey.status if survey else SurveyStatus.NOT_SURVEYED
        lon_lat = locations.get(household.id)
        current = [r for r in reasons.get(survey.id, ()) if r[0] == survey.return_count] \
            if survey else []
        out.append({
            "ref": ref_of(household), "code": household.code, "address": household.address,
            "longitude": lon_lat[0] if lon_lat else None,
            "latitude": lon_lat[1] if lon_lat else None,
            "accuracy": household.location_accuracy,
            "location_source": _value(household.location_source),
            "version": household.version, "status": status.value,
            "editable": round_ is not None and round_.is_open and status in EDITABLE,
            "returns": [{"member_ref": member_refs.get(member_id), "reason": reason,
                         "at": _iso(at)} for _no, member_id, reason, at in current],
            "members": by_household.get(household.id, []),
        })
    return out


def household_json(session: Session, household: Household,
                   round_: SurveyRound | None = None, *, scope: str | None = None) -> dict:
    """One household as the phone holds it, in its county's open round unless ``round_``,
    for a reader whose jurisdiction is ``scope`` (see ``households_json``)."""
    if round_ is None:
        round_ = queries.open_round(session, household.village_code)
    return households_json(session, [household], round_, scope=scope)[0]


def _member(member, person, spells, trainings, elsewhere, *, hidden: bool = False) -> dict:
    return {
        "ref": ref_of(member), "version": member.version,
        "id_masked": mask_id_number(person.id_number), "sex": _value(person.sex),
        "birth_date": _iso(person.birth_date), "name": person.name,
        "hukou": None if hidden else _value(person.hukou),
        "phone_masked": None if hidden else (mask_phone(person.phone) or None),
        "maintained_elsewhere": hidden,
        "relation": _value(member.relation), "labour_capacity": _value(member.labour_capacity),
        "registered_elsewhere": where_text(elsewhere),
        "spells": [{
            "ref": ref_of(s), "version": s.version, "kind": _value(s.kind),
            "start_date": _iso(s.start_date), "end_date": _iso(s.end_date),
            "destination": _value(s.destination), "industry": s.industry,
            "stable_workplace": s.stable_workplace, "stable_income": s.stable_income,
        } for s in spells.get(person.id, ())],
        "trainings": [{
            "ref": ref_of(t), "version": t.version, "course": t.course,
            "institution": t.institution, "institution_certified": t.institution_certified,
            "funding": _value(t.funding), "start_date": _iso(t.start_date),
            "end_date": _iso(t.end_date), "completed": t.completed,
        } for t in trainings.get(person.id, ())],
    }


def round_json(round_: SurveyRound | None) -> dict | None:
    if round_ is None:
        return None
    return {"id": round_.id, "year": round_.year, "open": round_.is_open,
            "label": _("%(year)d年度", year=round_.year)}
