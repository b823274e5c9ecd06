"""One head (户主) per household in an import: a data set that would give a household two
heads, by its own rows or with the heads already stored, is refused with file and line."""
from __future__ import annotations

import csv
import shutil

import pytest
from sqlalchemy import func, select

from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import HouseholdMember

# Each test runs with both of the importer's ways of writing (``both_import_paths``).
pytestmark = pytest.mark.usefixtures("both_import_paths")


def _import(directory):
    result = import_dataset(db.session.connection(), directory)
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def _rows(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _write(path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _a_household_with_a_spouse(rows) -> tuple[int, int]:
    """Line numbers (header = 1) of the head and the spouse of one household."""
    for i, row in enumerate(rows[1:], start=2):
        if row[2] == "spouse":
            head = next(j for j, other in enumerate(rows[1:], start=2)
                        if other[0] == row[0] and other[2] == "head")
            return head, i
    raise AssertionError("no household with a spouse")


def test_a_household_with_two_heads_in_the_data_set_is_refused_at_both_rows(app_ctx, dataset):
    path = dataset / "household_members.csv"
    rows = _rows(path)
    head, spouse = _a_household_with_a_spouse(rows)
    rows[spouse - 1][2] = "head"
    _write(path, rows)

    result = _import(dataset)
    assert not result.ok
    faults = [e for e in result.errors if e.file == "household_members.csv"]
    assert sorted((e.line, e.column, e.value) for e in faults) == [
        (head, "relation", "head"), (spouse, "relation", "head")]
    assert faults[0].reason.startswith("每户只能有一名户主，该户有2名 / ")
    assert db.session.scalar(select(func.count()).select_from(HouseholdMember)) == 0


def test_a_second_head_next_to_a_stored_one_is_refused_and_a_swap_passes(
        app_ctx, dataset, tmp_path):
    assert _import(dataset).ok
    rows = _rows(dataset / "household_members.csv")
    head, spouse = _a_household_with_a_spouse(rows)
    later = tmp_path / "later"
    later.mkdir()
    shutil.copy(dataset / "persons.csv", later)
    promoted = list(rows[spouse - 1])
    promoted[2] = "head"
    _write(later / "household_members.csv", [rows[0], promoted])

    result = _import(later)
    assert [(e.file, e.line, e.column) for e in result.errors] == [
        ("household_members.csv", 2, "relation")]

    # The stored head becomes a spouse in the same data set: one head again.
    demoted = list(rows[head - 1])
    demoted[2] = "spouse"
    _write(later / "household_members.csv", [rows[0], promoted, demoted])
    assert _import(later).ok


def test_a_household_without_a_head_is_still_accepted(app_ctx, small_dir):
    # hinggan-small, the valid example, has a household of 18 members and no head.
    rows = _rows(small_dir / "household_members.csv")
    codes = {row[0] for row in rows[1:]}
    headed = {row[0] for row in rows[1:] if row[2] == "head"}
    assert codes - headed
    assert _import(small_dir).ok
