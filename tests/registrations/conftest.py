"""Desk fixtures: a clerk signed in at a township of the ``make`` tree, and helpers to look a
person up and to read indicators of that township."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.core.clock import clock

TODAY = dt.date(2026, 6, 15)
STREET = "152201001000"  # 都林街道, the clerk's township
COMMUNITY = "152201001001"  # 第一社区, a village of STREET
BANNER = "152201000000"  # 乌兰浩特市
OTHER_BANNER = "152202000000"  # 阿尔山市
OTHER_VILLAGE = "152202100201"  # 林俗村, in OTHER_BANNER


@pytest.fixture(autouse=True)
def _today():
    clock.set(dt.datetime.combine(TODAY, dt.time(9, 30)))


@pytest.fixture
def clerk(login_as):
    """A township reviewer of 都林街道, signed in."""
    return login_as("township_reviewer", STREET)


@pytest.fixture
def statistician(login_as):
    return login_as("county_statistician", BANNER)


@pytest.fixture
def looked_up(client):
    """``looked_up(person)``: look the person up at the desk, as every desk form starts."""

    def look(person):
        response = client.post("/desk/", data={"id_number": person.id_number})
        assert response.status_code == 302, response.get_data(as_text=True)
        return person

    return look


@pytest.fixture
def urban(indicators):
    """``urban(key, division=STREET, a=2026-01-01, b=TODAY)``: one indicator."""

    def value(key, division=STREET, a=dt.date(2026, 1, 1), b=TODAY):
        return indicators(division, a, b)[key]

    return value


def page(response) -> str:
    return response.get_data(as_text=True)
