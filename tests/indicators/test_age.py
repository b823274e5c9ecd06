"""age(p, d) and working_age(p, d), through every indicator that asks for them.

Each case runs through four rules: the employment registration (age at its start date),
the unemployment registration (age at the period end), the transfer spell (age at the
period end) and the training (age at its end date). The period is the single day ``on``,
so "the date the rule asks about" is ``on`` for all four.
"""
from __future__ import annotations

import pytest

from field_app.indicators import Policy
from tests.indicators.support import REGION, d


def by_employment_registration(make, indicators, birth, sex, on, policy=None):
    make.employment(make.person(birth, sex), on)
    return indicators(REGION, on, on, policy)["new_employment_gross"]


def by_unemployment_registration(make, indicators, birth, sex, on, policy=None):
    make.unemployment(make.person(birth, sex), on)
    return indicators(REGION, on, on, policy)["registered_unemployed"]


def by_transfer_spell(make, indicators, birth, sex, on, policy=None):
    make.spell(make.rural_person(birth, sex), on)
    return indicators(REGION, on, on, policy)["rural_transfer"]


def by_training(make, indicators, birth, sex, on, policy=None):
    make.training(make.rural_person(birth, sex), on)
    return indicators(REGION, on, on, policy)["rural_training"]


counted_by = pytest.mark.parametrize("count", [
    by_employment_registration,
    by_unemployment_registration,
    by_transfer_spell,
    by_training,
])


@counted_by
@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize(("on", "expected"), [
    (d("2024-05-16"), 0),
    (d("2024-05-17"), 1),
])
def test_person_enters_working_age_on_the_16th_birthday(make, indicators, count, sex, on,
                                                         expected):
    assert count(make, indicators, d("2008-05-17"), sex, on) == expected


@counted_by
@pytest.mark.parametrize(("on", "expected"), [
    (d("2024-05-16"), 1),
    (d("2024-05-17"), 0),
])
def test_man_leaves_working_age_on_his_60th_birthday(make, indicators, count, on, expected):
    assert count(make, indicators, d("1964-05-17"), "male", on) == expected


@counted_by
@pytest.mark.parametrize(("on", "expected"), [
    (d("2024-05-16"), 1),
    (d("2024-05-17"), 0),
])
def test_woman_leaves_working_age_on_her_55th_birthday(make, indicators, count, on, expected):
    assert count(make, indicators, d("1969-05-17"), "female", on) == expected


@counted_by
@pytest.mark.parametrize(("sex", "expected"), [("male", 1), ("female", 0)])
def test_a_57_year_old_is_of_working_age_only_if_a_man(make, indicators, count, sex,
                                                        expected):
    assert count(make, indicators, d("1967-05-17"), sex, d("2024-05-17")) == expected


@counted_by
@pytest.mark.parametrize(("on", "expected"), [
    (d("2023-02-28"), 1),
    (d("2023-03-01"), 0),
])
def test_woman_born_on_29_february_turns_55_on_1_march_of_a_common_year(
        make, indicators, count, on, expected):
    assert count(make, indicators, d("1968-02-29"), "female", on) == expected


@counted_by
@pytest.mark.parametrize(("on", "expected"), [
    (d("2024-02-28"), 1),
    (d("2024-02-29"), 0),
])
def test_man_born_on_29_february_turns_60_on_29_february_of_a_leap_year(
        make, indicators, count, on, expected):
    assert count(make, indicators, d("1964-02-29"), "male", on) == expected


@counted_by
@pytest.mark.parametrize(("birth", "expected"), [
    (d("1969-02-28"), 0),
    (d("1969-03-01"), 1),
])
def test_on_29_february_a_birthday_of_28_february_is_already_past(make, indicators, count,
                                                                   birth, expected):
    assert count(make, indicators, birth, "female", d("2024-02-29")) == expected


@counted_by
@pytest.mark.parametrize(("on", "expected"), [
    (d("2024-02-28"), 0),
    (d("2024-02-29"), 1),
])
def test_person_born_on_29_february_turns_16_on_29_february_of_a_leap_year(
        make, indicators, count, on, expected):
    assert count(make, indicators, d("2008-02-29"), "female", on) == expected


@counted_by
@pytest.mark.parametrize(("on", "expected"), [
    (d("2017-02-28"), 0),
    (d("2017-03-01"), 1),
])
def test_lower_bound_on_a_29_february_birthday_is_reached_on_1_march_of_a_common_year(
        make, indicators, count, on, expected):
    # Only a policy with an odd lower bound puts a 29 February birthday's lower bound in
    # a common year before 2100.
    policy = Policy(min_age=17)
    assert count(make, indicators, d("2000-02-29"), "male", on, policy) == expected
