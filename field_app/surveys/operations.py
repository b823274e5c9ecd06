"""Survey writes: rounds, and the cadre's changes to households, members, spells and trainings.

Every change is checked with the importer's rules (``check_row`` over ``exchange.files``),
checked against the version it was made on, and moves the household's status in the open
round (``review.states``). Operations flush and never commit; the session hooks write the
audit rows with the values before and after.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKTElement
from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import plain
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.counters import next_number
from field_app.core.codes import prefix
from field_app.core.errors import Conflict, InvalidTransition, OutOfScope, ValidationFailed
from field_app.divisions.models import Division
from field_app.exchange import files
from field_app.households.models import (
    Household,
    HouseholdMember,
    LocationSource,
    Person,
    Relation,
)
from field_app.households.operations import create_person
from field_app.households.scope import divisions_of, person_changes
from field_app.exchange.checks import check_row
from field_app.review.models import HouseholdSurvey
from field_app.review.states import EVENTS, STATUSES, SurveyEvent, SurveyStatus, next_status
from field_app.surveys import queries
from field_app.surveys.labels import FIELDS
from field_app.surveys.models import SurveyRound, Training, TransferSpell
from field_app.surveys.roster import where_text

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _refuse(field: str, message) -> ValidationFailed:
    return ValidationFailed(str(message), {field: [message]})


# --- rounds -----------------------------------------------------------------------------

def open_round(session: Session, *, county_code: str, year: int, actor) -> SurveyRound:
    """Open the county's survey of ``year`` and give every household of its villages the
    status 未调查 in one set-based insert."""
    if not actor.can(Capability.MANAGE_ROUNDS, at=county_code):
        raise OutOfScope()
    if not 2000 <= year <= 2100:
        raise _refuse("year", _l("年度应在2000至2100之间"))
    if queries.open_round(session, county_code) is not None:
        raise InvalidTransition(_("本旗县已有进行中的入户调查，请先结束它"))
    if session.scalar(select(SurveyRound.id).where(SurveyRound.county_code == county_code,
                                                   SurveyRound.year == year)):
        raise _refuse("year", _l("该年度的入户调查已开启过"))
    round_ = SurveyRound(county_code=county_code, year=year, opened_by_id=actor.id)
    session.add(round_)
    session.flush()
    now = clock.now()
    session.connection().execute(insert(HouseholdSurvey.__table__).from_select(
        ["round_id", "household_id", "village_code", "status", "return_count",
         "created_at", "updated_at", "created_by_id", "updated_by_id"],
        select(literal(round_.id), Household.id, Household.village_code,
               literal(SurveyStatus.NOT_SURVEYED.value), literal(0), literal(now),
               literal(now), literal(actor.id), literal(actor.id))
        .where(Household.village_code.like(prefix(county_code) + "%"))))
    added = session.scalar(select(func.count()).where(HouseholdSurvey.round_id == round_.id))
    audit(session, "survey_round_open", target_type="survey_rounds", target_id=round_.id,
          division=county_code, after={"year": year, "households": added})
    return round_


def close_round(session: Session, round_: SurveyRound, *, actor, confirmed: bool) -> None:
    """End the round: the villages' survey becomes read-only. Only once the county has seen
    what is still open (``queries.close_summary``) and confirmed; a round closed by mistake
    is reopened with ``reopen_round``."""
    if not actor.can(Capability.MANAGE_ROUNDS, at=round_.county_code):
        raise OutOfScope()
    if not round_.is_open:
        raise InvalidTransition(_("该轮调查已结束"))
    if not confirmed:
        raise _refuse("confirm", _l("请先确认：结束后各村不能再录入、提交和审核"))
    round_.closed_at = clock.now()
    round_.closed_by_id = actor.id
    session.flush()
    audit(session, "survey_round_close", target_type="survey_rounds", target_id=round_.id,
          division=round_.county_code)


MAX_REOPEN_REASON = 200


def reopen_round(session: Session, round_: SurveyRound, *, actor, reason: str | None) -> None:
    """Open a closed round again, for the reason given (kept in the audit log with who and
    when): the statuses, reasons and reviews of its households are as they were. Only the
    county's latest round, and only while no other round of the county is open."""
    if not actor.can(Capability.MANAGE_ROUNDS, at=round_.county_code):
        raise OutOfScope()
    if round_.is_open:
        raise InvalidTransition(_("该轮调查正在进行，无需重新开启"))
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason", _l("请填写重新开启的原因"))
    if len(reason) > MAX_REOPEN_REASON:
        raise _refuse("reason", _l("原因不超过200字"))
    if queries.open_round(session, round_.county_code) is not None:
        raise InvalidTransition(_("本旗县已有进行中的入户调查，请先结束它"))
    latest = session.scalar(select(func.max(SurveyRound.year))
                            .where(SurveyRound.county_code == round_.county_code))
    if latest != round_.year:
        raise InvalidTransition(_("只能重新开启本旗县最近一次的入户调查"))
    before = {"closed_at": plain(round_.closed_at), "closed_by_id": round_.closed_by_id}
    round_.closed_at = None
    round_.closed_by_id = None
    session.flush()
    audit(session, "survey_round_reopen", target_type="survey_rounds", target_id=round_.id,
          division=round_.county_code, before=before, after={"reason": reason},
          note=reason[:200])


