"""The interchange files and spreadsheet safety: exported cells never start a formula, yet a
data set exported, imported and exported again is byte-identical; the importer refuses
control, bidi and zero-width characters with the place of the character."""
from __future__ import annotations

import csv
import json

from sqlalchemy import select, update

from field_app.exchange.exporter import export_dataset
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Household, Person
from field_app.registrations.models import EmploymentRegistration
from tests.conftest import empty_database

# Stored values a spreadsheet would run, or that look as if the export had quoted them.
NAMES = ['=HYPERLINK("http://evil.example","点")', "+1", "-巴特尔", "@SUM(1)",
         "'=已带引号", "''+两个引号", "'普通引号"]


def _load(directory):
    result = import_dataset(db.session.connection(), directory)
    assert result.ok, result.errors[:5]
    db.session.commit()


def _export(directory):
    export_dataset(db.session.connection(), directory)
    db.session.rollback()


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _plant(session) -> list[str]:
    """Give the first persons the names above, and a household, an employer and a phone
    values that start with formula characters; returns the persons' ID numbers."""
    numbers = session.scalars(select(Person.id_number).order_by(Person.id_number)
                              .limit(len(NAMES))).all()
    for number, name in zip(numbers, NAMES):
        session.execute(update(Person).where(Person.id_number == number).values(name=name))
    session.execute(update(Person).where(Person.id_number == numbers[0])
                    .values(phone="+86 138 0000 0000"))
    first_household = session.scalar(select(Household.id).order_by(Household.code).limit(1))
    session.execute(update(Household).where(Household.id == first_household)
                    .values(address="-1组=2号"))
    first_unit = session.scalar(select(EmploymentRegistration.id).where(
        EmploymentRegistration.employer_name.is_not(None)).order_by(
        EmploymentRegistration.registration_no).limit(1))
    session.execute(update(EmploymentRegistration).where(EmploymentRegistration.id == first_unit)
                    .values(employer_name="@某单位"))
    session.commit()
    return numbers


def test_exported_cells_are_neutralised_and_the_round_trip_is_byte_identical(
        app_ctx, small_dir, tmp_path):
    _load(small_dir)
    numbers = _plant(db.session)
    _export(tmp_path / "first")

    persons = {row["id_number"]: row for row in _rows(tmp_path / "first" / "persons.csv")}
    assert [persons[n]["name"] for n in numbers] == [
        "'" + NAMES[0], "'+1", "'-巴特尔", "'@SUM(1)", "''=已带引号", "'''+两个引号", "'普通引号"]
    assert persons[numbers[0]]["phone"] == "'+86 138 0000 0000"
    assert "'-1组=2号" in [r["address"] for r in _rows(tmp_path / "first" / "households.csv")]
    assert "'@某单位" in [r["employer_name"] for r in
                         _rows(tmp_path / "first" / "employment_registrations.csv")]
    for path in (tmp_path / "first").iterdir():
        for row in _rows(path):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values()), row

    empty_database()
    _load(tmp_path / "first")
    stored = dict(db.session.execute(select(Person.id_number, Person.name)
                                     .where(Person.id_number.in_(numbers))).all())
    assert [stored[n] for n in numbers] == NAMES
    assert db.session.scalar(select(Person.phone).where(Person.id_number == numbers[0])) \
        == "+86 138 0000 0000"
    _export(tmp_path / "second")
    for first in sorted((tmp_path / "first").iterdir()):
        assert first.read_bytes() == (tmp_path / "second" / first.name).read_bytes(), first.name


def test_a_stored_control_character_is_stripped_on_export_and_does_not_stop_the_round_trip(
        app_ctx, small_dir, tmp_path):
    _load(small_dir)
    number = db.session.scalar(select(Person.id_number).order_by(Person.id_number).limit(1))
    db.session.execute(update(Person).where(Person.id_number == number)
                       .values(name="巴\x0b特\u202e尔\x01"))
    db.session.commit()
    _export(tmp_path / "first")
    persons = {row["id_number"]: row for row in _rows(tmp_path / "first" / "persons.csv")}
    assert persons[number]["name"] == "巴特尔"
    empty_database()
    _load(tmp_path / "first")
    _export(tmp_path / "second")
    assert (tmp_path / "first" / "persons.csv").read_bytes() == \
        (tmp_path / "second" / "persons.csv").read_bytes()


def _set_cell(path, line: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_import_data_refuses_a_zero_width_character_and_says_where(app, runner, dataset):
    _set_cell(dataset / "persons.csv", 2, "name", "李\u200b巴")
    _set_cell(dataset / "households.csv", 3, "address", "第2号\u202e")
    result = runner.invoke(args=["import-data", str(dataset), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)
    # The rows refused, the records referring to them are reported as dangling too.
    assert {(e["file"], e["line"], e["column"], e["reason"]) for e in errors
            if e["file"] in ("persons.csv", "households.csv")} == {
        ("persons.csv", 2, "name", "含有不允许的字符（U+200B，第2个字符） / "
                                   "contains a character that is not allowed (U+200B, character 2)"),
        ("households.csv", 3, "address", "含有不允许的字符（U+202E，第4个字符） / "
                                         "contains a character that is not allowed "
                                         "(U+202E, character 4)"),
    }
    with app.app_context():
        assert db.session.scalar(select(Person.id)) is None


def test_a_value_quoted_by_hand_before_a_formula_character_is_imported_without_the_quote(
        app_ctx, dataset):
    _set_cell(dataset / "persons.csv", 2, "name", "'=李巴")
    _set_cell(dataset / "persons.csv", 3, "name", "'包敖雅建")
    _load(dataset)
    names = db.session.scalars(select(Person.name).where(
        Person.name.in_(["=李巴", "'包敖雅建"]))).all()
    assert sorted(names) == ["'包敖雅建", "=李巴"]
