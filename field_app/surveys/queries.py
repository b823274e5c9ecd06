"""Survey reads, always scoped: a village's round, roster records by their public ref, progress
by village, and where a person already appears in the system."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import String, case, false, func, select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.models import User
from field_app.accounts.roles import AccountState
from field_app.audit.models import AuditEvent
from field_app.core.errors import OutOfScope
from field_app.core.permissions import in_scope
from field_app.core.codes import PREFIX_LENGTH, Level, ancestor_at, prefix, subtree_bounds
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, Person
from field_app.registrations.models import EmploymentRegistration, UnemploymentRegistration
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SUBMITTED_ONCE, SurveyStatus
from field_app.surveys.models import SurveyRound, SyncChange
from field_app.surveys.schemas import REF


def open_round(session: Session, village_code: str) -> SurveyRound | None:
    """The open round of the village's county, if there is one."""
    return session.scalar(select(SurveyRound).where(
        SurveyRound.county_code == ancestor_at(village_code, Level.COUNTY),
        SurveyRound.closed_at.is_(None)))


def rounds_of(session: Session, county_code: str) -> list[SurveyRound]:
    return list(session.scalars(select(SurveyRound).where(SurveyRound.county_code == county_code)
                                .order_by(SurveyRound.year.desc())))


@dataclasses.dataclass(frozen=True)
class Reopening:
    at: dt.datetime
    by: str
    reason: str


def reopenings(session: Session, rounds: list[SurveyRound]) -> dict[int, list[Reopening]]:
    """Each round's reopenings (the audit log keeps them: who, when, why), oldest first."""
    if not rounds:
        return {}
    found: dict[int, list[Reopening]] = {round_.id: [] for round_ in rounds}
    for target, at, by, after in session.execute(
            select(AuditEvent.target_id, AuditEvent.at, AuditEvent.actor_name, AuditEvent.after)
            .where(AuditEvent.action == "survey_round_reopen",
                   AuditEvent.target_type == "survey_rounds",
                   AuditEvent.target_id.in_([str(round_.id) for round_ in rounds]))
            .order_by(AuditEvent.at, AuditEvent.id)):
        found[int(target)].append(Reopening(at, by, (after or {}).get("reason", "")))
    return found


# A phone that has not synced for this long may hold changes the server has not seen.
QUIET_AFTER = dt.timedelta(hours=24)


@dataclasses.dataclass(frozen=True)
class Collector:
    """A village collector's account, as far as the server can tell what its phone holds:
    when it last sent changes, how many it sent in this round, and the households of its
    village still being worked on (已录入、已退回)."""

    username: str
    name: str
    village: str
    last_sync: dt.datetime | None
    changes: int
    unfinished: int
    quiet: bool


def collectors(session: Session, round_: SurveyRound, user, now: dt.datetime) -> list[Collector]:
    """The active collector accounts of the round's county (within ``user``'s scope) with
    their last sync, the quiet ones (never synced, or not for ``QUIET_AFTER``) first."""
    last = (select(SyncChange.user_id, func.max(SyncChange.received_at).label("last"),
                   func.sum(case((SyncChange.received_at >= round_.created_at, 1), else_=0))
                   .label("changes"))
            .group_by(SyncChange.user_id).subquery())
    low, high = subtree_bounds(round_.county_code)
    unfinished = {row["code"]: row[SurveyStatus.ENTERED.value] + row[SurveyStatus.RETURNED.value]
                  for row in progress(session, round_, round_.county_code, user)}
    rows = session.execute(
        select(User.username, User.display_name, User.division_code, Division.name,
               last.c.last, last.c.changes)
        .join(Division, Division.code == User.division_code)
        .outerjoin(last, last.c.user_id == User.id)
        .where(User.role.in_(sorted(holders(Capability.COLLECT_SURVEY))),
               User.state == AccountState.ACTIVE, User.division_code.between(low, high),
               in_scope(User.division_code, user))
        .order_by(last.c.last.is_(None).desc(), last.c.last, User.division_code,
                  User.username))
    return [Collector(username, name, village, last_sync, int(changes or 0),
                      int(unfinished.get(code) or 0),
                      last_sync is None or now - last_sync > QUIET_AFTER)
            for username, name, code, village, last_sync, changes in rows]