# --- statuses ---------------------------------------------------------------------------

def require_open_round(session: Session, village_code: str) -> SurveyRound:
    """The open round of the village's county; nothing is surveyed outside one."""
    round_ = queries.open_round(session, village_code)
    if round_ is None:
        raise InvalidTransition(_("本旗县尚未开启本年度入户调查，暂不能录入"))
    return round_


def survey_for(session: Session, household: Household, round_: SurveyRound) -> HouseholdSurvey:
    """The household's status row in the round, made (未调查) if the household came later."""
    survey = queries.survey_of(session, round_, household)
    if survey is None:
        survey = HouseholdSurvey(round=round_, household=household,
                                 village_code=household.village_code,
                                 status=SurveyStatus.NOT_SURVEYED, return_count=0)
        session.add(survey)
    return survey


def move(survey: HouseholdSurvey, event: SurveyEvent) -> None:
    new = next_status(survey.status, event)
    if new is None:
        raise InvalidTransition(
            _("该户当前状态为“%(status)s”，不能%(event)s",
              status=STATUSES[SurveyStatus(survey.status)], event=EVENTS[event]))
    survey.status = new


def _check_complete(session: Session, household: Household) -> None:
    """What a household must have before review: members, and exactly one head (户主)."""
    relations = list(session.scalars(select(HouseholdMember.relation)
                                     .where(HouseholdMember.household_id == household.id)))
    if not relations:
        raise ValidationFailed(_("该户还没有成员，不能提交"),
                               {"members": [_l("至少录入一名成员")]})
    heads = sum(1 for r in relations if r == Relation.HEAD)
    if heads != 1:
        raise ValidationFailed(_("每户应有且只有一名户主（现有%(n)d名）", n=heads),
                               {"relation": [_l("每户应有且只有一名户主")]})


def submit_household(session: Session, household: Household, *, actor) -> HouseholdSurvey:
    """The cadre submits the household for the township's review (已录入/已退回 → 已提交)."""
    if not actor.can(Capability.COLLECT_SURVEY, at=household.village_code):
        raise OutOfScope()
    survey = survey_for(session, household, require_open_round(session, household.village_code))
    _check_complete(session, household)
    move(survey, SurveyEvent.SUBMIT)
    survey.submitted_at = clock.now()
    survey.submitted_by_id = actor.id
    survey.reviewed_at = None
    survey.reviewed_by_id = None
    session.flush()
    audit(session, "household_submit", target_type="households", target_id=household.id,
          division=household.village_code)
    return survey


