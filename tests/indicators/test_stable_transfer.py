"""Rule 11 (stable_transfer_180d): at least 180 distinct days of the period covered by
spells with a stable workplace and a stable income, each day once, both ends counted."""
from __future__ import annotations

import pytest

from tests.indicators.support import BANNER, A, B, ONE_DAY, d, days

STABLE = {"stable_workplace": True, "stable_income": True}


def stable(indicators, a=A, b=B):
    values = indicators(BANNER, a, b)
    return values["rural_transfer"], values["stable_transfer_180d"]


def covering(first_day, day_count):
    """(start, end) of a spell covering ``day_count`` days from ``first_day``, both ends
    included."""
    return first_day, first_day + days(day_count - 1)


@pytest.mark.parametrize(("day_count", "expected"), [(179, 0), (180, 1), (181, 1)])
def test_one_stable_spell_counts_from_180_days_with_both_ends_included(make, indicators,
                                                                        day_count, expected):
    make.spell(make.rural_person(), *covering(d("2024-03-01"), day_count), **STABLE)
    assert stable(indicators) == (1, expected)


def test_180_days_from_1_january_2024_end_on_28_june(make, indicators):
    make.spell(make.rural_person(), d("2024-01-01"), d("2024-06-28"), **STABLE)
    assert stable(indicators) == (1, 1)


@pytest.mark.parametrize(("stable_workplace", "stable_income", "expected"), [
    (True, True, 1),
    (True, False, 0),
    (False, True, 0),
    (False, False, 0),
])
def test_only_spells_with_both_a_stable_workplace_and_a_stable_income_count(
        make, indicators, stable_workplace, stable_income, expected):
    make.spell(make.rural_person(), d("2024-01-01"), None, stable_workplace=stable_workplace,
               stable_income=stable_income)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize("kind", ["non_agri", "primary_after_land_transfer"])
def test_stable_spells_of_either_kind_count(make, indicators, kind):
    make.spell(make.rural_person(), d("2024-01-01"), None, kind=kind, **STABLE)
    assert stable(indicators) == (1, 1)


@pytest.mark.parametrize(("end", "expected"), [
    pytest.param(d("2024-06-27"), 0, id="179-days-in-the-period"),
    pytest.param(d("2024-06-28"), 1, id="180-days-in-the-period"),
])
def test_only_days_from_the_period_start_count(make, indicators, end, expected):
    make.spell(make.rural_person(), d("2023-03-01"), end, **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("start", "expected"), [
    pytest.param(B - days(178), 0, id="179-days-to-the-period-end"),
    pytest.param(B - days(179), 1, id="180-days-to-the-period-end"),
])
def test_an_ongoing_spell_counts_the_days_up_to_the_period_end(make, indicators, start,
                                                               expected):
    make.spell(make.rural_person(), start, None, **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("b", "expected"), [
    pytest.param(d("2024-08-27"), 1, id="180-day-period"),
    pytest.param(d("2024-08-26"), 0, id="179-day-period"),
])
def test_days_after_the_period_end_do_not_count(make, indicators, b, expected):
    make.spell(make.rural_person(), d("2020-01-01"), d("2025-12-31"), **STABLE)
    assert stable(indicators, a=d("2024-03-01"), b=b) == (1, expected)


@pytest.mark.parametrize(("second_start", "expected"), [
    pytest.param(d("2024-01-01") + days(80), 1, id="union-of-180-days"),
    pytest.param(d("2024-01-01") + days(79), 0, id="union-of-179-days"),
])
def test_overlapping_spells_count_each_day_once(make, indicators, second_start, expected):
    person = make.rural_person()
    make.spell(person, *covering(d("2024-01-01"), 100), **STABLE)
    make.spell(person, *covering(second_start, 100), kind="primary_after_land_transfer",
               **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("outer_days", "expected"), [(179, 0), (180, 1)])
def test_a_spell_inside_another_adds_no_days(make, indicators, outer_days, expected):
    person = make.rural_person()
    make.spell(person, *covering(d("2024-02-01"), outer_days), **STABLE)
    make.spell(person, *covering(d("2024-03-01"), 30), kind="primary_after_land_transfer",
               **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("long_days", "expected"), [(179, 0), (180, 1)])
def test_spells_starting_the_same_day_count_each_day_once(make, indicators, long_days,
                                                          expected):
    person = make.rural_person()
    make.spell(person, *covering(d("2024-02-01"), long_days), **STABLE)
    make.spell(person, *covering(d("2024-02-01"), 10), kind="primary_after_land_transfer",
               **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("last_end", "expected"), [
    pytest.param(d("2024-01-01") + days(179), 1, id="180-days"),
    pytest.param(d("2024-01-01") + days(178), 0, id="179-days"),
])
def test_a_short_spell_between_longer_ones_does_not_hide_their_overlap(make, indicators,
                                                                       last_end, expected):
    # [0, 150], [10, 20] and [140, last]: the short one must not reset the running end.
    person = make.rural_person()
    first = d("2024-01-01")
    make.spell(person, first, first + days(150), **STABLE)
    make.spell(person, first + days(10), first + days(20), kind="primary_after_land_transfer",
               **STABLE)
    make.spell(person, first + days(140), last_end, **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("second_days", "expected"), [(90, 1), (89, 0)])
def test_adjacent_spells_add_up_with_both_ends_of_each_counted(make, indicators,
                                                               second_days, expected):
    person = make.rural_person()
    make.spell(person, *covering(d("2024-01-01"), 90), **STABLE)
    make.spell(person, *covering(d("2024-01-01") + days(90), second_days), **STABLE)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("gap_spell_stable", "expected"), [(True, 1), (False, 0)])
def test_days_of_an_unstable_spell_do_not_count(make, indicators, gap_spell_stable,
                                                expected):
    person = make.rural_person()
    make.spell(person, *covering(d("2024-01-01"), 100), **STABLE)
    make.spell(person, *covering(d("2024-01-01") + days(100), 80),
               stable_workplace=gap_spell_stable, stable_income=gap_spell_stable)
    assert stable(indicators) == (1, expected)


@pytest.mark.parametrize(("person_fields", "expected"), [
    pytest.param({}, (1, 1), id="counted-in-rule-9"),
    pytest.param({"labour_capacity": "none"}, (0, 0), id="unable-to-work"),
    pytest.param({"birth": d("1964-06-01")}, (0, 0), id="60-at-period-end"),
])
def test_stable_transfer_counts_only_persons_counted_in_rural_transfer(
        make, indicators, person_fields, expected):
    make.spell(make.rural_person(**person_fields), d("2024-01-01"), None, **STABLE)
    assert stable(indicators) == expected


@pytest.mark.parametrize(("end", "expected"), [
    pytest.param(A - ONE_DAY, (1, 0), id="stable-spell-before-the-period"),
    pytest.param(B, (1, 1), id="stable-spell-in-the-period"),
])
def test_stable_days_outside_the_period_do_not_count(make, indicators, end, expected):
    person = make.rural_person()
    make.spell(person, d("2023-01-01"), end, **STABLE)
    make.spell(person, d("2024-06-01"), d("2024-06-01"), kind="primary_after_land_transfer")
    assert stable(indicators) == expected
