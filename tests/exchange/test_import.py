"""Importing data sets: all or nothing, idempotent, every fault reported."""
from __future__ import annotations

import csv
import json
import shutil

import pytest
from sqlalchemy import func, select

from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.models import Division, EmploymentRegistration
from tests.exchange.csv_files import rewrite
from tests.paths import EXAMPLES

# Each test runs with both of the importer's ways of writing (``both_import_paths``).
pytestmark = pytest.mark.usefixtures("both_import_paths")


def _with_check(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


def _import(directory):
    result = import_dataset(db.session.connection(), directory)
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables}


def test_small_example_imports_with_counts_per_file(app_ctx, small_dir):
    result = _import(small_dir)
    assert result.ok
    assert result.counts["persons.csv"].inserted == 980
    assert result.counts["divisions.csv"].inserted == 76
    assert result.counts["employment_registrations.csv"].inserted == 356
    assert _row_counts()["household_members"] == 594


def test_new_persons_are_stored_in_id_number_order_on_postgresql(app_ctx, small_dir):
    """PostgreSQL takes a unique index's keys fastest in ascending order
    (``Target.postgresql_order``); SQLite keeps the file's order. Either way every
    person of the file is stored once, with its own data."""
    assert _import(small_dir).ok
    stored = db.session.execute(select(Person.id_number, Person.name).order_by(Person.id)).all()
    with open(small_dir / "persons.csv", encoding="utf-8-sig", newline="") as file:
        in_file = [(row["id_number"], row["name"]) for row in csv.DictReader(file)]
    assert in_file != sorted(in_file)  # the example lists them in no particular order
    if db.engine.dialect.name == "postgresql":
        assert stored == sorted(in_file)
    else:
        assert stored == in_file


def test_second_import_of_same_data_set_changes_nothing(app_ctx, small_dir):
    _import(small_dir)
    before = _row_counts()
    stamps = db.session.execute(select(Person.id, Person.updated_at)).all()
    result = _import(small_dir)
    assert result.ok
    assert all(c.inserted == 0 and c.updated == 0 for c in result.counts.values())
    assert _row_counts() == before
    assert db.session.execute(select(Person.id, Person.updated_at)).all() == stamps


def test_bad_example_is_refused_whole_with_every_planted_fault(app_ctx, bad_dir):
    result = _import(bad_dir)
    assert not result.ok
    reported = {(e.file, e.line) for e in result.errors}
    expected = json.loads((bad_dir / "expected_errors.json").read_text())
    assert {(e["file"], e["line"]) for e in expected} <= reported
    assert all(count == 0 for count in _row_counts().values())


def test_bad_example_leaves_an_existing_database_unchanged(app_ctx, small_dir, bad_dir):
    _import(small_dir)
    before = _row_counts()
    names = dict(db.session.execute(select(Person.id_number, Person.name)).all())
    assert not _import(bad_dir).ok
    assert _row_counts() == before
    assert dict(db.session.execute(select(Person.id_number, Person.name)).all()) == names


