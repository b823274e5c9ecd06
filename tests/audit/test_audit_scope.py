"""An audit event is seen by the auditors of every division its record belongs to, before
and after the change: a shared person's change reaches every county holding a record of
them, a moved record stays in the log of the division it left, and bulk imports do the
same without a query per row."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, text

from field_app.audit.actor import SESSION_KEY, Actor, actor_for, set_actor
from field_app.audit.models import AuditEvent, AuditEventDivision
from field_app.audit.operations import record_many
from field_app.audit.queries import AuditFilter, audit_query
from field_app.core.identifiers import mask_phone
from field_app.extensions import db
from field_app.households.models import HouseholdMember
from tests.factories import make_id_number

NEW_PHONE = "13987654321"
A_VILLAGE, B_VILLAGE = "152201001001", "152202100201"  # 第一社区 (乌兰浩特市), 林俗村 (阿尔山市)


@pytest.fixture
def shared_person(make):
    """A person with a household in 阿尔山市 and an employment registration in 乌兰浩特市."""
    person = make.person(id_number=make_id_number(dt.date(1988, 3, 4)), name="包金花")
    make.member(person, make.household(B_VILLAGE))
    make.employment(person, dt.date(2026, 3, 1), division=A_VILLAGE)
    return person


def as_user(user):
    """Changes flushed next are written by ``user`` (as a request of theirs would be)."""
    set_actor(db.session, actor_for(user))


@pytest.fixture(autouse=True)
def _forget_actor(app_ctx):
    yield
    db.session.info.pop(SESSION_KEY, None)


def seen_by(make, reader_division: str, **criteria) -> list[AuditEvent]:
    auditor = make.user("auditor", reader_division)
    return list(db.session.scalars(audit_query(auditor, AuditFilter(**criteria))))


def further(event: AuditEvent) -> set[str]:
    return set(db.session.scalars(select(AuditEventDivision.division_code)
                                  .where(AuditEventDivision.event_id == event.id)))


def the_event(**where) -> AuditEvent:
    query = select(AuditEvent)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    (found,) = db.session.scalars(query)
    return found


# Who sees the change a statistician of 乌兰浩特市 makes to the shared person.
AUDITORS = [
    ("152202000000", True),  # 阿尔山市: the person's household is there
    ("152202100000", True),  # 白狼镇, the township of that household
    ("152201001000", True),  # 都林街道: the employment registration is there
    ("152201000000", True),  # the writer's county
    ("152201100000", False),  # 义勒力特镇: nothing of the person there
]


@pytest.mark.parametrize(("division", "sees"), AUDITORS, ids=[d for d, _ in AUDITORS])
def test_a_change_to_a_shared_person_reaches_the_auditors_of_every_division_with_their_records(
        make, shared_person, division, sees):
    as_user(make.user("county_statistician", "152201000000"))
    shared_person.phone = NEW_PHONE
    db.session.flush()
    change = the_event(action="update", target_type="persons", target_id=str(shared_person.id))
    assert change.division_code == "152201000000"
    assert further(change) == {A_VILLAGE, B_VILLAGE}
    assert (change in seen_by(make, division, target_type="persons")) is sees


def test_a_change_to_a_shared_persons_transfer_spell_reaches_every_division_with_their_records(
        make, shared_person):
    spell = make.spell(shared_person, dt.date(2025, 3, 1))
    db.session.commit()  # the spell is read back from the database by the change below
    as_user(make.user("village_collector", B_VILLAGE))
    spell.end_date = dt.date(2025, 12, 31)
    db.session.flush()
    change = the_event(action="update", target_type="transfer_spells")
    assert change.division_code == B_VILLAGE and further(change) == {A_VILLAGE}
    assert change in seen_by(make, "152201000000", target_type="transfer_spells")


def test_the_other_countys_auditor_finds_the_change_on_the_audit_page(client, make,
                                                                      shared_person, login_as):
    as_user(make.user("county_statistician", "152201000000"))
    shared_person.phone = NEW_PHONE
    db.session.commit()
    db.session.info.pop(SESSION_KEY)
    login_as("auditor", "152202000000")
    page = client.get("/audit/?target_type=persons").get_data(as_text=True)
    assert mask_phone(NEW_PHONE) in page
    response = client.post(f"/audit/{the_event(action='update', target_type='persons').id}"
                           "/reveal")
    assert response.status_code == 200 and NEW_PHONE in response.get_data(as_text=True)


def test_the_division_filter_finds_events_by_their_further_divisions(make, shared_person):
    as_user(make.user("county_statistician", "152201000000"))
    shared_person.phone = NEW_PHONE
    db.session.flush()
    found = seen_by(make, "152200000000", target_type="persons", division="152202000000")
    assert [e.target_id for e in found] == [str(shared_person.id)]
    assert seen_by(make, "152200000000", target_type="persons", division="152201100000") == []


def test_a_membership_removed_stays_in_the_log_of_the_village_it_left(make, shared_person):
    as_user(make.user("county_statistician", "152201000000"))
    member = db.session.scalar(select(HouseholdMember)
                               .where(HouseholdMember.person_id == shared_person.id))
    db.session.delete(member)
    db.session.flush()
    removal = the_event(action="delete", target_type="household_members")
    assert B_VILLAGE in further(removal)
    assert removal in seen_by(make, "152202000000", target_type="household_members")


def test_a_record_moved_to_another_county_stays_in_the_log_of_the_county_it_left(
        make, shared_person):
    attrition = make.attrition(shared_person, dt.date(2026, 4, 1), division=B_VILLAGE)
    as_user(make.user("county_statistician", "152201000000"))
    attrition.division_code = A_VILLAGE
    db.session.flush()
    move = the_event(action="update", target_type="natural_attrition")
    assert move.division_code == A_VILLAGE and further(move) == {B_VILLAGE}
    assert move in seen_by(make, "152202000000", target_type="natural_attrition")
    assert move in seen_by(make, "152201000000", target_type="natural_attrition")


def test_a_record_in_one_division_is_filed_there_only(make, shared_person):
    as_user(make.user("county_statistician", "152201000000"))
    registration = make.employment(shared_person, dt.date(2026, 5, 1), division=A_VILLAGE)
    created = the_event(action="create", target_type="employment_registrations",
                        target_id=str(registration.id))
    assert further(created) == set()
    assert created not in seen_by(make, "152202000000",
                                  target_type="employment_registrations")


def test_an_import_renaming_a_shared_person_reaches_every_county_with_their_records(
        runner, make, shared_person, tmp_path):
    (tmp_path / "divisions.csv").write_text("code,name,parent_code\n", encoding="utf-8")
    (tmp_path / "persons.csv").write_text(
        f"id_number,name,hukou,phone\n{shared_person.id_number},包金华,rural,13800000000\n",
        encoding="utf-8")
    db.session.commit()
    result = runner.invoke(args=["import-data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rename = the_event(action="update", target_type="persons", target_id=str(shared_person.id))
    assert rename.after["name"] == "包金华"
    assert further(rename) == {A_VILLAGE, B_VILLAGE}
    assert rename in seen_by(make, "152202000000", target_type="persons")


def test_a_bulk_move_between_divisions_files_the_event_under_both(make):
    rows = [{"action": "update", "target_id": "41", "division_code": A_VILLAGE,
             "before": {"division_code": B_VILLAGE}, "after": {"division_code": A_VILLAGE}},
            {"action": "update", "target_id": "42", "division_code": A_VILLAGE,
             "before": {"reason": "death"}, "after": {"reason": "retirement"}}]
    record_many(db.session.connection(), rows, actor=Actor(None, "cli:ops"),
                target_type="natural_attrition", note="import")
    moved = the_event(target_id="41")
    assert moved.division_code == A_VILLAGE and further(moved) == {B_VILLAGE}
    assert further(the_event(target_id="42")) == set()


def test_a_bulk_import_of_new_rows_reads_nothing_back(make):
    conn = db.session.connection()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(conn, "before_cursor_execute", listener)
    try:
        rows = [{"action": "create", "target_id": str(n), "division_code": A_VILLAGE,
                 "before": None, "after": {"name": f"人{n}"}} for n in range(2000)]
        record_many(conn, rows, actor=Actor(None, "cli:ops"), target_type="persons",
                    note="import")
    finally:
        event.remove(conn, "before_cursor_execute", listener)
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert db.session.scalar(select(AuditEventDivision).limit(1)) is None


def test_the_database_refuses_to_remove_an_event_from_a_division(make, shared_person):
    as_user(make.user("county_statistician", "152201000000"))
    shared_person.phone = NEW_PHONE
    db.session.commit()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_event_divisions"))
    db.session.rollback()
    assert db.session.scalar(select(AuditEventDivision).limit(1)) is not None
