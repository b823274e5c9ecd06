"""Survey reads, always scoped: a village's round, roster records by their public ref, progress
by village, and where a person already appears in the system."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from field_app.core.errors import OutOfScope
from field_app.core.permissions import in_scope
from field_app.divisions.codes import Level, level_of, prefix
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, Person
from field_app.registrations.models import EmploymentRegistration, UnemploymentRegistration
from field_app.review.states import SurveyStatus
from field_app.surveys.models import HouseholdSurvey, SurveyRound


def county_of(code: str) -> str:
    """The county (旗县) code above a township or village code."""
    return code[:6] + "000000"


def open_round(session: Session, village_code: str) -> SurveyRound | None:
    """The open round of the village's county, if there is one."""
    return session.scalar(select(SurveyRound).where(
        SurveyRound.county_code == county_of(village_code), SurveyRound.closed_at.is_(None)))


def rounds_of(session: Session, county_code: str) -> list[SurveyRound]:
    return list(session.scalars(select(SurveyRound).where(SurveyRound.county_code == county_code)
                                .order_by(SurveyRound.year.desc())))


def get_round_or_404(session: Session, round_id: int, user) -> SurveyRound:
    found = session.get(SurveyRound, round_id)
    if found is None or not user.covers(found.county_code):
        raise OutOfScope("未找到 / not found")
    return found


def ref_of(record) -> str:
    """The public reference of a roster record: the phone's UUID, or ``s<id>`` for a record
    made elsewhere (an import, the desk)."""
    return record.uid or f"s{record.id}"


def by_ref(session: Session, model, ref: str | None):
    """The record of ``model`` with public reference ``ref``, or None."""
    if not ref:
        return None
    if ref.startswith("s") and ref[1:].isdigit():
        return session.get(model, int(ref[1:]))
    return session.scalar(select(model).where(model.uid == ref))


def get_household_or_404(session: Session, household_id: int, user, visible) -> Household:
    """The household if ``visible(user, village_code)``; 404 otherwise."""
    household = session.get(Household, household_id)
    if household is None or not visible(user, household.village_code):
        raise OutOfScope("未找到 / not found")
    return household


def survey_of(session: Session, round_: SurveyRound,
              household: Household) -> HouseholdSurvey | None:
    return session.scalar(select(HouseholdSurvey).where(
        HouseholdSurvey.round_id == round_.id, HouseholdSurvey.household_id == household.id))


def village_households(session: Session, village_code: str) -> list[Household]:
    return list(session.scalars(select(Household).where(Household.village_code == village_code)
                                .order_by(Household.code)))


def progress_by_village(session: Session, round_: SurveyRound, under: str, user) -> list[dict]:
    """Households per status for each village under ``under`` (a township or county), in one
    grouped query; households without a status row count as not surveyed."""
    status = func.coalesce(HouseholdSurvey.status, SurveyStatus.NOT_SURVEYED.value)
    counts = {s: func.sum(case((status == s.value, 1), else_=0)) for s in SurveyStatus}
    low = prefix(under)
    query = (
        select(Household.village_code, Division.name, func.count(Household.id),
               *[c.label(s.value) for s, c in counts.items()])
        .join(Division, Division.code == Household.village_code)
        .outerjoin(HouseholdSurvey, (HouseholdSurvey.household_id == Household.id)
                   & (HouseholdSurvey.round_id == round_.id))
        .where(Household.village_code.like(low + "%"), in_scope(Household.village_code, user))
        .group_by(Household.village_code, Division.name)
        .order_by(Household.village_code)
    )
    return [dict(row._mapping) | {"code": row.village_code, "name": row.name,
                                  "households": row[2]}
            for row in session.execute(query)]


def progress_by_township(session: Session, round_: SurveyRound, county: str, user) -> list[dict]:
    """The county's progress a township a line: the villages' counts summed per township."""
    totals: dict[str, dict] = {}
    for row in progress_by_village(session, round_, county, user):
        township = row["code"][:9] + "000"
        line = totals.setdefault(township, {"code": township, "villages": 0, "households": 0}
                                 | {s.value: 0 for s in SurveyStatus})
        line["villages"] += 1
        for key in ("households", *[s.value for s in SurveyStatus]):
            line[key] += row[key]
    names = dict(session.execute(select(Division.code, Division.name)
                                 .where(Division.code.in_(list(totals)))).all())
    return [line | {"name": names.get(code, code)} for code, line in sorted(totals.items())]


def submitted_households(session: Session, round_: SurveyRound, village_code: str,
                         statuses=(SurveyStatus.SUBMITTED,)
                         ) -> list[tuple[Household, HouseholdSurvey]]:
    rows = session.execute(
        select(Household, HouseholdSurvey)
        .join(HouseholdSurvey, HouseholdSurvey.household_id == Household.id)
        .where(HouseholdSurvey.round_id == round_.id, Household.village_code == village_code,
               HouseholdSurvey.status.in_([s.value for s in statuses]))
        .order_by(Household.code))
    return [(household, survey) for household, survey in rows]


def where_known(session: Session, person_ids: list[int]) -> dict[int, list[str]]:
    """For each person, where the system already knows them: their household's village and
    the desks holding their valid employment or unemployment registrations (信息共享)."""
    if not person_ids:
        return {}
    found: dict[int, list[str]] = {pid: [] for pid in person_ids}
    village = Division.__table__.alias("village")
    for person_id, name, code in session.execute(
            select(HouseholdMember.person_id, village.c.name, Household.code)
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(village, village.c.code == Household.village_code)
            .where(HouseholdMember.person_id.in_(person_ids))):
        found[person_id].append(("household", name, code))
    for model, kind in ((EmploymentRegistration, "employment"),
                        (UnemploymentRegistration, "unemployment")):
        for person_id, name, code in session.execute(
                select(model.person_id, Division.name, model.division_code)
                .join(Division, Division.code == model.division_code)
                .where(model.person_id.in_(person_ids), model.valid.is_(True))
                .distinct()):
            found[person_id].append((kind, name, code))
    return found


def person_by_id_number(session: Session, id_number: str) -> Person | None:
    return session.scalar(select(Person).where(Person.id_number == id_number))


def membership_of(session: Session, person: Person) -> HouseholdMember | None:
    return session.scalar(select(HouseholdMember).where(HouseholdMember.person_id == person.id))


def is_village(code: str) -> bool:
    return level_of(code) == Level.VILLAGE


def head_names(session: Session, household_ids: list[int]) -> dict[int, str]:
    """The name of each household's head (户主), which rosters are read by."""
    if not household_ids:
        return {}
    return dict(session.execute(
        select(HouseholdMember.household_id, Person.name)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id.in_(household_ids),
               HouseholdMember.relation == "head")).all())
