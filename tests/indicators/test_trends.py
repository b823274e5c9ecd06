"""Trends (issue 14): every period of a run equals the engine run for that period alone, on
hand-made records and on the shared example data set, and 同比 / 环比 compare the right
periods."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from field_app.extensions import db
from field_app.indicators import Policy, compute_indicators
from field_app.indicators.policy import APPROVED, REFORM_2025, RetirementReform
from field_app.indicators.trends import (
    Change,
    change,
    compute_series,
    compute_trend,
    consecutive_periods,
)
from tests.indicators.support import BANNER, GACHA, LEAGUE, STREET, d

REFORM = Policy(name=REFORM_2025, reform=RetirementReform())


def _series(division, spans, policy=None):
    return compute_series(db.session.connection(), division, spans, policy)


def _engine(division, a, b, policy=None):
    return compute_indicators(db.session.connection(), division, a, b, policy)


def _assert_each_period_is_the_engine(division, spans, policy=None):
    series = _series(division, spans, policy)
    assert len(series) == len(spans)
    for (a, b), values in zip(spans, series):
        assert values == _engine(division, a, b, policy), (division, a, b)
    return series


# --- periods -----------------------------------------------------------------------------

def test_consecutive_months_end_with_the_month_holding_the_end():
    months = consecutive_periods("month", 3, d("2026-02-14"))
    assert months == [(d("2025-12-01"), d("2025-12-31")), (d("2026-01-01"), d("2026-01-31")),
                      (d("2026-02-01"), d("2026-02-28"))]


def test_consecutive_quarters_cross_the_year():
    quarters = consecutive_periods("quarter", 3, d("2026-05-31"))
    assert quarters == [(d("2025-10-01"), d("2025-12-31")), (d("2026-01-01"), d("2026-03-31")),
                        (d("2026-04-01"), d("2026-06-30"))]


@pytest.mark.parametrize("kind, count", [("year", 3), ("month", 0), ("quarter", 100)])
def test_an_unknown_kind_or_a_count_out_of_range_is_refused(kind, count):
    with pytest.raises(ValueError):
        consecutive_periods(kind, count, d("2026-01-31"))


def test_change_in_percent_and_in_points():
    assert change(12, 10) == Change(2, Decimal("20.0"))
    assert change(5, 0) == Change(5, None)
    assert change(None, 3) is None and change(3, None) is None
    assert change(Decimal("2.50"), Decimal("2.00"), points=True) == Change(Decimal("0.50"), None)
    assert change(1, 3).percent == Decimal("-66.7")


# --- hand-made records -------------------------------------------------------------------

def _records(make):
    """Records spread over 2023 and 2024 that fall in different months and quarters."""
    worker = make.person()
    make.employment(worker, d("2024-02-10"), division=STREET)
    make.employment(make.person(), d("2024-02-20"), division=GACHA,
                    category="unemployed_reemployed")
    make.employment(make.person(), d("2023-02-05"), division=GACHA)
    make.attrition(make.person(), d("2024-03-01"))
    make.unemployment(make.person(), d("2023-11-01"), cancelled_on=d("2024-04-15"))
    make.unemployment(make.person(dt.date(1964, 6, 15)), d("2023-01-01"))  # turns 60 mid-2024
    make.employed_total(BANNER, d("2024-03-31"), 1000)
    spread = make.rural_person(village=GACHA)
    make.spell(spread, d("2023-12-20"), d("2024-02-10"))
    make.spell(spread, d("2024-02-01"), d("2024-05-01"))  # overlaps the first: counted once
    make.spell(make.rural_person(dt.date(2008, 4, 10), village=GACHA), d("2024-01-01"))
    stable = make.rural_person(dt.date(1975, 1, 1), village=GACHA)
    make.spell(stable, d("2023-06-01"), d("2024-06-30"), stable_workplace=True,
               stable_income=True)
    make.training(make.rural_person(village=GACHA), d("2024-03-20"))


@pytest.mark.parametrize("kind", ["month", "quarter"])
@pytest.mark.parametrize("division", [LEAGUE, BANNER, STREET, GACHA])
def test_every_period_equals_the_engine_for_that_period(make, kind, division):
    _records(make)
    series = _assert_each_period_is_the_engine(
        division, consecutive_periods(kind, 24 if kind == "month" else 8, d("2024-12-31")))
    if division == LEAGUE:
        assert any(values["rural_transfer"] for values in series)
        assert any(values["registered_unemployed"] for values in series)


def test_a_person_turning_sixteen_joins_the_transfer_in_that_month(make):
    _records(make)
    series = _series(LEAGUE, consecutive_periods("month", 3, d("2024-05-31")))
    # March: the spread and the stable worker; from April (16 on 10 April) the young one too.
    assert [values["rural_transfer"] for values in series] == [2, 3, 3]


def test_long_periods_count_stable_transfer_as_the_engine(make):
    _records(make)
    spans = [(d("2023-01-01"), d("2023-12-31")), (d("2024-01-01"), d("2024-06-30")),
             (d("2023-07-01"), d("2024-06-30")), (d("2024-01-01"), d("2024-03-31"))]
    series = _assert_each_period_is_the_engine(LEAGUE, spans)
    assert series[1]["stable_transfer_180d"] == 1
    assert series[3]["stable_transfer_180d"] == 0


@pytest.mark.parametrize("policy", [None, REFORM], ids=["notice", "reform"])
def test_birthdays_on_29_february_and_ages_at_the_bounds(make, policy):
    """Persons turning 16, 50 or 60 on 29 February of a leap or a common year, and one whom
    the reform keeps at work, each with a spell over the whole run."""
    for birth, sex in ((dt.date(2008, 2, 29), "male"), (dt.date(2008, 3, 1), "female"),
                       (dt.date(1964, 2, 29), "male"), (dt.date(1972, 2, 29), "female"),
                       (dt.date(1974, 2, 28), "female"), (dt.date(1965, 3, 31), "male"),
                       (dt.date(1975, 6, 30), "female")):
        make.spell(make.rural_person(birth, sex, village=GACHA), d("2020-01-01"))
    series = _assert_each_period_is_the_engine(
        LEAGUE, consecutive_periods("month", 48, d("2025-12-31")), policy)
    assert len({values["rural_transfer"] for values in series}) > 1
    _assert_each_period_is_the_engine(
        LEAGUE, consecutive_periods("quarter", 20, d("2026-12-31")), policy)


@pytest.mark.parametrize("policy", [REFORM, Policy(survey_basis=APPROVED)],
                         ids=["reform", "approved"])
def test_other_policies_give_the_engine_too(make, policy):
    _records(make)
    make.unemployment(make.person(dt.date(1965, 2, 1)), d("2024-10-01"))  # the reform keeps him
    _assert_each_period_is_the_engine(LEAGUE, consecutive_periods("quarter", 12, d("2025-12-31")),
                                      policy)


def test_the_trend_compares_with_a_year_earlier_and_the_period_before(make):
    for day in ("2023-03-10", "2023-03-11", "2024-02-10", "2024-03-05", "2024-03-06",
                "2024-03-07"):
        make.employment(make.person(), d(day), division=STREET)
    trend = compute_trend(db.session.connection(), BANNER, kind="month", count=2,
                          end=d("2024-03-15"))
    assert trend.spans == ((d("2024-02-01"), d("2024-02-29")), (d("2024-03-01"), d("2024-03-31")))
    assert trend.values["new_employment_gross"] == [1, 3]
    assert trend.year_earlier["new_employment_gross"] == [0, 2]
    assert trend.previous["new_employment_gross"] == [0, 1]
    assert trend.yoy("new_employment_gross") == [Change(1, None), Change(1, Decimal("50.0"))]
    assert trend.mom("new_employment_gross") == [Change(1, None), Change(2, Decimal("200.0"))]
    # No employed total: no rate, and no change of it.
    assert trend.values["registered_unemployment_rate"] == [None, None]
    assert trend.yoy("registered_unemployment_rate") == [None, None]


def test_the_rate_changes_in_points(make):
    make.employed_total(BANNER, d("2023-12-31"), 990)
    make.employed_total(BANNER, d("2024-03-31"), 980)
    make.unemployment(make.person(), d("2023-06-01"), division=STREET)
    make.unemployment(make.person(), d("2024-02-01"), division=STREET)
    trend = compute_trend(db.session.connection(), BANNER, kind="quarter", count=2,
                          end=d("2024-03-31"))
    assert trend.values["registered_unemployment_rate"] == [Decimal("0.10"), Decimal("0.20")]
    assert trend.mom("registered_unemployment_rate")[1] == Change(Decimal("0.10"), None)


def test_a_reversed_period_or_no_period_is_handled(make):
    assert _series(LEAGUE, []) == []
    with pytest.raises(ValueError):
        _series(LEAGUE, [(d("2024-02-01"), d("2024-01-01"))])


def test_on_sqlite_the_connection_gets_its_mapping_setting_back(make):
    """The series maps SQLite's file in memory while it counts, and gives the connection
    its own setting back after."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("a setting of SQLite's connections")
    connection.exec_driver_sql("PRAGMA mmap_size = 4096")
    _records(make)
    _assert_each_period_is_the_engine(LEAGUE, consecutive_periods("quarter", 4, d("2024-12-31")))
    assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == 4096