def confirm_household(session: Session, household: Household, *, actor) -> HouseholdSurvey:
    """本户无变化 / 已核实: the cadre has visited the household and found nothing to change.
    It counts as surveyed (未调查 → 已录入) and may then be submitted like any other."""
    _authorise(actor, household)
    if not session.scalar(select(HouseholdMember.id)
                          .where(HouseholdMember.household_id == household.id).limit(1)):
        raise ValidationFailed(_("该户还没有成员，请先录入成员"),
                               {"members": [_l("至少录入一名成员")]})
    survey = survey_for(session, household, require_open_round(session, household.village_code))
    move(survey, SurveyEvent.EDIT)
    session.flush()
    audit(session, "household_confirm", target_type="households", target_id=household.id,
          division=household.village_code)
    return survey


def _edit(session: Session, household: Household) -> None:
    """A change to the household or anything in it: allowed only while it is editable."""
    move(survey_for(session, household, require_open_round(session, household.village_code)),
         SurveyEvent.EDIT)


def _check_version(record, base_version: int | None) -> None:
    if base_version is not None and record.version != base_version:
        raise Conflict(_("该记录已被他人修改，请核对后选择保留哪一份"))


def _new_uid(ref: str | None) -> str:
    if not ref or not _UUID.match(ref):
        raise _refuse("ref", _l("新记录的编号应为手机生成的UUID"))
    return ref


def _authorise(actor, household: Household) -> None:
    if not actor.can(Capability.COLLECT_SURVEY, at=household.village_code):
        raise OutOfScope()


def _find(session: Session, model, ref, base_version):
    """The record ``ref`` names, or None for a new one; a record the change was made on that
    no longer exists is a conflict."""
    found = queries.by_ref(session, model, ref)
    if found is None and base_version is not None:
        raise Conflict(_("该记录已被他人删除"))
    return found


# --- households -------------------------------------------------------------------------

def _next_code(session: Session, village_code: str) -> str:
    """Village code + a five-digit serial, as the demo and the township rosters number.
    Allocated under the counter's lock (``core.counters``): phones of one village syncing
    new households at the same moment get distinct codes."""

    def taken() -> int:
        # A range, not LIKE, so that both databases walk the unique index on the code.
        highest = session.scalar(select(Household.code).where(
            Household.code.between(village_code + "00000", village_code + "99999"),
            func.length(Household.code) == 17).order_by(Household.code.desc()).limit(1))
        return int(highest[12:]) if highest and highest[12:].isdigit() else 0

    serial = next_number(session, f"households:{village_code}", taken=taken)
    return f"{village_code}{serial:05d}"


def _accuracy(data: dict) -> float | None:
    value = data.get("accuracy")
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 <= number <= 100000:
        raise _refuse("accuracy", _l("定位精度应为0至100000之间的米数"))
    return number


def save_household(session: Session, *, actor, ref: str, base_version: int | None,
                   data: dict) -> Household:
    """Create the household ``ref`` in the actor's village, or change its address and
    location (phone geolocation with its accuracy, or typed)."""
    village = actor.division_code
    household = _find(session, Household, ref, base_version)
    if household is None:
        if not actor.can(Capability.COLLECT_SURVEY, at=village):
            raise OutOfScope()
        round_ = require_open_round(session, village)
    else:
        _authorise(actor, household)
        _check_version(household, base_version)
    source = data.get("location_source") or None
    if source not in (None, *[s.value for s in LocationSource]):
        raise _refuse("location_source", _l("位置来源应为手机定位或手工填写"))
    row = check_row(files.HOUSEHOLDS, {
        "household_code": household.code if household else village + "00000",
        "village_code": village if household is None else household.village_code,
        "address": data.get("address"), "longitude": data.get("longitude"),
        "latitude": data.get("latitude")}, FIELDS["household"])
    accuracy = _accuracy(data)
    located = row["longitude"] is not None
    values = {
        "address": row["address"],
        "location": (WKTElement(f"POINT({row['longitude']} {row['latitude']})", srid=4326)
                     if located else None),
        "location_accuracy": accuracy if located else None,
        "location_source": (source or LocationSource.TYPED) if located else None,
    }
    if household is None:
        household = Household(uid=_new_uid(ref), code=_next_code(session, village),
                              village_code=village, **values)
        session.add(household)
        move(survey_for(session, household, round_), SurveyEvent.EDIT)
    else:
        _edit(session, household)
        for name, value in values.items():
            setattr(household, name, value)
    session.flush()
    return household


