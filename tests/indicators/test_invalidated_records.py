"""Invalidated (作废) records count nowhere: rule 2 (natural_attrition), rule 5
(hard_to_employ_employed) and rule 7 (employed_total, where an invalidated figure is no
figure, neither in the sum nor as cover for the divisions below it)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.indicators.support import BANNER, COMMUNITY, COMMUNITY_2, GACHA, STREET, TOWN, A, B, d

MID = d("2024-06-01")


def invalidated(make, record):
    record.invalid_reason = "录入错误"
    record.invalidated_at = dt.datetime(2024, 7, 1, 10, 0)
    make.session.flush()
    return record


@pytest.mark.parametrize(("invalid", "expected"), [(False, 1), (True, 0)])
def test_invalidated_attrition_does_not_count(make, indicators, invalid, expected):
    record = make.attrition(make.person(), MID)
    if invalid:
        invalidated(make, record)
    values = indicators(BANNER, A, B)
    assert (values["natural_attrition"], values["urban_new_employment"]) == (
        expected, -expected)


def test_a_person_with_a_valid_and_an_invalidated_attrition_counts_once(make, indicators):
    person = make.person()
    make.attrition(person, MID)
    invalidated(make, make.attrition(person, MID + dt.timedelta(days=1)))
    assert indicators(BANNER, A, B)["natural_attrition"] == 1


@pytest.mark.parametrize(("invalid", "expected"), [(False, 1), (True, 0)])
def test_an_invalidated_aid_exit_does_not_count(make, indicators, invalid, expected):
    person = make.person()
    aid = make.aid(person, d("2022-01-01"), exited_on=MID, exit_reason="unit_employment")
    make.employment(person, MID, registered_on=MID)
    if invalid:
        invalidated(make, aid)
    assert indicators(BANNER, A, B)["hard_to_employ_employed"] == expected


def test_a_valid_aid_exit_still_counts_beside_an_invalidated_one(make, indicators):
    person = make.person()
    invalidated(make, make.aid(person, d("2022-01-01"), exited_on=MID,
                               exit_reason="unit_employment"))
    make.aid(person, d("2022-02-01"), exited_on=MID, exit_reason="flexible_employment")
    make.employment(person, MID, registered_on=MID)
    assert indicators(BANNER, A, B)["hard_to_employ_employed"] == 1


def figures(make, values: dict[str, int], invalid: set[str]) -> None:
    for code, total in values.items():
        figure = make.employed_total(code, B, total)
        if code in invalid:
            invalidated(make, figure)


# Leaves below BANNER: COMMUNITY, COMMUNITY_2 (under STREET) and GACHA (under TOWN).
@pytest.mark.parametrize(("values", "invalid", "division", "expected"), [
    pytest.param({BANNER: 100}, set(), BANNER, 100, id="valid-figure"),
    pytest.param({BANNER: 100}, {BANNER}, BANNER, None, id="invalidated-figure-no-children"),
    pytest.param({BANNER: 100, STREET: 30, TOWN: 40}, {BANNER}, BANNER, 70,
                 id="invalidated-figure-falls-back-to-the-children"),
    pytest.param({BANNER: 100, STREET: 30}, {BANNER}, BANNER, None,
                 id="invalidated-figure-and-a-child-without-one"),
    pytest.param({STREET: 30, TOWN: 40}, {TOWN}, BANNER, None,
                 id="invalidated-child-figure-leaves-the-sum-empty"),
    pytest.param({STREET: 30, COMMUNITY: 10, COMMUNITY_2: 15, TOWN: 40}, {STREET}, BANNER,
                 65, id="invalidated-figure-uncovers-its-children"),
    pytest.param({STREET: 30, COMMUNITY: 10, COMMUNITY_2: 15}, {COMMUNITY}, STREET, 30,
                 id="invalidated-figure-below-a-valid-one-changes-nothing"),
    pytest.param({GACHA: 5}, {GACHA}, GACHA, None, id="invalidated-leaf-figure"),
])
def test_an_invalidated_employed_total_is_no_figure(make, indicators, values, invalid,
                                                    division, expected):
    figures(make, values, invalid)
    assert indicators(division, A, B)["employed_total"] == expected


def test_the_rate_is_empty_when_the_only_figure_is_invalidated(make, indicators):
    figures(make, {BANNER: 100}, {BANNER})
    make.unemployment(make.person(), MID)
    values = indicators(BANNER, A, B)
    assert (values["employed_total"], values["registered_unemployment_rate"]) == (None, None)