def test_changed_row_updates_the_record_with_the_same_natural_key(app_ctx, dataset):
    _import(dataset)
    rewrite(dataset / "persons.csv", lambda rows: rows[1].__setitem__(1, "新名字"))
    result = _import(dataset)
    assert result.counts["persons.csv"].updated == 1
    assert result.counts["persons.csv"].inserted == 0
    number = (dataset / "persons.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert db.session.scalar(select(Person.name).where(Person.id_number == number)) == "新名字"


def test_later_member_row_moves_the_person_to_another_household(app_ctx, dataset):
    def move(rows):
        header = rows[0]
        first = rows[1]
        other = next(r for r in rows[2:] if r[0] != first[0])
        rows.append([other[0], first[1], "other", "partial"])
        assert header[:2] == ["household_code", "id_number"]

    rewrite(dataset / "household_members.csv", move)
    assert _import(dataset).ok
    rows = list(csv.reader((dataset / "household_members.csv").read_text(encoding="utf-8").splitlines()))
    moved = rows[-1]
    household = db.session.scalar(
        select(Household.code).join(HouseholdMember).join(Person)
        .where(Person.id_number == moved[1]))
    assert household == moved[0]
    assert db.session.scalar(select(func.count()).select_from(HouseholdMember)
                             .join(Person).where(Person.id_number == moved[1])) == 1


def test_sex_and_birth_date_come_from_the_id_number(app_ctx, small_dir):
    _import(small_dir)
    person = db.session.scalar(select(Person).where(Person.id_number == "152201196711123488"))
    assert person.birth_date.isoformat() == "1967-11-12"
    assert person.sex == "female"


def test_household_location_is_a_wgs84_point(app_ctx, small_dir):
    _import(small_dir)
    lon, lat, srid = db.session.execute(
        select(func.ST_X(Household.location), func.ST_Y(Household.location),
               func.ST_SRID(Household.location)).where(Household.code == "15220100200300001")
    ).one()
    assert (lon, lat, srid) == (pytest.approx(121.18533), pytest.approx(46.001107), 4326)


def test_division_levels_follow_the_code_structure(app_ctx, small_dir):
    _import(small_dir)
    levels = dict(db.session.execute(select(Division.code, Division.level)).all())
    assert levels["150000000000"] == 1
    assert levels["152200000000"] == 2
    assert levels["152201000000"] == 3
    assert levels["152201001000"] == 4
    assert levels["152201001001"] == 5


def test_references_may_point_at_records_already_in_the_database(app_ctx, dataset, tmp_path):
    assert _import(dataset).ok
    later = tmp_path / "later"
    later.mkdir()
    shutil.copy(dataset / "employment_registrations.csv", later)
    rewrite(later / "employment_registrations.csv",
             lambda rows: rows[1].__setitem__(0, "JY-LATER-1"))
    result = _import(later)
    assert result.ok
    assert result.counts["employment_registrations.csv"].inserted == 1
    assert db.session.scalar(select(func.count()).select_from(EmploymentRegistration)
                             .where(EmploymentRegistration.registration_no == "JY-LATER-1")) == 1


def test_bom_columns_in_any_order_and_alternative_booleans_are_accepted(app_ctx, dataset):
    def shuffle(rows):
        order = list(reversed(range(len(rows[0]))))
        rows[:] = [[row[i] for i in order] for row in rows]
        flag = rows[0].index("stable_income")
        for row in rows[1:]:
            row[flag] = {"1": "是", "0": "false"}[row[flag]]

    rewrite(dataset / "transfer_spells.csv", shuffle)
    path = dataset / "transfer_spells.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = _import(dataset)
    assert result.ok, result.errors[:3]
    assert result.counts["transfer_spells.csv"].inserted == 529


@pytest.mark.parametrize(
    ("filename", "column", "value", "reason_part"),
    [
        ("persons.csv", "id_number", "152201196711123489", "校验码"),
        ("persons.csv", "id_number", "15220119671112348", "18位"),
        ("persons.csv", "id_number", _with_check("15220121001112348"), "晚于今天"),
        ("persons.csv", "id_number", _with_check("15220119670230348"), "不存在"),
        ("persons.csv", "hukou", "city", "rural/urban"),
        ("persons.csv", "name", "", "必填"),
        ("households.csv", "latitude", "60.1", "纬度"),
        ("households.csv", "village_code", "152201001000", "嘎查村"),
        ("transfer_spells.csv", "industry", "Z", "行业门类"),
        ("transfer_spells.csv", "start_date", "2026/01/05", "YYYY-MM-DD"),
        ("trainings.csv", "completed", "yes", "1/0"),
        ("employment_registrations.csv", "division_code", "15220100100", "12位"),
        ("employment_registrations.csv", "division_code", "152201009009", "区划代码不存在"),
        ("employment_registrations.csv", "person_category", "student", "new_entrant"),
        ("employed_totals.csv", "deduction", "-3", "非负整数"),
        ("divisions.csv", "parent_code", "152202000000", "层级结构"),
    ],
)
def test_each_bad_value_is_reported_with_file_line_column_and_reason(
    app_ctx, dataset, filename, column, value, reason_part
):
    def plant(rows):
        index = rows[0].index(column)
        target = next(i for i, row in enumerate(rows) if i and row[index] and
                      (filename != "divisions.csv" or row[0].startswith("152201001")))
        rows[target][index] = value
        plant.line = target + 1

    rewrite(dataset / filename, plant)
    result = _import(dataset)
    assert not result.ok
    matching = [e for e in result.errors if (e.file, e.line, e.column) == (filename, plant.line, column)]
    assert matching, result.errors[:5]
    assert reason_part in matching[0].reason
    assert " / " in matching[0].reason  # Chinese and English
    assert matching[0].value == value
    assert all(count == 0 for count in _row_counts().values())


def test_unknown_and_missing_columns_are_reported_on_the_header_line(app_ctx, dataset):
    rewrite(dataset / "persons.csv", lambda rows: rows[0].__setitem__(1, "nmae"))
    errors = {(e.column, e.line) for e in _import(dataset).errors if e.file == "persons.csv"}
    assert ("nmae", 1) in errors
    assert ("name", 1) in errors


def test_employer_code_is_required_for_unit_but_not_for_flexible(app_ctx, dataset):
    def clear(rows):
        kind, code = rows[0].index("employment_type"), rows[0].index("employer_uscc")
        for row in rows[1:]:
            if row[kind] == "flexible":
                row[code] = ""
        unit = next(r for r in rows[1:] if r[kind] == "unit")
        unit[code] = ""
        clear.line = rows.index(unit) + 1

    rewrite(dataset / "employment_registrations.csv", clear)
    errors = _import(dataset).errors
    assert [(e.file, e.line, e.column) for e in errors] == [
        ("employment_registrations.csv", clear.line, "employer_uscc")]


def test_credit_code_issued_by_authority_y_is_accepted(app_ctx, dataset):
    from stdnum.cn import uscc

    body = "Y1152201MA0000001"
    code = body + uscc.calc_check_digit(body)

    def use(rows):
        kind, column = rows[0].index("employment_type"), rows[0].index("employer_uscc")
        next(r for r in rows[1:] if r[kind] == "unit")[column] = code

    rewrite(dataset / "employment_registrations.csv", use)
    assert _import(dataset).ok


def test_birth_place_code_newer_than_the_birth_year_is_accepted(app_ctx, tmp_path):
    from stdnum.cn import ric

    body = "15220219700101001"  # 阿尔山市 (152202) exists since 1996
    number = body + ric.calc_check_digit(body + "0")
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "persons.csv").write_text(f"id_number,name\n{number},王某\n", encoding="utf-8")
    result = _import(folder)
    assert result.ok
    assert db.session.scalar(select(Person.sex).where(Person.id_number == number)) == "male"


def test_unknown_file_in_the_data_set_is_an_error(app_ctx, dataset):
    (dataset / "person.csv").write_text("id_number,name\n", encoding="utf-8")
    errors = _import(dataset).errors
    assert [(e.file, e.line) for e in errors] == [("person.csv", 1)]


def test_missing_folder_is_an_error_not_an_empty_import(app_ctx, tmp_path):
    result = _import(tmp_path / "nowhere")
    assert not result.ok


def test_example_folder_exists():
    assert (EXAMPLES / "hinggan-small" / "persons.csv").is_file()