# --- members ----------------------------------------------------------------------------

def _member_in(session: Session, household: Household, ref, base_version) -> HouseholdMember | None:
    member = _find(session, HouseholdMember, ref, base_version)
    if member is not None and member.household_id != household.id:
        raise OutOfScope()
    return member


def save_member(session: Session, household: Household, *, actor, ref: str,
                base_version: int | None, data: dict) -> tuple[HouseholdMember, str | None]:
    """Add a member (a person new to the system, or one it already knows, who is linked, not
    entered twice) or change a member's details. Returns the member and, when an existing
    person was linked, a notice saying so (see ``_person_for``).

    The person's name, hukou and phone change only as ``scope.person_changes`` allows: a
    person with records outside the collector's village is maintained there, and a change
    to them is refused."""
    _authorise(actor, household)
    member = _member_in(session, household, ref, base_version)
    if member is not None:
        _check_version(member, base_version)
    person_row = check_row(files.PERSONS, {
        "id_number": member.person.id_number if member else data.get("id_number"),
        "name": data.get("name"), "hukou": data.get("hukou"), "phone": data.get("phone"),
    }, FIELDS["member"])
    member_row = check_row(files.HOUSEHOLD_MEMBERS, {
        "household_code": household.code, "id_number": person_row["id_number"],
        "relation": data.get("relation"), "labour_capacity": data.get("labour_capacity"),
    }, FIELDS["member"])
    _check_one_head(session, household, member, member_row["relation"])
    _edit(session, household)
    notice = None
    proposed = {name: person_row[name] for name in ("name", "hukou", "phone")}
    if member is None:
        person, notice = _person_for(session, person_row, actor)
        changes = person_changes(session, person, proposed, actor.division_code)
        member = HouseholdMember(uid=_new_uid(ref), household=household, person=person,
                                 relation=member_row["relation"],
                                 labour_capacity=member_row["labour_capacity"])
        session.add(member)
    else:
        person = member.person
        changes = person_changes(session, person, proposed, actor.division_code)
        member.relation = member_row["relation"]
        member.labour_capacity = member_row["labour_capacity"]
    for name, value in changes.items():
        setattr(person, name, value)
    session.flush()
    return member, notice


def _check_one_head(session: Session, household: Household, member: HouseholdMember | None,
                    relation) -> None:
    """A household has one head (户主): a second is refused while the first is one. Zero
    heads is a passing state while the cadre swaps them; submission requires exactly one."""
    if relation != Relation.HEAD:
        return
    other = session.scalar(select(Person.name).join(
        HouseholdMember, HouseholdMember.person_id == Person.id).where(
        HouseholdMember.household_id == household.id, HouseholdMember.relation == Relation.HEAD,
        HouseholdMember.id != (member.id if member is not None else -1)).limit(1))
    if other is not None:
        raise _refuse("relation", _l(
            "本户已有户主（%(name)s），一户只能有一名户主；请先把原户主改为其他关系", name=other))


def _person_for(session: Session, row: dict, actor) -> tuple[Person, str | None]:
    """The person with this ID number: the one the system knows (信息共享), or a new one.

    Linking tells the collector nothing they did not type: the notice says the person was
    linked, and where else they are known only inside the collector's jurisdiction; a
    refusal for a member of another household names that household only when it is there
    too. (The name typed must match the one stored unless the person is the collector's
    to correct: ``scope.person_changes``.)"""
    person = queries.person_by_id_number(session, row["id_number"])
    if person is None:
        return create_person(session, id_number=row["id_number"], name=row["name"]), None
    membership = queries.membership_of(session, person)
    if membership is not None:
        village_code = membership.household.village_code
        if not actor.covers(village_code):
            raise _refuse("id_number", _l(
                "此人已是其他户的成员，一人只能属于一户；如已迁入本户，请先由原户所在村移出"))
        village = session.get(Division, village_code)
        raise _refuse("id_number", _l(
            "此人已是%(village)s %(code)s户的成员，一人只能属于一户；如已迁入本户，请先由原村移出",
            village=village.name if village else village_code,
            code=membership.household.code))
    if person.name == row["name"]:
        notice = _("已关联系统中已有的人员（姓名与登记一致），未重复建档")
    else:  # reached only when the person is the collector's to correct
        notice = _("已关联系统中已有的人员，姓名已按本次填写更正，未重复建档")
    places = where_text(queries.where_known(session, [person.id], actor.division_code)[person.id])
    if places:
        notice += _("；本辖区内另见：%(where)s", where="；".join(places))
    return person, notice