# --- the example data set ----------------------------------------------------------------

# The fixtures ``small`` and ``small_ctx`` (hinggan-small, loaded once per module) are in
# tests/indicators/conftest.py.


@pytest.mark.parametrize("kind, count", [("month", 24), ("quarter", 12)])
@pytest.mark.parametrize("division", [LEAGUE, "152201000000", "152222002000"])
def test_on_the_examples_every_period_equals_the_engine(small_ctx, kind, count, division):
    series = _assert_each_period_is_the_engine(
        division, consecutive_periods(kind, count, d("2026-12-31")))
    if division == LEAGUE:
        for key in ("new_employment_gross", "rural_transfer", "registered_unemployed"):
            assert any(values[key] for values in series), key


def test_on_the_examples_long_periods_and_other_policies(small_ctx):
    spans = [(d("2025-01-01"), d("2025-12-31")), (d("2026-01-01"), d("2026-12-31")),
             (d("2025-07-01"), d("2026-06-30"))]
    series = _assert_each_period_is_the_engine(LEAGUE, spans)
    assert any(values["stable_transfer_180d"] for values in series)
    for policy in (REFORM, Policy(survey_basis=APPROVED)):
        _assert_each_period_is_the_engine(LEAGUE, spans, policy)
        _assert_each_period_is_the_engine(
            LEAGUE, consecutive_periods("quarter", 8, d("2026-12-31")), policy)