@dataclasses.dataclass(frozen=True)
class CloseSummary:
    """What is still open in a round, for the county deciding to close it."""

    progress: list[dict]  # by township, as ``progress``
    totals: dict[str, int]  # households per status
    collectors: list[Collector]

    @property
    def households(self) -> int:
        return sum(self.totals.values())

    @property
    def open_work(self) -> int:
        """Households not yet approved."""
        return self.households - self.totals[SurveyStatus.APPROVED.value]

    @property
    def quiet(self) -> list[Collector]:
        return [c for c in self.collectors if c.quiet]


def close_summary(session: Session, round_: SurveyRound, user,
                  now: dt.datetime) -> CloseSummary:
    rows = progress(session, round_, round_.county_code, user, by=Level.TOWNSHIP)
    totals = {s.value: sum(int(row[s.value] or 0) for row in rows) for s in SurveyStatus}
    return CloseSummary(rows, totals, collectors(session, round_, user, now))


def get_round_or_404(session: Session, round_id: int, user) -> SurveyRound:
    found = session.get(SurveyRound, round_id)
    if found is None or not user.covers(found.county_code):
        raise OutOfScope()
    return found


def ref_of(record) -> str:
    """The public reference of a roster record: the phone's UUID, or ``s<id>`` for a record
    made elsewhere (an import, the desk)."""
    return record.uid or f"s{record.id}"


_MAX_ID = 2**31 - 1  # the ``id`` columns are 32-bit integers


def by_ref(session: Session, model, ref) -> object | None:
    """The record of ``model`` with public reference ``ref``, or None. A ref not of the
    shape ``schemas.REF`` names no record and is not sent to the database, where a number
    past the column's range or a NUL byte would fail rather than find nothing."""
    if not isinstance(ref, str) or not REF.match(ref):
        return None
    if ref.startswith("s"):
        key = int(ref[1:])
        return session.get(model, key) if key <= _MAX_ID else None
    return session.scalar(select(model).where(model.uid == ref))


def survey_of(session: Session, round_: SurveyRound,
              household: Household) -> HouseholdSurvey | None:
    return session.scalar(select(HouseholdSurvey).where(
        HouseholdSurvey.round_id == round_.id, HouseholdSurvey.household_id == household.id))


def village_households(session: Session, village_code: str) -> list[Household]:
    return list(session.scalars(select(Household).where(Household.village_code == village_code)
                                .order_by(Household.code)))


def progress(session: Session, round_: SurveyRound, under: str, user,
             by: Level = Level.VILLAGE) -> list[dict]:
    """Households per status below ``under``, a line per division at level ``by`` (villages
    for a township, townships for a county), in one grouped query. A household without a
    status row (it came after the round was opened) counts as not surveyed."""
    status = func.coalesce(HouseholdSurvey.status, SurveyStatus.NOT_SURVEYED.value)
    width = PREFIX_LENGTH[by]
    key = (func.substr(Household.village_code, 1, width, type_=String) + "0" * (12 - width)
           if width < 12 else Household.village_code)
    query = (
        select(key.label("code"), Division.name.label("name"),
               func.count(func.distinct(Household.village_code)).label("villages"),
               func.count(Household.id).label("households"),
               *[func.sum(case((status == s.value, 1), else_=0)).label(s.value)
                 for s in SurveyStatus])
        .join(Division, Division.code == key)
        .outerjoin(HouseholdSurvey, (HouseholdSurvey.household_id == Household.id)
                   & (HouseholdSurvey.round_id == round_.id))
        .where(Household.village_code.like(prefix(under) + "%"),
               in_scope(Household.village_code, user))
        .group_by(key, Division.name)
        .order_by(key)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def households_by_status(session: Session, round_: SurveyRound, village_code: str,
                         statuses=tuple(SurveyStatus)) -> list[tuple[Household, HouseholdSurvey]]:
    """The village's households that have a status row in ``statuses``, with it."""
    rows = session.execute(
        select(Household, HouseholdSurvey)
        .join(HouseholdSurvey, HouseholdSurvey.household_id == Household.id)
        .where(HouseholdSurvey.round_id == round_.id, Household.village_code == village_code,
               HouseholdSurvey.status.in_([s.value for s in statuses]))
        .order_by(Household.code))
    return [(household, survey) for household, survey in rows]


def where_known(session: Session, person_ids: list[int], scope: str
                ) -> dict[int, list[tuple[str, str, str]]]:
    """For each person, where the system already knows them inside ``scope``'s subtree, as
    ``(kind, division name, code)``: their household (``household``, village, household
    code) and the desks holding their valid ``employment`` or ``unemployment``
    registrations (信息共享). Places outside ``scope`` are left out: what another
    jurisdiction holds about a person is not shown to this one (STYLE 14)."""
    if not person_ids:
        return {}
    low, high = subtree_bounds(scope)
    found: dict[int, list[tuple[str, str, str]]] = {pid: [] for pid in person_ids}
    village = Division.__table__.alias("village")
    for person_id, name, code in session.execute(
            select(HouseholdMember.person_id, village.c.name, Household.code)
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(village, village.c.code == Household.village_code)
            .where(HouseholdMember.person_id.in_(person_ids),
                   Household.village_code.between(low, high))):
        found[person_id].append(("household", name, code))
    for model, kind in ((EmploymentRegistration, "employment"),
                        (UnemploymentRegistration, "unemployment")):
        for person_id, name, code in session.execute(
                select(model.person_id, Division.name, model.division_code)
                .join(Division, Division.code == model.division_code)
                .where(model.person_id.in_(person_ids), model.valid.is_(True),
                       model.division_code.between(low, high))
                .distinct()):
            found[person_id].append((kind, name, code))
    return found


def person_by_id_number(session: Session, id_number: str) -> Person | None:
    return session.scalar(select(Person).where(Person.id_number == id_number))


def membership_of(session: Session, person: Person) -> HouseholdMember | None:
    return session.scalar(select(HouseholdMember).where(HouseholdMember.person_id == person.id))


def head_names(session: Session, household_ids: list[int]) -> dict[int, str]:
    """The name of each household's head (户主), which rosters are read by."""
    if not household_ids:
        return {}
    return dict(session.execute(
        select(HouseholdMember.household_id, Person.name)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id.in_(household_ids),
               HouseholdMember.relation == "head")).all())


