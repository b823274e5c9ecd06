"""Issue 15 (5): the division page counts the chosen period (month, quarter, year, range or
the year to date), each account's last choice is remembered, and bad choices get a message."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.core.clock import clock
from field_app.core.periods import PeriodError
from field_app.extensions import db
from field_app.statistics import periods
from field_app.statistics.models import PeriodChoice
from field_app.statistics.operations import remember_period, remembered_period

BANNER = "152201000000"
TODAY = dt.datetime(2026, 8, 15, 10, 0)
d = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def august():
    clock.set(TODAY)
    yield
    clock.set(None)


@pytest.fixture
def statistician(login_as):
    return login_as("county_statistician", BANNER)


def _page(client, **args):
    return client.get(f"/divisions/{BANNER}", query_string=args)


def _stored(user) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(PeriodChoice.period).where(PeriodChoice.user_id == user.id))


# --- the periods ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "key", "kind"), [
    ("ytd", "ytd", "ytd"), (" YTD ", "ytd", "ytd"), ("2026", "2026", "year"),
    ("2026q2", "2026Q2", "quarter"), ("2026-03", "2026-03", "month"),
    ("2026-01..2026-06", "2026-01..2026-06", "range"), ("2026-04..2026-04", "2026-04", "month"),
])
def test_periods_are_normalised_and_named_by_kind(text, key, kind):
    assert periods.normalise(text) == key
    assert periods.kind_of(key) == kind


@pytest.mark.parametrize("text", ["", "2026-13", "26Q1", "2026-06..2026-01", "x" * 100, "0000"])
def test_what_is_no_period_is_refused(text):
    with pytest.raises(PeriodError):
        periods.normalise(text)


@pytest.mark.parametrize(("fields", "key"), [
    ({"kind": "ytd"}, "ytd"),
    ({"kind": "month", "month": "2026-03"}, "2026-03"),
    ({"kind": "quarter", "year": "2025", "quarter": "4"}, "2025Q4"),
    ({"kind": "year", "year": "2025"}, "2025"),
    ({"kind": "range", "first": "2025-11", "last": "2026-02"}, "2025-11..2026-02"),
])
def test_the_choosers_fields_name_one_period(fields, key):
    assert periods.from_fields(fields) == key


def test_stepping_goes_back_freely_and_forward_only_into_begun_periods():
    today = TODAY.date()
    month = periods.choice("2026-01", today)
    assert (month.previous, month.following) == ("2025-12", "2026-02")
    assert periods.choice("2026-08", today).following is None
    quarter = periods.choice("2026Q1", today)
    assert (quarter.previous, quarter.following) == ("2025Q4", "2026Q2")
    assert periods.choice("2026Q3", today).following is None
    assert periods.choice("2025", today).following == "2026"
    ytd = periods.choice("ytd", today)
    assert (ytd.start, ytd.end, ytd.previous, ytd.following) == (d("2026-01-01"), today, None, None)
    assert [key for key, _ in ytd.quick] == ["ytd", "2026-08", "2026-07", "2026Q3", "2026Q2",
                                             "2025"]


# --- remembered per account ------------------------------------------------------------------

def test_a_choice_is_kept_per_account_and_replaced_by_the_next(make):
    first, second = make.user("county_statistician", BANNER), make.user("county_leader", BANNER)
    assert remembered_period(db.session, first.id) is None
    remember_period(db.session, first.id, "2026Q1")
    remember_period(db.session, first.id, "2026-03")
    remember_period(db.session, second.id, "2025")
    assert remembered_period(db.session, first.id) == "2026-03"
    assert remembered_period(db.session, second.id) == "2025"
    assert db.session.scalar(select(PeriodChoice.chosen_at)
                             .where(PeriodChoice.user_id == first.id)) == TODAY


def test_the_page_opens_on_the_year_to_date_then_on_the_last_choice(client, statistician,
                                                                     login_as):
    body = _page(client).get_data(as_text=True)
    assert "2026年1月1日至今" in body and "2026-01-01 — 2026-08-15" in body
    assert _stored(statistician) is None  # looking is not choosing
    assert _page(client, period="2026Q1").status_code == 200
    assert _stored(statistician) == "2026Q1"
    body = _page(client).get_data(as_text=True)  # a later visit, the home page's redirect
    assert "2026年第1季度" in body and "2026-01-01 — 2026-03-31" in body
    # Another account of the same county still opens on the year to date.
    client.post("/logout")
    login_as("county_leader", BANNER)
    assert "2026年1月1日至今" in _page(client).get_data(as_text=True)
    assert _stored(statistician) == "2026Q1"


def test_the_figures_are_those_of_the_chosen_period(client, make, statistician):
    make.employment(make.person(), d("2026-03-10"))
    make.employment(make.person(dt.date(1991, 1, 1)), d("2026-05-10"))
    db.session.commit()

    def new_employment(**args):
        body = _page(client, **args).get_data(as_text=True)
        start = body.index("城镇新增就业人数")
        return body[start:start + 400]

    march = new_employment(period="2026-03")
    spring = new_employment(period="2026Q2")
    assert ">1<" in march and ">1<" in spring
    assert ">2<" in new_employment(period="2026-01..2026-06")
    assert ">0<" in new_employment(period="2025")


def test_the_choosers_fields_redirect_to_the_periods_link_and_are_remembered(client,
                                                                            statistician):
    response = _page(client, kind="quarter", year="2025", quarter="4")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/divisions/{BANNER}?period=2025Q4")
    assert "2025年第4季度" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _stored(statistician) == "2025Q4"


@pytest.mark.parametrize(("args", "message"), [
    ({"period": "2026-13"}, "月份应写作YYYY-MM"),
    ({"period": "<script>"}, "无法识别的期间"),
    ({"kind": "quarter", "year": "2026"}, "请选择季度"),
    ({"kind": "range", "first": "2026-06", "last": "2026-01"}, "期间终点早于起点"),
    ({"kind": "year", "year": "99999"}, "无法识别的期间"),
    ({"kind": "week"}, "请选择期间类型"),
])
def test_a_bad_choice_gets_a_message_and_keeps_the_last_good_one(client, statistician, args,
                                                                 message):
    _page(client, period="2026-02")
    response = _page(client, **args)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body and "<script>" not in body
    assert "2026年2月" in body  # the page still shows the remembered period
    assert _stored(statistician) == "2026-02"


def test_links_of_the_page_carry_the_period(client, statistician):
    body = _page(client, period="2026Q2").get_data(as_text=True)
    assert 'href="/divisions/152201100000?period=2026Q2"' in body  # a child division
    assert 'href="/divisions/152201000000?period=2026Q1"' in body  # one step back
    # The explanation of a figure counts the same period.
    assert "from=2026-04-01&amp;to=2026-06-30" in body
