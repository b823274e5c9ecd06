"""Rule 7 (employed_total, rev. 2): D's own figure at ``b``, else the sum of its children's
values when every child has one, else D's latest figure of the year before ``b`` (after
``b`` minus one year, before ``b``), else empty.

Tree below BANNER: STREET (villages COMMUNITY, COMMUNITY_2) and TOWN (village GACHA).
OTHER_BANNER has one township OTHER_TOWN with one village OTHER_VILLAGE.
"""
from __future__ import annotations

import datetime as dt

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
    ONE_DAY,
)


def record_figures(make, figures, as_of=B):
    """``figures`` maps a division code to ``total`` or ``(total, deduction)``."""
    for code, figure in figures.items():
        total, deduction = figure if isinstance(figure, tuple) else (figure, 0)
        make.employed_total(code, as_of, total, deduction)


def employed_total(make, indicators, division, figures, as_of=B):
    record_figures(make, figures, as_of)
    return indicators(division, A, B)["employed_total"]


@pytest.mark.parametrize(("deduction", "expected"), [(0, 100), (10, 90), (100, 0)])
def test_division_with_a_figure_reports_it_less_the_deduction(make, indicators, deduction,
                                                             expected):
    assert employed_total(make, indicators, BANNER, {BANNER: (100, deduction)}) == expected


@pytest.mark.parametrize(("as_of", "expected"), [
    pytest.param(B, 90, id="figure-as-of-the-period-end"),
    pytest.param(B - ONE_DAY, 90, id="figure-as-of-the-day-before"),
    pytest.param(A, 90, id="figure-as-of-the-period-start"),
    pytest.param(B.replace(year=B.year - 1) + ONE_DAY, 90, id="one-year-less-a-day-before"),
    pytest.param(B.replace(year=B.year - 1), None, id="exactly-one-year-before"),
    pytest.param(B + ONE_DAY, None, id="figure-after-the-period-end"),
])
def test_a_figure_of_the_year_before_the_period_end_stands_in(make, indicators, as_of,
                                                               expected):
    figures = {BANNER: (100, 10)}
    assert employed_total(make, indicators, BANNER, figures, as_of=as_of) == expected


def test_the_latest_figure_of_the_year_before_is_taken(make, indicators):
    record_figures(make, {BANNER: 100}, as_of=B - 40 * ONE_DAY)
    record_figures(make, {BANNER: 80}, as_of=B - 10 * ONE_DAY)
    record_figures(make, {BANNER: 60}, as_of=B - 20 * ONE_DAY)
    assert indicators(BANNER, A, B)["employed_total"] == 80


def test_a_figure_at_the_period_end_wins_over_a_later_dated_one_before_it(make, indicators):
    record_figures(make, {BANNER: 100}, as_of=B - ONE_DAY)
    record_figures(make, {BANNER: 70})
    assert indicators(BANNER, A, B)["employed_total"] == 70


def test_the_childrens_sum_wins_over_an_older_own_figure(make, indicators):
    record_figures(make, {BANNER: 999}, as_of=B - ONE_DAY)
    record_figures(make, {STREET: 30, TOWN: 40})
    assert indicators(BANNER, A, B)["employed_total"] == 70


def test_an_older_own_figure_stands_in_when_a_child_is_empty(make, indicators):
    record_figures(make, {BANNER: 999}, as_of=B - ONE_DAY)
    record_figures(make, {STREET: 30})
    assert indicators(BANNER, A, B)["employed_total"] == 999


def test_a_childs_older_figure_completes_the_sum(make, indicators):
    record_figures(make, {STREET: 30})
    record_figures(make, {TOWN: 40}, as_of=B - 30 * ONE_DAY)
    assert indicators(BANNER, A, B)["employed_total"] == 70


def test_an_invalidated_older_figure_is_no_figure(make, indicators):
    figure = make.employed_total(BANNER, B - ONE_DAY, 100, 0)
    figure.invalidated_at = dt.datetime(2026, 1, 2)
    figure.invalid_reason = "重复"
    make.session.flush()
    assert indicators(BANNER, A, B)["employed_total"] is None


def test_a_29_february_period_end_looks_back_to_28_february(make, indicators):
    leap_end = dt.date(2028, 2, 29)
    record_figures(make, {BANNER: 10}, as_of=dt.date(2027, 2, 28))
    assert indicators(BANNER, dt.date(2028, 1, 1), leap_end)["employed_total"] is None
    record_figures(make, {BANNER: 20}, as_of=dt.date(2027, 3, 1))
    assert indicators(BANNER, dt.date(2028, 1, 1), leap_end)["employed_total"] == 20