@dataclasses.dataclass(frozen=True)
class CountyProgress:
    """A county's latest round (the open one, or the most recent closed one) and its
    households per status in it, for the league and the region."""

    code: str
    name: str
    league: str  # the name of the county's league
    round: SurveyRound | None
    households: int
    counts: dict[str, int]  # status value → households

    @property
    def surveyed(self) -> int:
        """Households submitted at least once in the round."""
        return sum(self.counts[s.value] for s in SUBMITTED_ONCE)

    @property
    def approved(self) -> int:
        return self.counts[SurveyStatus.APPROVED.value]

    @property
    def returned(self) -> int:
        return self.counts[SurveyStatus.RETURNED.value]


def county_progress(session: Session, under: str, user) -> list[CountyProgress]:
    """Every county below ``under`` (within ``user``'s scope) with the households of its
    latest round per status: one query for the counties and their leagues, one for the
    latest rounds, one grouped query for the households, whatever the number of counties."""
    low, high = subtree_bounds(under)
    league = Division.__table__.alias("league")
    counties = session.execute(
        select(Division.code, Division.name, league.c.name)
        .join(league, league.c.code == Division.parent_code)
        .where(Division.level == int(Level.COUNTY), Division.code.between(low, high),
               in_scope(Division.code, user))
        .order_by(Division.code)).all()
    if not counties:
        return []
    newest = (select(SurveyRound.county_code, func.max(SurveyRound.year).label("year"))
              .where(SurveyRound.county_code.between(low, high))
              .group_by(SurveyRound.county_code).subquery())
    latest = {round_.county_code: round_ for round_ in session.scalars(
        select(SurveyRound).join(newest, (newest.c.county_code == SurveyRound.county_code)
                                 & (newest.c.year == SurveyRound.year)))}
    county_key = (func.substr(Household.village_code, 1, PREFIX_LENGTH[Level.COUNTY],
                              type_=String) + "0" * (12 - PREFIX_LENGTH[Level.COUNTY]))
    status = func.coalesce(HouseholdSurvey.status, SurveyStatus.NOT_SURVEYED.value)
    rounds = list(latest.values())
    joined = (HouseholdSurvey.household_id == Household.id) & (
        HouseholdSurvey.round_id.in_([r.id for r in rounds]) if rounds else false())
    counted = {row[0]: row for row in session.execute(
        select(county_key, func.count(Household.id),
               *[func.sum(case((status == s.value, 1), else_=0)) for s in SurveyStatus])
        .outerjoin(HouseholdSurvey, joined)
        .where(Household.village_code.between(low, high), in_scope(Household.village_code, user))
        .group_by(county_key))}
    found = []
    for code, name, league_name in counties:
        row = counted.get(code)
        counts = {s.value: int((row[2 + i] if row else 0) or 0)
                  for i, s in enumerate(SurveyStatus)}
        found.append(CountyProgress(code, name, league_name, latest.get(code),
                                    int(row[1]) if row else 0, counts))
    return found
