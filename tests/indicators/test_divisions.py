""""In D": the record's division is D or lies below D, by code prefix, at every level."""
from __future__ import annotations

import pytest

from tests.indicators.support import (
    BANNER,
    COMMUNITY,
    COMMUNITY_2,
    GACHA,
    LEAGUE,
    OTHER_BANNER,
    OTHER_TOWN,
    OTHER_VILLAGE,
    REGION,
    STREET,
    TOWN,
    A,
    B,
    d,
)

ON = d("2024-06-01")


def employment_registration(make, division):
    make.employment(make.person(), ON, division=division)
    return "new_employment_gross"


def attrition_record(make, division):
    make.attrition(make.person(), ON, division=division)
    return "natural_attrition"


def aid_exit(make, division):
    person = make.person()
    make.aid(person, d("2023-01-01"), exited_on=ON, exit_reason="unit_employment",
             division=division)
    make.employment(person, ON, division=OTHER_VILLAGE)
    return "hard_to_employ_employed"


def unemployment_registration(make, division):
    make.unemployment(make.person(), ON, division=division)
    return "registered_unemployed"


def household_with_spell(make, division):
    make.spell(make.rural_person(village=division), ON)
    return "rural_transfer"


def household_with_training(make, division):
    make.training(make.rural_person(village=division), ON)
    return "rural_training"


records = pytest.mark.parametrize("record", [
    employment_registration,
    attrition_record,
    aid_exit,
    unemployment_registration,
    household_with_spell,
    household_with_training,
])


@records
@pytest.mark.parametrize(("division", "expected"), [
    pytest.param(REGION, 1, id="region"),
    pytest.param(LEAGUE, 1, id="league"),
    pytest.param(BANNER, 1, id="banner"),
    pytest.param(STREET, 1, id="township"),
    pytest.param(COMMUNITY, 1, id="the-village-itself"),
    pytest.param(COMMUNITY_2, 0, id="sibling-village"),
    pytest.param(TOWN, 0, id="sibling-township"),
    pytest.param(GACHA, 0, id="village-of-sibling-township"),
    pytest.param(OTHER_BANNER, 0, id="sibling-banner"),
    pytest.param(OTHER_TOWN, 0, id="township-of-sibling-banner"),
    pytest.param(OTHER_VILLAGE, 0, id="village-of-sibling-banner"),
])
def test_village_record_counts_in_its_village_and_every_division_above(
        make, indicators, record, division, expected):
    key = record(make, COMMUNITY)
    assert indicators(division, A, B)[key] == expected


@pytest.mark.parametrize("record", [
    employment_registration,
    attrition_record,
    aid_exit,
    unemployment_registration,
])
@pytest.mark.parametrize(("division", "expected"), [
    pytest.param(REGION, 1, id="region"),
    pytest.param(BANNER, 1, id="banner"),
    pytest.param(STREET, 1, id="the-township-itself"),
    pytest.param(COMMUNITY, 0, id="village-below"),
    pytest.param(TOWN, 0, id="sibling-township"),
])
def test_township_record_counts_in_its_township_and_above_but_not_in_its_villages(
        make, indicators, record, division, expected):
    key = record(make, STREET)
    assert indicators(division, A, B)[key] == expected


@pytest.mark.parametrize(("division", "expected"), [
    (REGION, 1),
    (LEAGUE, 1),
    (OTHER_BANNER, 1),
    (OTHER_TOWN, 1),
    (OTHER_VILLAGE, 1),
    (BANNER, 0),
])
def test_record_in_the_second_banner_counts_only_on_its_own_branch(make, indicators,
                                                                   division, expected):
    make.employment(make.person(), ON, division=OTHER_VILLAGE)
    assert indicators(division, A, B)["new_employment_gross"] == expected