@pytest.mark.parametrize(("figures", "expected"), [
    pytest.param({COMMUNITY: 10}, 10, id="with-a-figure"),
    pytest.param({}, None, id="without-a-figure"),
    pytest.param({COMMUNITY_2: 10}, None, id="with-only-a-sibling's-figure"),
    pytest.param({STREET: 10}, None, id="with-only-a-parent's-figure"),
])
def test_division_without_children_is_empty_without_its_own_figure(make, indicators, figures,
                                                                   expected):
    assert employed_total(make, indicators, COMMUNITY, figures) == expected


@pytest.mark.parametrize(("figures", "expected"), [
    pytest.param({STREET: 30, TOWN: (40, 5)}, 65, id="every-child-has-a-figure"),
    pytest.param({STREET: 30}, None, id="one-child-is-empty"),
    pytest.param({TOWN: 40}, None, id="the-other-child-is-empty"),
    pytest.param({}, None, id="no-figures"),
])
def test_division_without_a_figure_sums_its_children_or_is_empty(make, indicators, figures,
                                                                 expected):
    assert employed_total(make, indicators, BANNER, figures) == expected


@pytest.mark.parametrize(("figures", "expected"), [
    pytest.param({BANNER: 100, STREET: 30, TOWN: 40}, 100, id="children-have-figures"),
    pytest.param({BANNER: 100, STREET: 30}, 100, id="a-child-is-empty"),
    pytest.param({BANNER: 100, COMMUNITY: 1, GACHA: 2}, 100, id="grandchildren-have-figures"),
])
def test_a_divisions_own_figure_wins_over_its_children(make, indicators, figures, expected):
    assert employed_total(make, indicators, BANNER, figures) == expected


@pytest.mark.parametrize(("figures", "expected"), [
    pytest.param({STREET: 30, GACHA: 40}, 70, id="child-without-figure-whose-child-has-one"),
    pytest.param({COMMUNITY: 10, COMMUNITY_2: (8, 3), TOWN: 40}, 55,
                 id="child-without-figure-whose-children-all-have-one"),
    pytest.param({COMMUNITY: 10, TOWN: 40}, None,
                 id="child-without-figure-with-one-empty-child"),
    pytest.param({COMMUNITY: 10, COMMUNITY_2: 5}, None,
                 id="child-without-figure-whose-only-child-is-empty"),
])
def test_the_sum_recurses_down_the_tree_and_an_empty_leaf_empties_it(make, indicators,
                                                                     figures, expected):
    assert employed_total(make, indicators, BANNER, figures) == expected


@pytest.mark.parametrize(("figures", "expected"), [
    pytest.param({BANNER: 100, OTHER_BANNER: 50}, 150, id="both-banners"),
    pytest.param({BANNER: 100, OTHER_TOWN: 20}, 120, id="banner-and-township"),
    pytest.param({BANNER: 100, OTHER_VILLAGE: 7}, 107, id="banner-and-village"),
    pytest.param({BANNER: 100}, None, id="second-banner-empty"),
    pytest.param({STREET: 30, TOWN: 40, OTHER_BANNER: 50}, 120, id="townships-and-banner"),
    pytest.param({LEAGUE: 500, BANNER: 100}, 500, id="league-figure"),
])
def test_region_and_league_values_recurse_over_every_level(make, indicators, figures,
                                                           expected):
    record_figures(make, figures)
    values = [indicators(division, A, B)["employed_total"] for division in (REGION, LEAGUE)]
    assert values == [expected, expected]


@pytest.mark.parametrize(("division", "expected"), [
    pytest.param(BANNER, 70, id="banner"),
    pytest.param(OTHER_BANNER, 50, id="sibling-banner"),
    pytest.param(STREET, 30, id="township"),
    pytest.param(COMMUNITY, None, id="village-under-a-township-figure"),
])
def test_figures_outside_d_do_not_count(make, indicators, division, expected):
    figures = {STREET: 30, TOWN: 40, OTHER_BANNER: 50, LEAGUE: 999}
    assert employed_total(make, indicators, division, figures) == expected


def test_zero_is_a_value_and_not_empty(make, indicators):
    assert employed_total(make, indicators, BANNER, {STREET: (10, 10), TOWN: 0}) == 0


def test_unknown_division_has_no_employed_total(indicators):
    values = indicators("152299000000", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert values["employed_total"] is None
    assert values["registered_unemployment_rate"] is None
