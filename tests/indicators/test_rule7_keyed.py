"""Rule 7 keyed by period (``rules.employed_total_values_keyed``): one statement for every
period end of a series, each period's rows equal to ``rules.employed_total_values`` of that
end, for every division of the subtree, on hand-made edge cases and on the shared example.

Tree of ``make``: LEAGUE > BANNER (STREET: COMMUNITY, COMMUNITY_2; TOWN: GACHA) and
OTHER_BANNER (OTHER_TOWN: OTHER_VILLAGE).
"""
from __future__ import annotations

import calendar
import datetime as dt

from field_app.extensions import db
from field_app.indicators import Policy, rules
from field_app.indicators.trends import _periods_table
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
    d,
)



def _row(code, parent_code, value, as_of):
    return code, parent_code, None if value is None else int(value), as_of


def _keyed(division, ends):
    """Each end's rows of the keyed statement, as a set per end."""
    periods = _periods_table([(b, b) for b in ends], Policy())
    rows = db.session.connection().execute(rules.employed_total_values_keyed(division, periods))
    by_end = {b: set() for b in ends}
    for k, *row in rows:
        by_end[ends[k]].add(_row(*row))
    return by_end


def _one_by_one(division, b):
    rows = db.session.connection().execute(rules.employed_total_values(division, b))
    return {_row(*row) for row in rows}


def _assert_keyed_is_each_end(division, ends):
    """Every end's rows equal the rule's statement of that end; returns the keyed rows."""
    keyed = _keyed(division, ends)
    for b in ends:
        expected = _one_by_one(division, b)
        assert expected, (division, b)  # one row per division of the subtree at least
        assert keyed[b] == expected, (division, b)
    return keyed


def _value(keyed, b, code):
    return next((value, as_of) for c, _, value, as_of in keyed[b] if c == code)


def _month_ends(first_year, years):
    return [dt.date(year, month, calendar.monthrange(year, month)[1])
            for year in range(first_year, first_year + years) for month in range(1, 13)]


# --- hand-made edge cases ----------------------------------------------------------------

def _figure(make, code, as_of, total, deduction=0, *, invalidated=False):
    figure = make.employed_total(code, d(as_of), total, deduction)
    if invalidated:
        figure.invalidated_at = dt.datetime(2026, 1, 2)
        figure.invalid_reason = "重复"
    make.session.flush()
    return figure


def test_the_one_year_edge_is_open_at_both_ends(make):
    _figure(make, BANNER, "2023-12-31", 100, 10)
    ends = [d("2023-12-30"), d("2023-12-31"), d("2024-01-01"), d("2024-12-30"),
            d("2024-12-31"), d("2025-01-01")]
    keyed = _assert_keyed_is_each_end(BANNER, ends)
    assert [_value(keyed, b, BANNER) for b in ends] == [
        (None, None), (90, d("2023-12-31")), (90, d("2023-12-31")), (90, d("2023-12-31")),
        (None, None), (None, None)]


def test_29_february_looks_back_to_28_february(make):
    _figure(make, BANNER, "2027-02-28", 10)
    _figure(make, OTHER_BANNER, "2027-03-01", 20)
    _figure(make, STREET, "2028-02-28", 5)
    ends = [d("2028-02-27"), d("2028-02-28"), d("2028-02-29"), d("2028-03-01"),
            d("2029-02-28"), d("2029-03-01")]
    keyed = _assert_keyed_is_each_end(LEAGUE, ends)
    leap = d("2028-02-29")
    assert _value(keyed, leap, BANNER) == (None, None)
    assert _value(keyed, leap, OTHER_BANNER) == (20, d("2027-03-01"))
    assert _value(keyed, d("2028-02-28"), BANNER) == (None, None)
    assert _value(keyed, d("2028-02-27"), BANNER) == (10, d("2027-02-28"))
    assert _value(keyed, d("2029-02-28"), STREET) == (None, None)
    assert _value(keyed, d("2029-03-01"), STREET) == (None, None)


def test_the_childrens_sum_wins_over_an_older_own_figure_but_not_over_one_at_the_end(make):
    _figure(make, BANNER, "2024-06-30", 999)
    _figure(make, STREET, "2024-12-31", 30)
    _figure(make, TOWN, "2024-11-30", 40, 5)
    _figure(make, BANNER, "2025-03-31", 500)
    ends = [d("2024-06-30"), d("2024-11-30"), d("2024-12-31"), d("2025-01-31"),
            d("2025-03-31"), d("2025-04-30")]
    keyed = _assert_keyed_is_each_end(BANNER, ends)
    assert [_value(keyed, b, BANNER) for b in ends] == [
        (999, d("2024-06-30")), (999, d("2024-06-30")), (65, None), (65, None),
        (500, d("2025-03-31")), (65, None)]


