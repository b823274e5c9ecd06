"""Rules 9 (rural_transfer) and 10 (new_generation_transfer)."""
from __future__ import annotations

import pytest

from tests.indicators.support import BANNER, GACHA, OTHER_VILLAGE, A, B, ONE_DAY, d

MID = d("2024-06-01")


def transfer(indicators, a=A, b=B):
    values = indicators(BANNER, a, b)
    return values["rural_transfer"], values["new_generation_transfer"]


@pytest.mark.parametrize(("labour_capacity", "expected"), [
    ("full", (1, 1)),
    ("partial", (1, 1)),
    ("none", (0, 0)),
])
def test_only_persons_able_to_work_are_counted(make, indicators, labour_capacity, expected):
    make.spell(make.rural_person(labour_capacity=labour_capacity), MID)
    assert transfer(indicators) == expected


@pytest.mark.parametrize(("village", "expected"), [(GACHA, (1, 1)), (OTHER_VILLAGE, (0, 0))])
def test_only_members_of_a_household_in_d_are_counted(make, indicators, village, expected):
    make.spell(make.rural_person(village=village), MID)
    assert transfer(indicators) == expected


@pytest.mark.parametrize(("household", "expected"), [(True, (1, 1)), (False, (0, 0))])
def test_a_person_outside_any_household_is_not_rural_labour(make, indicators, household,
                                                            expected):
    person = make.rural_person() if household else make.person()
    make.spell(person, MID)
    assert transfer(indicators) == expected


@pytest.mark.parametrize(("b", "expected"), [
    pytest.param(d("2024-05-31"), 1, id="59-at-period-end"),
    pytest.param(d("2024-06-01"), 0, id="60-at-period-end"),
])
def test_man_is_counted_by_his_age_at_the_period_end_not_its_start(make, indicators, b,
                                                                    expected):
    make.spell(make.rural_person(d("1964-06-01"), "male"), A)
    assert indicators(BANNER, A, b)["rural_transfer"] == expected


@pytest.mark.parametrize(("b", "expected"), [
    pytest.param(d("2024-05-31"), (0, 0), id="15-at-period-end"),
    pytest.param(d("2024-06-01"), (1, 1), id="16-at-period-end"),
])
def test_youth_is_counted_once_16_at_the_period_end(make, indicators, b, expected):
    make.spell(make.rural_person(d("2008-06-01"), "female"), A)
    assert transfer(indicators, b=b) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    pytest.param(B, None, 1, id="ongoing-starting-on-the-last-day"),
    pytest.param(B + ONE_DAY, None, 0, id="ongoing-starting-after-the-period"),
    pytest.param(d("2015-01-01"), A, 1, id="ending-on-the-first-day"),
    pytest.param(d("2015-01-01"), A - ONE_DAY, 0, id="ending-the-day-before"),
    pytest.param(d("2015-01-01"), None, 1, id="ongoing-since-before-the-period"),
    pytest.param(d("2015-01-01"), B + ONE_DAY, 1, id="covering-the-whole-period"),
    pytest.param(MID, MID, 1, id="one-day-inside"),
    pytest.param(B, B, 1, id="one-day-on-the-last-day"),
    pytest.param(A, A, 1, id="one-day-on-the-first-day"),
])
def test_person_needs_a_spell_overlapping_the_period_with_both_ends_inclusive(
        make, indicators, start, end, expected):
    make.spell(make.rural_person(), start, end)
    assert indicators(BANNER, A, B)["rural_transfer"] == expected


@pytest.mark.parametrize(("spell", "expected"), [(True, 1), (False, 0)])
def test_person_needs_a_transfer_spell(make, indicators, spell, expected):
    person = make.rural_person()
    if spell:
        make.spell(person, MID)
    assert indicators(BANNER, A, B)["rural_transfer"] == expected


@pytest.mark.parametrize("kind", ["non_agri", "primary_after_land_transfer"])
def test_both_kinds_of_spell_count(make, indicators, kind):
    make.spell(make.rural_person(), MID, kind=kind)
    assert indicators(BANNER, A, B)["rural_transfer"] == 1


@pytest.mark.parametrize(("stable_workplace", "stable_income"), [
    (False, False), (True, False), (False, True), (True, True),
])
def test_transfer_asks_nothing_about_stability(make, indicators, stable_workplace,
                                               stable_income):
    make.spell(make.rural_person(), MID, stable_workplace=stable_workplace,
               stable_income=stable_income)
    assert indicators(BANNER, A, B)["rural_transfer"] == 1


# --- rule 10 ---------------------------------------------------------------------------

@pytest.mark.parametrize(("birth", "expected"), [
    pytest.param(d("1979-12-31"), (1, 0), id="born-31-december-1979"),
    pytest.param(d("1980-01-01"), (1, 1), id="born-1-january-1980"),
])
def test_new_generation_are_those_born_on_or_after_1_january_1980(make, indicators, birth,
                                                                 expected):
    make.spell(make.rural_person(birth), MID)
    assert transfer(indicators) == expected


@pytest.mark.parametrize(("reason", "expected"), [
    pytest.param({}, 1, id="counted-in-rule-9"),
    pytest.param({"labour_capacity": "none"}, 0, id="unable-to-work"),
    pytest.param({"village": OTHER_VILLAGE}, 0, id="household-outside-d"),
    pytest.param({"spell_start": B + ONE_DAY}, 0, id="no-spell-in-the-period"),
    pytest.param({"birth": d("2009-01-01")}, 0, id="under-16-at-period-end"),
])
def test_new_generation_counts_only_persons_counted_in_rural_transfer(make, indicators,
                                                                     reason, expected):
    person_fields = {"birth": d("1990-05-17")} | reason
    spell_start = person_fields.pop("spell_start", MID)
    make.spell(make.rural_person(**person_fields), spell_start)
    assert transfer(indicators) == (expected, expected)
