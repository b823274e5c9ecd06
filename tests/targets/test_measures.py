"""Deviation, flag, completion rate and time progress as the spec and the page define them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from field_app.indicators import INDICATOR_KEYS
from field_app.indicators import rules
from field_app.review.states import SurveyStatus
from field_app.targets import measures
from field_app.targets.models import REPORTABLE_INDICATORS, TARGET_INDICATORS
from field_app.targets.operations import FigureError, parse_figure


@pytest.mark.parametrize(("reported", "system", "deviation", "flagged"), [
    (10499, 10000, Decimal("4.99"), False),
    (10500, 10000, Decimal("5.00"), False),  # "above 5.00" is flagged: 5.00 is not
    (10501, 10000, Decimal("5.01"), True),
    (9499, 10000, Decimal("5.01"), True),  # either side
    (9500, 10000, Decimal("5.00"), False),
    (100040, 100000 - 4760, Decimal("5.04"), True),
    # Two decimals, half-up, before the comparison: 5.004 is 5.00, 5.005 is 5.01.
    (Decimal("105004"), Decimal("100000"), Decimal("5.00"), False),
    (Decimal("105005"), Decimal("100000"), Decimal("5.01"), True),
    (0, 0, Decimal("0.00"), False),  # S = 0 and R = 0
    (3, 0, None, True),  # S = 0 and R != 0: empty and flagged
    (3, None, None, True),  # no system figure at all (no employed total)
    (-95, -100, Decimal("5.00"), False),  # a negative 城镇新增就业 is measured by its size
])
def test_deviation_and_flag_follow_the_spec(reported, system, deviation, flagged):
    assert measures.deviation(reported, system) == deviation
    assert measures.flagged(measures.deviation(reported, system)) is flagged


@pytest.mark.parametrize(("end", "progress"), [
    (dt.date(2026, 9, 30), Decimal("74.79")),  # 273 of 365 days
    (dt.date(2026, 1, 1), Decimal("0.27")),
    (dt.date(2026, 12, 31), Decimal("100.00")),
    (dt.date(2024, 6, 30), Decimal("49.73")),  # 182 of 366 days in a leap year
])
def test_time_progress_is_the_elapsed_share_of_the_year_by_days(end, progress):
    assert measures.time_progress(end) == progress


@pytest.mark.parametrize(("figure", "target", "rate"), [
    (900, 1200, Decimal("75.00")),
    (1, 3, Decimal("33.33")),
    (1300, 1200, Decimal("108.33")),
    (None, 1200, None),
    (10, 0, None),
    (-5, 100, Decimal("-5.00")),
])
def test_completion_rate_is_figure_over_target(figure, target, rate):
    assert measures.completion_rate(figure, target) == rate


@pytest.mark.parametrize(("raw", "indicator", "target", "value"), [
    ("1,234", "urban_new_employment", False, Decimal("1234")),
    (1234, "rural_transfer", True, Decimal("1234")),
    ("3.25", "registered_unemployment_rate", False, Decimal("3.25")),
    ("-12", "urban_new_employment", False, Decimal("-12")),
])
def test_figures_are_read_as_their_indicator_allows(raw, indicator, target, value):
    assert parse_figure(raw, indicator, target=target) == value


@pytest.mark.parametrize(("raw", "indicator", "target"), [
    ("abc", "rural_transfer", False),
    ("12.5", "rural_transfer", False),
    ("-1", "rural_transfer", False),
    ("-12", "urban_new_employment", True),  # a target is never negative
    ("3.255", "registered_unemployment_rate", False),
    ("101", "registered_unemployment_rate", False),
    ("1e30", "rural_transfer", False),
    ("NaN", "rural_transfer", False),
])
def test_bad_figures_are_refused_with_a_reason(raw, indicator, target):
    with pytest.raises(FigureError):
        parse_figure(raw, indicator, target=target)


def test_the_tables_know_the_engines_indicators_and_the_reviews_approved_status():
    assert REPORTABLE_INDICATORS == INDICATOR_KEYS
    assert set(TARGET_INDICATORS) <= set(INDICATOR_KEYS)
    assert rules.APPROVED_STATUS == SurveyStatus.APPROVED.value