def test_an_invalidated_figure_is_no_figure(make):
    _figure(make, BANNER, "2024-12-31", 100, invalidated=True)
    _figure(make, BANNER, "2024-10-31", 80)
    _figure(make, STREET, "2024-12-31", 30)
    _figure(make, TOWN, "2024-12-31", 40, invalidated=True)
    _figure(make, GACHA, "2024-09-30", 7, invalidated=True)
    ends = [d("2024-09-30"), d("2024-10-31"), d("2024-12-31"), d("2025-06-30")]
    keyed = _assert_keyed_is_each_end(BANNER, ends)
    assert [_value(keyed, b, BANNER) for b in ends] == [
        (None, None), (80, d("2024-10-31")), (80, d("2024-10-31")), (80, d("2024-10-31"))]
    assert _value(keyed, d("2024-09-30"), GACHA) == (None, None)


def test_sums_recurse_over_every_level_and_skip_nothing_outside_d(make):
    _figure(make, COMMUNITY, "2024-12-31", 10)
    _figure(make, COMMUNITY_2, "2024-12-31", 8, 3)
    _figure(make, GACHA, "2024-10-15", 40)
    _figure(make, OTHER_VILLAGE, "2024-12-31", 7)
    _figure(make, OTHER_TOWN, "2024-03-31", 70)
    _figure(make, LEAGUE, "2024-06-30", 9999)
    ends = _month_ends(2024, 2)
    for division in (REGION, LEAGUE, BANNER, OTHER_BANNER, STREET, TOWN, GACHA, COMMUNITY):
        _assert_keyed_is_each_end(division, ends)
    keyed = _keyed(REGION, ends)
    assert _value(keyed, d("2024-12-31"), LEAGUE) == (62, None)
    assert _value(keyed, d("2024-12-31"), REGION) == (62, None)
    assert _value(keyed, d("2024-11-30"), LEAGUE) == (9999, d("2024-06-30"))
    assert _value(keyed, d("2025-10-31"), LEAGUE) == (None, None)


def test_a_series_of_one_end_and_an_unknown_division(make):
    _figure(make, BANNER, "2024-12-31", 100)
    _assert_keyed_is_each_end(BANNER, [d("2024-12-31")])
    assert _keyed("152299000000", [d("2024-12-31"), d("2025-12-31")]) == {
        d("2024-12-31"): set(), d("2025-12-31"): set()}


def test_every_day_around_the_figures_of_a_year(make):
    for code, as_of, total in ((BANNER, "2024-02-29", 100), (STREET, "2024-03-31", 30),
                               (TOWN, "2024-03-31", 40), (GACHA, "2024-01-15", 4),
                               (COMMUNITY, "2024-03-31", 1), (COMMUNITY_2, "2023-04-30", 2)):
        _figure(make, code, as_of, total)
    start = d("2024-01-01")
    ends = [start + dt.timedelta(days=i) for i in range(0, 480, 3)] + [d("2025-02-28"),
                                                                       d("2025-03-01")]
    _assert_keyed_is_each_end(BANNER, ends)


# --- the example data set ----------------------------------------------------------------

# The fixtures ``small`` and ``small_ctx`` (hinggan-small, loaded once per module) are in
# tests/indicators/conftest.py.


def test_on_the_examples_every_month_end_over_three_years(small_ctx):
    ends = _month_ends(2024, 3) + [d("2025-12-30"), d("2026-06-15")]
    keyed = _assert_keyed_is_each_end(LEAGUE, ends)
    for division in ("152201000000", "152222002000"):
        _assert_keyed_is_each_end(division, ends)
    # The example exercises every step: a figure at the end, a sum, an older figure, none.
    rows = [(b, row) for b in ends for row in keyed[b]]
    assert any(as_of == b for b, (_, _, _, as_of) in rows)
    assert any(as_of is None and value is not None for _, (_, _, value, as_of) in rows)
    assert any(as_of is not None and as_of < b for b, (_, _, _, as_of) in rows)
    assert any(value is None for _, (_, _, value, _) in rows)
