"""The importer inside a locked period: a data set that would insert or change a row of a
locked period is refused whole, every such row named with its file, line and the period,
and nothing is written; rows beside the edge import."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select

from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Person
from field_app.registrations.models import EmploymentRegistration, NaturalAttrition
from field_app.surveys.models import TransferSpell
from tests.factories import make_id_number
from tests.locks.conftest import BANNER, COMMUNITY, OTHER_BANNER, OTHER_VILLAGE, STREET, VILLAGE

PERSON = make_id_number(dt.date(1991, 7, 3), "female")
EMPLOYMENT_HEAD = ("registration_id,id_number,division_code,employment_type,employer_uscc,"
                   "employer_name,start_date,end_date,registered_on,person_category,"
                   "formal_transfer,valid")


def _write(folder, **files: list[str]):
    folder.mkdir(exist_ok=True)
    for name, lines in files.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _employment(number: str, start: str, end: str = "", division: str = COMMUNITY) -> str:
    return f"{number},{PERSON},{division},flexible,,,{start},{end},{start},new_entrant,0,1"


def _data_set(folder, *rows: str, spells: tuple[str, ...] = ()):
    files = {"persons": ["id_number,name,hukou,phone", f"{PERSON},娜仁,urban,"],
             "employment_registrations": [EMPLOYMENT_HEAD, *rows]}
    if spells:
        files["transfer_spells"] = [
            "id_number,kind,start_date,end_date,destination,industry,stable_workplace,"
            "stable_income", *spells]
    return _write(folder, **files)


def _import(folder):
    result = import_dataset(db.session.connection(), folder)
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_insert_into_a_locked_county_is_refused_with_file_line_and_period(tmp_path, make,
                                                                            lock):
    lock(BANNER)
    folder = _data_set(tmp_path / "set", _employment("JY1", "2026-04-01"),
                       _employment("JY2", "2026-03-31"), _employment("JY3", "2026-01-02"))
    result = _import(folder)

    assert not result.ok
    assert [(e.file, e.line, e.column, e.value) for e in result.errors] == [
        ("employment_registrations.csv", 3, "registration_id", "JY2"),
        ("employment_registrations.csv", 4, "registration_id", "JY3")]
    reason = result.errors[0].reason
    assert "乌兰浩特市 2026年第1季度" in reason and "2026-03-31" in reason
    assert " / " in reason  # both languages (core.i18n.both)
    assert _count(Person) == 0 and _count(EmploymentRegistration) == 0


@pytest.mark.parametrize("where", ["day after", "other county", "released"])
def test_an_insert_beside_the_lock_is_imported(tmp_path, make, lock, release, where):
    if where == "released":
        release(lock(BANNER))
    else:
        lock(BANNER if where == "day after" else OTHER_BANNER)
    start = "2026-04-01" if where == "day after" else "2026-03-31"
    result = _import(_data_set(tmp_path / "set", _employment("JY1", start)))
    assert result.ok, result.errors
    assert _count(EmploymentRegistration) == 1


@pytest.fixture
def stored(tmp_path, make):
    """A registration of 2026-02-01 at 第一社区, imported before any lock."""
    assert _import(_data_set(tmp_path / "first", _employment("JY1", "2026-02-01"))).ok


@pytest.mark.parametrize(("row", "refused", "after"), [
    pytest.param(_employment("JY1", "2026-02-01", "2026-03-31"), True, None, id="end-inside"),
    pytest.param(_employment("JY1", "2026-02-01", "2026-04-01"), False,
                 (dt.date(2026, 4, 1), COMMUNITY, True), id="end-after"),
    pytest.param(_employment("JY1", "2026-02-01").replace(",0,1", ",0,0"), True, None,
                 id="invalidated"),
    pytest.param(_employment("JY1", "2026-02-01", division=OTHER_VILLAGE), True, None,
                 id="moved-out-of-the-locked-county"),
    pytest.param(_employment("JY1", "2026-02-01"), False, (None, COMMUNITY, True),
                 id="unchanged"),
])
def test_an_update_is_refused_when_it_changes_the_locked_period(tmp_path, stored, lock, row,
                                                                 refused, after):
    lock(STREET)
    result = _import(_data_set(tmp_path / "second", row))
    assert result.ok is not refused, result.errors
    if refused:
        assert [(e.file, e.line) for e in result.errors] == [("employment_registrations.csv", 2)]
        assert "都林街道 2026年第1季度" in result.errors[0].reason
    db.session.expire_all()
    found = db.session.scalars(select(EmploymentRegistration)).one()
    assert (found.end_date, found.division_code, found.valid) == (
        after or (None, COMMUNITY, True))


def test_a_spell_of_a_person_in_a_locked_village_is_refused(tmp_path, make, lock):
    person = make.person(id_number=PERSON)
    make.member(person, make.household(VILLAGE))
    db.session.commit()
    lock(VILLAGE)
    spell = f"{PERSON},non_agri,{{}},,in_region,E,1,1"
    result = _import(_data_set(tmp_path / "set", spells=(spell.format("2026-03-01"),
                                                          spell.format("2026-04-01"))))
    assert [(e.file, e.line) for e in result.errors] == [("transfer_spells.csv", 2)]
    assert "葛根庙嘎查 2026年第1季度" in result.errors[0].reason
    assert _count(TransferSpell) == 0


def test_the_command_line_exits_1_naming_every_locked_row_and_writes_nothing(tmp_path, runner,
                                                                            make, lock):
    lock(BANNER)
    folder = _data_set(tmp_path / "set", _employment("JY1", "2026-03-01"),
                       _employment("JY2", "2026-05-01"))
    result = runner.invoke(args=["import-data", str(folder)])
    assert result.exit_code == 1
    assert "employment_registrations.csv:2 [registration_id] 'JY1'" in result.output
    assert "乌兰浩特市 2026年第1季度" in result.output and "未导入任何数据" in result.output
    as_json = runner.invoke(args=["import-data", str(folder), "--json"])
    assert as_json.exit_code == 1
    assert [(e["file"], e["line"]) for e in json.loads(as_json.stdout)] == [
        ("employment_registrations.csv", 2)]
    assert _count(Person) == 0


def test_the_desk_attrition_upload_is_refused_in_a_locked_village(client, make, statistician,
                                                                   lock):
    make.person(id_number=PERSON)
    db.session.commit()
    lock(COMMUNITY)
    upload = f"id_number,division_code,occurred_on,reason\n{PERSON},{COMMUNITY},2026-03-01,death\n"
    response = client.post("/desk/attrition/import", data={
        "files": [(io.BytesIO(upload.encode()), "natural_attrition.csv")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert "natural_attrition.csv" in shown and "第一社区 2026年第1季度" in shown
    assert _count(NaturalAttrition) == 0


def test_moving_a_household_with_a_spell_of_the_locked_period_is_refused(tmp_path, make, lock):
    person = make.person(id_number=PERSON)
    household = make.household(VILLAGE)
    make.member(person, household)
    make.spell(person, dt.date(2026, 2, 1))
    quiet = make.household(VILLAGE)  # no member with anything in the period
    db.session.commit()
    lock(VILLAGE)
    head = "household_code,village_code,address,longitude,latitude"
    moved = _write(tmp_path / "set", households=[
        head, f"{household.code},152201100202,迁址,,", f"{quiet.code},152201100202,迁址,,"])
    make.division("152201100202", "另一嘎查", "152201100000")
    db.session.commit()
    result = _import(moved)
    assert [(e.file, e.line, e.value) for e in result.errors] == [
        ("households.csv", 2, household.code)]
    assert "葛根庙嘎查 2026年第1季度" in result.errors[0].reason
