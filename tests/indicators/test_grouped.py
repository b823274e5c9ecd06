"""One engine pass, grouped (issue 14): by child each group is the engine for that child;
by a person's attribute the groups add up to the total; by a record's attribute every
counted person is in some group."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.indicators import Policy, compute_grouped, compute_indicators
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.indicators.grouped import (
    DIMENSIONS,
    compute_with_children,
    PERSON_DIMENSIONS,
    RECORD_DIMENSIONS,
    RECORD_INDICATORS,
    applies,
)
from field_app.indicators.policy import APPROVED, REFORM_2025, RetirementReform
from tests.indicators.support import (
    BANNER,
    COMMUNITY,
    COMMUNITY_2,
    GACHA,
    LEAGUE,
    OTHER_VILLAGE,
    STREET,
    TOWN,
    A,
    B,
    d,
)

PERIODS = [(d("2026-01-01"), d("2026-06-30")), (d("2025-01-01"), d("2026-12-31"))]
COUNTS = [key for key in INDICATOR_KEYS
          if key not in ("employed_total", "registered_unemployment_rate")]


def _grouped(division, a, b, by, policy=None):
    return compute_grouped(db.session.connection(), division, a, b, policy, by)


def _engine(division, a, b, policy=None):
    return compute_indicators(db.session.connection(), division, a, b, policy)


def _parents():
    """Every division of the loaded tree that has children."""
    d_ = Division.__table__
    return list(db.session.scalars(select(d_.c.parent_code).where(
        d_.c.parent_code.is_not(None)).distinct().order_by(d_.c.parent_code)))


# --- hand-made cases ---------------------------------------------------------------------

def test_a_person_with_records_in_two_children_counts_in_each(make):
    person = make.person()
    make.employment(person, d("2024-03-01"), division=COMMUNITY)
    make.employment(person, d("2024-05-01"), division=GACHA, employment_type="unit")
    make.employed_total(STREET, B, 1000)
    make.unemployment(make.person(), d("2024-02-01"), division=COMMUNITY_2)
    groups = dict(_grouped(BANNER, A, B, "child"))
    assert list(groups) == [STREET, TOWN]
    assert groups[STREET]["new_employment_gross"] == 1
    assert groups[TOWN]["new_employment_gross"] == 1
    assert _engine(BANNER, A, B)["new_employment_gross"] == 1
    assert groups[STREET]["employed_total"] == 1000
    assert str(groups[STREET]["registered_unemployment_rate"]) == "0.10"
    assert groups[TOWN]["employed_total"] is None
    for child, values in groups.items():
        assert values == _engine(child, A, B)


def test_a_record_of_the_division_itself_is_in_no_child_group(make):
    make.attrition(make.person(), d("2024-04-01"), division=BANNER)
    groups = _grouped(BANNER, A, B, "child")
    assert all(values["natural_attrition"] == 0 for _, values in groups)
    assert _engine(BANNER, A, B)["natural_attrition"] == 1


def test_a_child_that_skips_a_level_is_grouped_by_its_own_subtree(make):
    skipping = "152201200001"  # a village whose parent is the banner itself
    make.division(skipping, "直属村", BANNER)
    make.employment(make.person(), d("2024-03-01"), division=skipping)
    make.employment(make.person(), d("2024-03-01"), division=GACHA)
    groups = dict(_grouped(BANNER, A, B, "child"))
    assert groups[skipping]["new_employment_gross"] == 1
    assert groups[TOWN]["new_employment_gross"] == 1
    for child, values in groups.items():
        assert values == _engine(child, A, B)


def test_person_attributes_put_each_person_in_one_group(make):
    young = make.rural_person(dt.date(2000, 3, 1), "female", village=GACHA)
    old = make.rural_person(dt.date(1970, 3, 1), "male", village=OTHER_VILLAGE)
    for person in (young, old):
        make.spell(person, d("2024-02-01"), destination="in_county")
        make.spell(person, d("2024-03-01"), destination="out_of_region")
    sexes = dict(_grouped(LEAGUE, A, B, "sex"))
    assert sexes["female"]["rural_transfer"] == sexes["male"]["rural_transfer"] == 1
    bands = dict(_grouped(LEAGUE, A, B, "age_band"))
    assert bands["16-24"]["rural_transfer"] == 1 and bands["45-54"]["rural_transfer"] == 1
    generation = dict(_grouped(LEAGUE, A, B, "new_generation"))
    assert generation[True]["new_generation_transfer"] == 1
    assert generation[False]["rural_transfer"] == 1
    assert generation[False]["new_generation_transfer"] == 0
    destinations = dict(_grouped(LEAGUE, A, B, "destination"))
    assert destinations["in_county"]["rural_transfer"] == 2
    assert destinations["out_of_region"]["rural_transfer"] == 2
    assert destinations["abroad"]["rural_transfer"] == 0
    assert destinations["in_county"]["registered_unemployed"] is None


def test_an_age_band_for_persons_under_sixteen_keeps_the_sum(make):
    make.attrition(make.person(dt.date(2015, 1, 1)), d("2024-04-01"))
    bands = dict(_grouped(LEAGUE, A, B, "age_band"))
    assert bands["0-15"]["natural_attrition"] == 1


def test_stable_transfer_by_destination_counts_only_stable_spells(make):
    person = make.rural_person(village=GACHA)
    make.spell(person, d("2024-01-01"), d("2024-12-31"), stable_workplace=True,
               stable_income=True, destination="in_league")
    make.spell(person, d("2024-06-01"), destination="abroad")
    groups = dict(_grouped(LEAGUE, A, B, "destination"))
    assert groups["in_league"]["stable_transfer_180d"] == 1
    assert groups["abroad"]["stable_transfer_180d"] == 0
    assert groups["abroad"]["rural_transfer"] == 1


def test_employment_by_type_and_category(make):
    person = make.person()
    make.employment(person, d("2024-03-01"), employment_type="unit",
                    category="unemployed_reemployed")
    make.employment(person, d("2024-04-01"), employment_type="flexible")
    types = dict(_grouped(LEAGUE, A, B, "employment_type"))
    assert types["unit"]["new_employment_gross"] == 1
    assert types["unit"]["reemployment_of_unemployed"] == 1
    assert types["flexible"]["new_employment_gross"] == 1
    assert types["flexible"]["reemployment_of_unemployed"] == 0
    assert types["unit"]["urban_new_employment"] is None
    categories = dict(_grouped(LEAGUE, A, B, "person_category"))
    assert categories["unemployed_reemployed"]["reemployment_of_unemployed"] == 1
    assert categories["new_entrant"]["new_employment_gross"] == 1


def test_a_hukou_not_recorded_is_a_group_of_its_own(make):
    make.attrition(make.person(hukou=None), d("2024-04-01"))
    make.attrition(make.person(dt.date(1980, 1, 1), hukou="urban"), d("2024-04-01"))
    groups = _grouped(LEAGUE, A, B, "hukou")
    assert [key for key, _ in groups] == ["rural", "urban", None]
    assert [values["natural_attrition"] for _, values in groups] == [0, 1, 1]


def test_asking_for_some_figures_leaves_the_others_empty(make):
    make.spell(make.rural_person(village=GACHA), d("2024-02-01"))
    make.employment(make.person(), d("2024-03-01"), division=GACHA)
    groups = dict(_grouped_only(BANNER, ["rural_transfer"]))
    assert groups[TOWN]["rural_transfer"] == 1
    assert groups[TOWN]["new_employment_gross"] is None
    rate = dict(_grouped_only(BANNER, ["registered_unemployment_rate"]))
    assert rate[TOWN]["registered_unemployed"] == 0
    assert rate[TOWN]["new_employment_gross"] is None


def _grouped_only(division, indicators):
    return compute_grouped(db.session.connection(), division, A, B, None, "child", indicators)


def test_a_division_without_children_has_no_child_groups(make):
    assert _grouped(GACHA, A, B, "child") == []


def test_an_unknown_dimension_or_a_reversed_period_is_refused(make):
    with pytest.raises(ValueError):
        _grouped(LEAGUE, A, B, "colour")
    with pytest.raises(ValueError):
        _grouped(LEAGUE, B, A, "child")


def test_every_dimension_applies_to_some_indicator():
    for by in DIMENSIONS:
        assert any(applies(key, by) for key in INDICATOR_KEYS)


def _with_children(division, a, b, policy=None):
    return compute_with_children(db.session.connection(), division, a, b, policy)


def test_with_children_the_division_counts_its_own_records_and_each_person_once(make):
    person = make.person()
    make.employment(person, d("2024-03-01"), division=COMMUNITY)
    make.employment(person, d("2024-05-01"), division=GACHA, employment_type="unit")
    make.attrition(make.person(), d("2024-04-01"), division=BANNER)
    make.employed_total(BANNER, B, 1000)
    own, groups = _with_children(BANNER, A, B)
    assert own == _engine(BANNER, A, B)
    assert own["new_employment_gross"] == 1 and own["natural_attrition"] == 1
    assert own["employed_total"] == 1000
    assert groups == _grouped(BANNER, A, B, "child")


def test_with_children_of_a_village_is_its_own_figures_alone(make):
    make.employment(make.person(), d("2024-03-01"), division=COMMUNITY)
    own, groups = _with_children(COMMUNITY, A, B)
    assert groups == [] and own == _engine(COMMUNITY, A, B)
    assert own["new_employment_gross"] == 1


# --- the example data set (last: its module fixture keeps it loaded until the module ends,
# and the hand-made cases above build their own tree) -------------------------------------

# The fixtures ``small`` and ``small_ctx`` (hinggan-small, loaded once per module) are in
# tests/indicators/conftest.py.


@pytest.mark.parametrize("a, b", PERIODS)
def test_by_child_each_group_is_the_engine_for_that_child(small_ctx, a, b):
    compared = 0
    for parent in _parents():
        groups = _grouped(parent, a, b, "child")
        children = list(db.session.scalars(
            select(Division.code).where(Division.parent_code == parent).order_by(Division.code)))
        assert [key for key, _ in groups] == children
        for child, values in groups:
            assert values == _engine(child, a, b), (parent, child)
            compared += 1
    assert compared > 60


def test_by_child_under_the_approved_basis_and_the_reform_policy(small_ctx):
    a, b = d("2026-01-01"), d("2026-12-31")
    for policy in (Policy(survey_basis=APPROVED),
                   Policy(name=REFORM_2025, reform=RetirementReform())):
        for child, values in _grouped(LEAGUE, a, b, "child", policy):
            assert values == _engine(child, a, b, policy)


@pytest.mark.parametrize("by", PERSON_DIMENSIONS)
@pytest.mark.parametrize("division", [LEAGUE, "152201000000", "152222002000"])
def test_by_a_person_attribute_the_groups_add_up_to_the_total(small_ctx, by, division):
    a, b = PERIODS[0]
    total = _engine(division, a, b)
    groups = _grouped(division, a, b, by)
    assert len({key for key, _ in groups}) == len(groups)
    for key in COUNTS:
        assert sum(values[key] for _, values in groups) == total[key], key
    assert all(values["employed_total"] is None and values["registered_unemployment_rate"]
               is None for _, values in groups)
    if division == LEAGUE:
        assert total["new_employment_gross"] and total["rural_transfer"]


@pytest.mark.parametrize("by", RECORD_DIMENSIONS)
def test_by_a_record_attribute_the_groups_cover_the_total(small_ctx, by):
    a, b = PERIODS[1]
    total = _engine(LEAGUE, a, b)
    groups = _grouped(LEAGUE, a, b, by)
    for key in INDICATOR_KEYS:
        if key in RECORD_INDICATORS[by]:
            largest = max(values[key] for _, values in groups)
            summed = sum(values[key] for _, values in groups)
            assert largest <= total[key] <= summed, key
        else:
            assert all(values[key] is None for _, values in groups), key
    assert any(values[RECORD_INDICATORS[by][0]] for _, values in groups)


def test_age_bands_are_counted_at_the_period_end(small_ctx):
    a, b = PERIODS[0]
    keys = [key for key, _ in _grouped(LEAGUE, a, b, "age_band")]
    assert keys == ["0-15", "16-24", "25-34", "35-44", "45-54", "55+"]


@pytest.mark.parametrize("a, b", PERIODS)
def test_with_children_every_division_is_the_engine_and_its_groups(small_ctx, a, b):
    divisions = list(db.session.scalars(select(Division.code).order_by(Division.code)))
    for policy in (None, Policy(survey_basis=APPROVED)):
        for division in divisions:
            own, groups = _with_children(division, a, b, policy)
            assert own == _engine(division, a, b, policy), division
            assert groups == _grouped(division, a, b, "child", policy), division
    assert len(divisions) > 60
