import datetime as dt
import re

import pytest

from field_app.core.periods import PeriodError, parse_period

D = dt.date


@pytest.mark.parametrize(("text", "expected"), [
    ("2026", (D(2026, 1, 1), D(2026, 12, 31))),
    ("2026Q1", (D(2026, 1, 1), D(2026, 3, 31))),
    ("2026q4", (D(2026, 10, 1), D(2026, 12, 31))),
    ("2024-02", (D(2024, 2, 1), D(2024, 2, 29))),
    ("2026-01..2026-06", (D(2026, 1, 1), D(2026, 6, 30))),
    ("2025-11..2026-02", (D(2025, 11, 1), D(2026, 2, 28))),
])
def test_period_forms_give_inclusive_first_and_last_day(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["26", "2026Q0", "2026-13", "2026-06..2026-01", "2026/03", ""])
def test_bad_periods_are_refused_in_chinese_and_english(app_ctx, text):
    from field_app.core.i18n import in_both

    with pytest.raises(PeriodError) as error:
        parse_period(text)
    zh, en = in_both(error.value.message)
    assert re.search("[\u4e00-\u9fff]", zh) and en.isascii() and en != zh


@pytest.mark.parametrize("text", ["0000", "0001", "0001Q1", "0000-01", "1899-12..2026-01",
                                  "3000", "9999-12"])
def test_years_the_engine_cannot_compute_are_refused_as_periods(text):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert "1900" in str(error.value) and "2999" in str(error.value)


def test_the_first_and_last_supported_years_are_periods():
    assert parse_period("1900")[0] == D(1900, 1, 1)
    assert parse_period("2999-12")[1] == D(2999, 12, 31)
