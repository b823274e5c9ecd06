"""The trends page (issue 14): a figure of the reader's division over 12 months or 8
quarters, as a chart and a table with 同比 and 环比; bad choices get a Chinese message and
a 400, never a 500; ``division_trend`` for the quarterly analysis."""
from __future__ import annotations

import base64
import datetime as dt
import re
from decimal import Decimal

import pytest

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.indicators import compute_indicators
from field_app.indicators.trends import Change
from field_app.statistics.trends import division_trend

TODAY = dt.datetime(2026, 11, 20, 9, 0)
BANNER = "152201000000"
STREET = "152201001000"


@pytest.fixture(autouse=True)
def _today():
    clock.set(TODAY)
    yield
    clock.set(None)


@pytest.fixture
def records(make):
    """New employment in the banner: 2 in 2025Q3, 1 in 2026Q2, 3 in 2026Q3."""
    for day in ("2025-08-01", "2025-09-10", "2026-05-05", "2026-07-01", "2026-08-02",
                "2026-09-30"):
        make.employment(make.person(), dt.date.fromisoformat(day), division="152201001001")
    make.employed_total(BANNER, dt.date(2026, 9, 30), 2000)
    make.unemployment(make.person(), dt.date(2026, 1, 5))
    db.session.commit()


def _chart(body: str) -> str:
    """The chart's SVG, from the data URL of its image."""
    source = re.search(r'data-trend-chart><img src="data:image/svg\+xml;base64,([^"]+)"', body)
    assert source, "no chart"
    return base64.b64decode(source.group(1)).decode("utf-8")


def _cells(body: str) -> list[list[str]]:
    table = body[body.index("data-trend-table"):]
    table = table[table.index("<tbody>"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", table, re.S)
    return [[label] + re.findall(r"<td>(.*?)</td>", cells) for label, cells in rows]


def test_a_statistician_sees_eight_quarters_with_the_changes(client, login_as, records):
    login_as(Role.COUNTY_STATISTICIAN, BANNER)
    response = client.get(f"/divisions/{BANNER}/trends?figure=new_employment_gross")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    chart = _chart(body)
    assert chart.startswith("<svg") and "城镇累计新就业人数" in chart
    assert "2026Q3" in chart  # short tick labels for the phone
    rows = _cells(body)
    assert [row[0] for row in rows][0] == "2024年第4季度"
    assert rows[-1][0] == "2026年第3季度"  # the last quarter ended by 20 November
    assert rows[-1][1:] == ["3", "+1", "+50.0%", "+2", "+200.0%"]
    assert rows[-2][1:] == ["1", "+1", "—", "+1", "—"]


def test_months_and_the_rate_in_points(client, login_as, records):
    login_as(Role.COUNTY_STATISTICIAN, BANNER)
    body = client.get(f"/divisions/{BANNER}/trends?figure=registered_unemployment_rate"
                      "&kind=month&end=2026-09").get_data(as_text=True)
    rows = _cells(body)
    assert len(rows) == 12 and rows[-1][0] == "2026年9月"
    assert rows[-1][1] == "0.05%"  # 1 / (2000 + 1)
    assert rows[-2][1] == "—"  # no employed total before 30 September
    assert "百分点" in body


@pytest.mark.parametrize("query, message", [
    ("figure=colour", "请选择一个指标"),
    ("kind=week", "请选择按月或按季"),
    ("end=2026-13", "截止月份应为"),
    ("end=2027-01", "截止月份应为"),
    ("end=" + "9" * 500, "截止月份应为"),
])
def test_a_bad_choice_is_a_400_with_a_chinese_message(client, login_as, make, query, message):
    login_as(Role.COUNTY_STATISTICIAN, BANNER)
    response = client.get(f"/divisions/{BANNER}/trends?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and _chart(body)  # the defaults are shown beneath


def test_the_division_page_links_to_its_trends(client, login_as, make):
    login_as(Role.COUNTY_STATISTICIAN, BANNER)
    body = client.get(f"/divisions/{BANNER}").get_data(as_text=True)
    assert f'href="/divisions/{BANNER}/trends"' in body


def test_division_trend_for_the_analysis_report(app_ctx, records):
    table = division_trend(BANNER, kind="quarter", count=4, end=dt.date(2026, 9, 30))
    assert table.periods == ("2025年第4季度", "2026年第1季度", "2026年第2季度",
                             "2026年第3季度")
    assert table.name
    assert table.values["new_employment_gross"] == [0, 0, 1, 3]
    assert table.yoy("new_employment_gross")[-1] == Change(1, Decimal("50.0"))
    assert table.mom("new_employment_gross")[-1] == Change(2, Decimal("200.0"))
    last = compute_indicators(db.session.connection(), BANNER, dt.date(2026, 7, 1),
                              dt.date(2026, 9, 30))
    assert {key: values[-1] for key, values in table.values.items()} == last
    with pytest.raises(LookupError):
        division_trend("152299999999", kind="month", count=3, end=dt.date(2026, 9, 30))
    with pytest.raises(ValueError):
        division_trend(BANNER, kind="week", count=3, end=dt.date(2026, 9, 30))
