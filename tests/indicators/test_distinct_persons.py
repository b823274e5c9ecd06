"""Every indicator counts persons, each once however many of their records qualify."""
from __future__ import annotations

import pytest

from tests.indicators.support import REGION, A, B, d, days

FIRST, SECOND = d("2024-03-01"), d("2024-09-01")
STABLE = {"stable_workplace": True, "stable_income": True}


# Each builder gives ``first`` and ``second`` one qualifying record each and returns the
# indicators they move, with the sign of the move.

def employment(make, first, second):
    make.employment(first, FIRST)
    make.employment(second, SECOND, employment_type="public_welfare_post")
    return {"new_employment_gross": 1, "urban_new_employment": 1}


def reemployment(make, first, second):
    make.employment(first, FIRST, category="unemployed_reemployed")
    make.employment(second, SECOND, employment_type="public_welfare_post",
                    category="unemployed_reemployed")
    return {"reemployment_of_unemployed": 1}


def attrition(make, first, second):
    make.attrition(first, FIRST)
    make.attrition(second, SECOND)
    return {"natural_attrition": 1, "urban_new_employment": -1}


def aid(make, first, second):
    for person, exited in ((first, FIRST), (second, SECOND)):
        make.aid(person, exited - days(30), exited_on=exited,
                 exit_reason="flexible_employment")
        make.employment(person, exited, employment_type="unit", formal_transfer=True)
    return {"hard_to_employ_employed": 1}


def unemployment(make, first, second):
    make.unemployment(first, FIRST)
    make.unemployment(second, SECOND)
    return {"registered_unemployed": 1}


def transfer(make, first, second):
    make.spell(first, FIRST)
    make.spell(second, SECOND)
    return {"rural_transfer": 1, "new_generation_transfer": 1}


def stable_transfer(make, first, second):
    make.spell(first, d("2024-01-01"), d("2024-06-30"), **STABLE)
    make.spell(second, d("2024-07-01"), d("2024-12-31"), **STABLE)
    return {"stable_transfer_180d": 1}


def training(make, first, second):
    make.training(first, FIRST)
    make.training(second, SECOND, funding="other_fiscal")
    return {"rural_training": 1}


@pytest.mark.parametrize("records", [
    employment, reemployment, attrition, aid, unemployment, transfer, stable_transfer,
    training,
])
@pytest.mark.parametrize(("same_person", "persons"), [(True, 1), (False, 2)])
def test_two_qualifying_records_of_one_person_count_once(make, indicators, records,
                                                         same_person, persons):
    first = make.rural_person()
    second = first if same_person else make.rural_person()
    moved = records(make, first, second)
    values = indicators(REGION, A, B)
    assert {key: values[key] for key in moved} == {
        key: sign * persons for key, sign in moved.items()}