def remove_member(session: Session, household: Household, *, actor, ref: str,
                  base_version: int | None) -> None:
    """Take a member off the household, with the transfer spells and trainings the survey
    recorded for them (the phone asks first): left on the person, they would reappear in
    the household the person is linked to next, where entering them again is refused as a
    duplicate. The person stays in the system (they may be registered elsewhere). The
    removal is logged against the person, in the household's village and every division
    holding a record of the person, so the person's history shows which household they
    left wherever they are maintained."""
    _authorise(actor, household)
    member = _member_in(session, household, ref, base_version)
    if member is None:
        return  # already gone: removing twice is removing once
    _check_version(member, base_version)
    _edit(session, household)
    audit(session, "member_remove", target_type="persons", target_id=member.person_id,
          division=household.village_code, also=divisions_of(session, member.person_id),
          before={"household_code": household.code, "relation": plain(member.relation),
                  "labour_capacity": plain(member.labour_capacity)})
    for model in (TransferSpell, Training):
        for found in session.scalars(select(model).where(model.person_id == member.person_id)):
            session.delete(found)
    session.delete(member)
    session.flush()


# --- spells and trainings ---------------------------------------------------------------

_DETAIL = {
    "spell": (TransferSpell, files.TRANSFER_SPELLS, ("kind", "start_date")),
    "training": (Training, files.TRAININGS, ("course", "start_date")),
}


def _owner(session: Session, household: Household, member_ref) -> HouseholdMember:
    member = queries.by_ref(session, HouseholdMember, member_ref)
    if member is None or member.household_id != household.id:
        raise _refuse("member_ref", _l("该成员不在本户"))
    return member


def save_detail(session: Session, household: Household, entity: str, *, actor, ref: str,
                base_version: int | None, data: dict):
    """Create or change a member's transfer spell (``entity="spell"``) or training."""
    model, spec, key = _DETAIL[entity]
    _authorise(actor, household)
    member = _owner(session, household, data.get("member_ref"))
    record_ = _find(session, model, ref, base_version)
    if record_ is not None:
        if record_.person_id != member.person_id:
            raise OutOfScope()
        _check_version(record_, base_version)
    values = {name: data.get(name) for name in spec.column_names}
    values["id_number"] = member.person.id_number
    row = check_row(spec, values, FIELDS[entity])
    clash = session.scalar(select(model.id).where(
        model.person_id == member.person_id,
        *[getattr(model, name) == row[name] for name in key]))
    if clash is not None and (record_ is None or clash != record_.id):
        raise _refuse(key[-1], _l("该成员已有相同的记录（同一类型或项目、同一开始日期）"))
    _edit(session, household)
    if record_ is None:
        record_ = model(uid=_new_uid(ref), person_id=member.person_id)
        session.add(record_)
    for name in spec.column_names:
        if name != "id_number":
            setattr(record_, name, row[name])
    session.flush()
    return record_


def remove_detail(session: Session, household: Household, entity: str, *, actor, ref: str,
                  base_version: int | None, data: dict) -> None:
    model = _DETAIL[entity][0]
    _authorise(actor, household)
    member = _owner(session, household, data.get("member_ref"))
    record_ = _find(session, model, ref, base_version)
    if record_ is None:
        return
    if record_.person_id != member.person_id:
        raise OutOfScope()
    _check_version(record_, base_version)
    _edit(session, household)
    session.delete(record_)
    session.flush()
