"""An import with a scope (every import started from the web) is refused whole when any row
reaches outside the scope's subtree; without a scope (the command line) it writes anywhere.
Also: files that are not UTF-8 CSV, and counts beyond any real one, are faults, not crashes."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import event, func, select

from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentRegistration,
    NaturalAttrition,
)
from field_app.surveys.models import TransferSpell
from tests.factories import make_id_number

# Each test runs with both of the importer's ways of writing (``both_import_paths``).
pytestmark = pytest.mark.usefixtures("both_import_paths")

BANNER = "152201000000"  # 乌兰浩特市, the scope
COMMUNITY = "152201001001"  # 第一社区, inside it
VILLAGE = "152201100201"  # 葛根庙嘎查, inside it
OTHER_BANNER = "152202000000"  # 阿尔山市
OTHER_VILLAGE = "152202100201"  # 林俗村, in OTHER_BANNER
ELSEWHERE = ("阿尔山", "白狼", "林俗", OTHER_VILLAGE, OTHER_BANNER)

ATTRITION = "id_number,division_code,occurred_on,reason\n"
PERSONS = "id_number,name,hukou,phone\n"
MEMBERS = "household_code,id_number,relation,labour_capacity\n"
SPELLS = ("id_number,kind,start_date,end_date,destination,industry,stable_workplace,"
          "stable_income\n")


def write(folder, **files: str | bytes):
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        path = folder / name.replace("_csv", ".csv")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def run(folder, scope=BANNER):
    result = import_dataset(db.session.connection(), folder, scope=scope)
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def reasons(result) -> list[tuple[str, int, str, str]]:
    return [(e.file, e.line, e.column, e.reason.split(" / ")[0]) for e in result.errors]


def assert_names_no_other_place(result) -> None:
    text = " ".join(f"{e.value} {e.reason}" for e in result.errors)
    assert not [name for name in ELSEWHERE if name in text]


@pytest.fixture
def elsewhere(make):
    """A person with one record, a registration in the other banner."""
    person = make.person(dt.date(1970, 3, 4), name="外县人员", hukou="urban",
                         phone="13900000001")
    make.unemployment(person, dt.date(2026, 2, 1), division=OTHER_VILLAGE)
    db.session.commit()
    return person


def test_a_scoped_import_refuses_to_rename_a_person_with_a_record_elsewhere(
        tmp_path, elsewhere):
    folder = write(tmp_path / "d", persons_csv=PERSONS + f"{elsewhere.id_number},改名字,urban,"
                   "13900000001\n")
    result = run(folder)
    assert reasons(result) == [("persons.csv", 2, "name", "该人员在本辖区以外另有记录，上传不能修改其信息")]
    assert result.errors[0].value == "改名字"
    assert_names_no_other_place(result)
    assert db.session.get(Person, elsewhere.id).name == "外县人员"


@pytest.mark.parametrize(("row", "column"), [
    ("外县人员,urban,13900000002", "phone"),
    ("外县人员,rural,13900000001", "hukou"),
    ("外县人员,urban,", "phone"),  # blanking a value is a change too
])
def test_any_change_to_a_person_maintained_elsewhere_is_refused(tmp_path, elsewhere, row,
                                                               column):
    result = run(write(tmp_path / "d", persons_csv=PERSONS + f"{elsewhere.id_number},{row}\n"))
    assert [(e.file, e.column) for e in result.errors] == [("persons.csv", column)]


def test_a_person_row_repeating_the_stored_values_passes_and_new_persons_are_added(
        tmp_path, elsewhere):
    newcomer = make_id_number(dt.date(1966, 7, 8))
    folder = write(tmp_path / "d", persons_csv=PERSONS
                   + f"{elsewhere.id_number},外县人员,urban,13900000001\n{newcomer},新人员,,\n",
                   natural_attrition_csv=ATTRITION
                   + f"{elsewhere.id_number},{COMMUNITY},2026-03-01,retirement\n"
                   + f"{newcomer},{COMMUNITY},2026-03-01,death\n")
    result = run(folder)
    assert result.ok, result.errors
    assert result.counts["persons.csv"].inserted == 1
    assert result.counts["persons.csv"].unchanged == 1
    assert db.session.scalar(select(func.count()).select_from(NaturalAttrition)) == 2


def test_a_person_whose_records_all_lie_inside_may_be_changed(tmp_path, make):
    person = make.person(dt.date(1966, 5, 6), name="旧名字")
    make.attrition(person, dt.date(2026, 3, 1), division=COMMUNITY)
    make.member(person, make.household(VILLAGE))
    db.session.commit()
    result = run(write(tmp_path / "d", persons_csv=PERSONS + f"{person.id_number},新名字,,\n"))
    assert result.ok, result.errors
    assert db.session.get(Person, person.id).name == "新名字"


def test_a_member_of_a_household_elsewhere_is_maintained_elsewhere(tmp_path, make):
    person = make.person(dt.date(1966, 5, 6), name="旧名字")
    make.member(person, make.household(OTHER_VILLAGE))
    db.session.commit()
    result = run(write(tmp_path / "d", persons_csv=PERSONS + f"{person.id_number},新名字,,\n"))
    assert [e.column for e in result.errors] == ["name"]


def test_a_stored_attrition_record_elsewhere_cannot_be_moved_in_or_changed(tmp_path, make):
    person = make.person(dt.date(1966, 5, 6))
    make.attrition(person, dt.date(2026, 3, 1), division=OTHER_VILLAGE)
    db.session.commit()
    result = run(write(tmp_path / "d", natural_attrition_csv=ATTRITION
                       + f"{person.id_number},{COMMUNITY},2026-03-01,death\n"))
    assert reasons(result) == [("natural_attrition.csv", 2, "id_number",
                                "该记录由本辖区以外维护，上传不能修改或移入本辖区")]
    assert result.errors[0].value == person.id_number
    assert_names_no_other_place(result)
    record = db.session.scalars(select(NaturalAttrition)).one()
    assert (record.division_code, record.reason.value) == (OTHER_VILLAGE, "retirement")


def test_a_registration_number_of_a_registration_elsewhere_cannot_be_taken_over(
        tmp_path, make):
    person = make.person(dt.date(1980, 5, 6))
    registration = make.employment(person, dt.date(2026, 1, 5), division=OTHER_VILLAGE)
    db.session.commit()
    newcomer = make_id_number(dt.date(1985, 1, 2))
    folder = write(tmp_path / "d", persons_csv=PERSONS + f"{newcomer},新人员,,\n",
                   employment_registrations_csv=(
                       "registration_id,id_number,division_code,employment_type,start_date,"
                       "registered_on,person_category,formal_transfer,valid\n"
                       f"{registration.registration_no},{newcomer},{COMMUNITY},flexible,"
                       "2026-01-05,2026-01-05,new_entrant,0,1\n"))
    result = run(folder)
    assert [(e.file, e.column) for e in result.errors] == [
        ("employment_registrations.csv", "registration_id")]
    assert db.session.get(EmploymentRegistration, registration.id).person_id == person.id


def test_households_and_members_elsewhere_cannot_be_moved_in(tmp_path, make):
    household = make.household(OTHER_VILLAGE)
    person = make.person(dt.date(1980, 5, 6))
    make.member(person, household)
    mine = make.household(VILLAGE)
    db.session.commit()
    folder = write(tmp_path / "d",
                   households_csv="household_code,village_code,address,longitude,latitude\n"
                                  f"{household.code},{VILLAGE},搬来了,,\n",
                   household_members_csv=MEMBERS + f"{mine.code},{person.id_number},head,full\n")
    result = run(folder)
    assert [(e.file, e.column, e.reason.split(" / ")[0]) for e in result.errors] == [
        ("household_members.csv", "id_number", "该记录由本辖区以外维护，上传不能修改或移入本辖区"),
        ("households.csv", "household_code", "该记录由本辖区以外维护，上传不能修改或移入本辖区")]
    assert db.session.get(Household, household.id).village_code == OTHER_VILLAGE
    assert db.session.scalars(select(HouseholdMember.household_id)).one() == household.id


@pytest.mark.parametrize(("files", "where"), [
    ({"natural_attrition_csv": ATTRITION + "{id},152202100201,2026-03-01,death\n"},
     ("natural_attrition.csv", "division_code")),
    ({"employed_totals_csv": "division_code,as_of,employed_total\n152202000000,2026-06-30,5\n"},
     ("employed_totals.csv", "division_code")),
    ({"divisions_csv": "code,name,parent_code\n152202100202,新村,152202100000\n"},
     ("divisions.csv", "code")),
    ({"households_csv": "household_code,village_code\nH1,152202100201\n"},
     ("households.csv", "village_code")),
    ({"household_members_csv": MEMBERS + "{household},{id},head,full\n"},
     ("household_members.csv", "household_code")),
    ({"transfer_spells_csv": SPELLS + "{id},non_agri,2026-01-01,,in_region,E,0,0\n"},
     ("transfer_spells.csv", "id_number")),
], ids=["attrition", "employed total", "division", "household", "member", "spell"])
def test_a_row_placed_outside_the_scope_is_refused(tmp_path, make, files, where):
    person = make.person(dt.date(1966, 5, 6))
    household = make.household(OTHER_VILLAGE)
    make.member(person, household)
    db.session.commit()
    folder = write(tmp_path / "d", **{
        name: text.replace("{id}", person.id_number).replace("{household}", household.code)
        for name, text in files.items()})
    result = run(folder)
    assert [(e.file, e.column) for e in result.errors] == [where]
    assert result.errors[0].reason.startswith("区划不在本辖区")


def test_a_spell_of_a_person_in_no_household_of_the_scope_cannot_be_placed(tmp_path, make):
    person = make.person(dt.date(1966, 5, 6))
    db.session.commit()
    result = run(write(tmp_path / "d", transfer_spells_csv=SPELLS
                       + f"{person.id_number},non_agri,2026-01-01,,in_region,E,0,0\n"))
    assert [e.reason.split(" / ")[0] for e in result.errors] == [
        "该人员不属于本辖区的任何户，无法确定所属区划"]
    assert db.session.scalar(select(func.count()).select_from(TransferSpell)) == 0


def test_a_spell_follows_the_household_the_data_set_places_its_person_in(tmp_path, make):
    person = make.person(dt.date(1966, 5, 6))
    household = make.household(VILLAGE)
    db.session.commit()
    result = run(write(tmp_path / "d",
                       household_members_csv=MEMBERS + f"{household.code},{person.id_number},"
                                                       "head,full\n",
                       transfer_spells_csv=SPELLS + f"{person.id_number},non_agri,2026-01-01,,"
                                                    "in_region,E,0,0\n"))
    assert result.ok, result.errors


def test_every_offending_row_is_reported_with_the_readers_faults_and_nothing_written(
        tmp_path, make, elsewhere):
    record = make.attrition(elsewhere, dt.date(2026, 3, 1), division=OTHER_VILLAGE)
    db.session.commit()
    newcomer = make_id_number(dt.date(1966, 7, 8))
    folder = write(tmp_path / "d",
                   persons_csv=PERSONS + f"{newcomer},新人员,,\n"
                                         f"{elsewhere.id_number},改名字,urban,13900000001\n",
                   natural_attrition_csv=ATTRITION
                   + f"{newcomer},{COMMUNITY},2026-03-01,retirement\n"
                   + f"{elsewhere.id_number},{COMMUNITY},2026-03-01,death\n"
                   + f"{newcomer},{OTHER_VILLAGE},2026-04-01,death\n"
                   + f"{newcomer},{COMMUNITY},2026-05-01,fired\n")
    result = run(folder)
    assert sorted((e.file, e.line) for e in result.errors) == [
        ("natural_attrition.csv", 3), ("natural_attrition.csv", 4),
        ("natural_attrition.csv", 5), ("persons.csv", 3)]
    assert db.session.scalar(select(Person).where(Person.id_number == newcomer)) is None
    assert db.session.get(NaturalAttrition, record.id).reason.value == "retirement"


def test_without_a_scope_the_same_rows_are_imported_as_before(tmp_path, make, elsewhere):
    make.attrition(elsewhere, dt.date(2026, 3, 1), division=OTHER_VILLAGE)
    db.session.commit()
    folder = write(tmp_path / "d",
                   persons_csv=PERSONS + f"{elsewhere.id_number},改名字,urban,13900000001\n",
                   natural_attrition_csv=ATTRITION
                   + f"{elsewhere.id_number},{COMMUNITY},2026-03-01,death\n")
    assert run(folder, scope=None).ok
    assert db.session.get(Person, elsewhere.id).name == "改名字"
    assert db.session.scalars(select(NaturalAttrition.division_code)).one() == COMMUNITY


def test_the_example_imports_within_its_league_and_is_refused_within_one_banner(
        app_ctx, tmp_path, small_dir):
    folder = tmp_path / "d"
    shutil.copytree(small_dir, folder, ignore=shutil.ignore_patterns("*.json"))
    refused = run(folder, scope="152201000000")
    assert not refused.ok
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    # 呼和浩特 rows lie outside the league: the region is the smallest scope holding it all.
    assert run(folder, scope="150000000000").ok
    assert run(folder, scope="152200000000").errors


def _statements_for(folder, scope) -> int:
    counted = []

    def count(*_args):
        counted.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = import_dataset(db.session.connection(), folder, scope=scope)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.rollback()
    assert result.ok, result.errors[:3]
    return len(counted)


def test_the_scope_check_costs_the_same_few_queries_for_ten_or_three_hundred_rows(
        tmp_path, make):
    # Stored persons with records inside, so every check has something to look up.
    people = [make.person(dt.date(1960, 1, 1) + dt.timedelta(days=i)) for i in range(300)]
    for person in people:
        make.attrition(person, dt.date(2025, 1, 1), division=COMMUNITY)
    db.session.commit()

    def folder(name, count):
        chosen = people[:count]
        return write(tmp_path / name,
                     persons_csv=PERSONS + "".join(f"{p.id_number},改名,,\n" for p in chosen),
                     natural_attrition_csv=ATTRITION + "".join(
                         f"{p.id_number},{COMMUNITY},2025-01-01,death\n" for p in chosen))

    small, large = folder("small", 10), folder("large", 300)
    extra_small = _statements_for(small, BANNER) - _statements_for(small, None)
    extra_large = _statements_for(large, BANNER) - _statements_for(large, None)
    assert extra_small == extra_large
    assert extra_large <= 12


@pytest.mark.parametrize("content", [
    (ATTRITION + "x\n").encode("utf-16"),
    (ATTRITION + "x\n").encode("utf-16-le"),
    ATTRITION.encode() + b"\x00\x01\x02",
], ids=["utf-16", "utf-16 without BOM", "NUL bytes"])
def test_a_file_that_is_not_utf8_text_is_one_fault(app_ctx, tmp_path, content):
    result = run(write(tmp_path / "d", natural_attrition_csv=content), scope=None)
    assert [(e.file, e.reason) for e in result.errors] == [
        ("natural_attrition.csv",
         "文件不是UTF-8编码，请另存为“CSV UTF-8”格式 / file is not UTF-8 text; save it as CSV UTF-8")]


def test_a_file_the_csv_module_cannot_split_is_a_fault_not_an_exception(app_ctx, tmp_path):
    folder = write(tmp_path / "d", natural_attrition_csv=ATTRITION + '"' + "9" * 200_000 + '"\n')
    result = run(folder, scope=None)
    assert [(e.file, e.line) for e in result.errors] == [("natural_attrition.csv", 2)]
    assert "CSV" in result.errors[0].reason


@pytest.mark.parametrize(("total", "ok"), [
    ("999999999", True), ("0001000", True), ("1000000000", False), (str(2**63), False),
    ("9" * 5000, False),
])
def test_employed_totals_are_bounded_to_a_real_count(make, tmp_path, total, ok):
    db.session.commit()
    folder = write(tmp_path / "d", employed_totals_csv="division_code,as_of,employed_total\n"
                                                       f"{BANNER},2026-06-30,{total}\n")
    result = run(folder, scope=None)
    assert result.ok is ok
    if ok:
        assert db.session.scalars(select(EmployedTotal.employed_total)).one() == int(total)
    else:
        assert result.errors[0].reason.startswith("数值过大")
