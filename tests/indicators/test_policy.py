"""The ``Policy`` moves the bounds the notice fixes today: working age, 1980, 180 days."""
from __future__ import annotations

import dataclasses

import pytest

from field_app.indicators import Policy
from tests.indicators.support import BANNER, A, B, d, days

MID = d("2024-06-01")
AGE_KEYS = ("new_employment_gross", "registered_unemployed", "rural_transfer", "rural_training")


def counted_at_every_age_check(make, indicators, birth, sex, policy):
    """Whether each rule that asks working_age counts a person born ``birth``; the age is
    the same at ``MID`` and at ``B``."""
    person = make.rural_person(birth, sex)
    make.employment(person, MID)
    make.unemployment(person, MID)
    make.spell(person, MID)
    make.training(person, MID)
    values = indicators(BANNER, A, B, policy)
    return tuple(values[key] for key in AGE_KEYS)


@pytest.mark.parametrize(("policy", "birth", "sex", "expected"), [
    pytest.param(Policy(), d("1962-01-15"), "male", 0, id="man-of-62-default"),
    pytest.param(Policy(male_max_age=63), d("1962-01-15"), "male", 1,
                 id="man-of-62-retiring-at-63"),
    pytest.param(Policy(male_max_age=63), d("1961-01-15"), "male", 0,
                 id="man-of-63-retiring-at-63"),
    pytest.param(Policy(male_max_age=63), d("1967-01-15"), "female", 0,
                 id="woman-of-57-when-only-men-retire-later"),
    pytest.param(Policy(), d("1967-01-15"), "female", 0, id="woman-of-57-default"),
    pytest.param(Policy(female_max_age=58), d("1967-01-15"), "female", 1,
                 id="woman-of-57-retiring-at-58"),
    pytest.param(Policy(female_max_age=58), d("1966-01-15"), "female", 0,
                 id="woman-of-58-retiring-at-58"),
    pytest.param(Policy(), d("2007-01-15"), "male", 1, id="youth-of-17-default"),
    pytest.param(Policy(min_age=18), d("2007-01-15"), "male", 0, id="youth-of-17-from-18"),
    pytest.param(Policy(min_age=18), d("2006-01-15"), "male", 1, id="youth-of-18-from-18"),
])
def test_working_age_bounds_come_from_the_policy(make, indicators, policy, birth, sex,
                                                 expected):
    assert counted_at_every_age_check(make, indicators, birth, sex, policy) == (
        expected,) * len(AGE_KEYS)


@pytest.mark.parametrize(("policy", "birth", "expected"), [
    pytest.param(Policy(), d("1984-12-31"), 1, id="born-1984-default"),
    pytest.param(Policy(new_generation_born_from=d("1985-01-01")), d("1984-12-31"), 0,
                 id="born-1984-from-1985"),
    pytest.param(Policy(new_generation_born_from=d("1985-01-01")), d("1985-01-01"), 1,
                 id="born-on-the-1985-cut-off"),
])
def test_new_generation_cut_off_comes_from_the_policy(make, indicators, policy, birth,
                                                      expected):
    make.spell(make.rural_person(birth), MID)
    values = indicators(BANNER, A, B, policy)
    assert (values["rural_transfer"], values["new_generation_transfer"]) == (1, expected)


@pytest.mark.parametrize(("policy", "day_count", "expected"), [
    pytest.param(Policy(), 90, 0, id="90-days-default"),
    pytest.param(Policy(stable_days=90), 90, 1, id="90-days-of-90"),
    pytest.param(Policy(stable_days=90), 89, 0, id="89-days-of-90"),
])
def test_stable_days_come_from_the_policy(make, indicators, policy, day_count, expected):
    start = d("2024-03-01")
    make.spell(make.rural_person(), start, start + days(day_count - 1),
               stable_workplace=True, stable_income=True)
    assert indicators(BANNER, A, B, policy)["stable_transfer_180d"] == expected


def test_default_policy_holds_the_bounds_of_the_notice():
    assert dataclasses.asdict(Policy()) == {
        "min_age": 16,
        "male_max_age": 60,
        "female_max_age": 55,
        "new_generation_born_from": d("1980-01-01"),
        "stable_days": 180,
        "name": "notice-2019",
        "reform": None,
        "survey_basis": "synced",
    }


def test_passing_no_policy_means_the_default_policy(make, indicators):
    make.spell(make.rural_person(d("1962-01-15")), MID)
    assert indicators(BANNER, A, B) == indicators(BANNER, A, B, Policy())


@pytest.mark.parametrize("fields", [
    pytest.param({"min_age": 55}, id="min-age-at-a-maximum"),
    pytest.param({"min_age": -1}, id="negative-min-age"),
    pytest.param({"stable_days": 0}, id="no-stable-days"),
])
def test_policy_refuses_bounds_that_make_no_sense(fields):
    with pytest.raises(ValueError):
        Policy(**fields)


def test_policy_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Policy().stable_days = 90  # type: ignore[misc]
