"""Lock fixtures: the desk's and the phone's signed-in users (from their packages' fixtures),
a clock in mid-2026, and ``lock``/``release`` as an operator would set them."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.core.clock import clock
from field_app.core.periods import parse_period
from field_app.extensions import db
from field_app.locks import operations
from tests.registrations.conftest import clerk, looked_up, statistician  # noqa: F401
from tests.surveys.conftest import cadre, survey_round  # noqa: F401

TODAY = dt.date(2026, 6, 15)
Q1 = "2026Q1"  # 2026-01-01..2026-03-31
LAST_LOCKED, FIRST_FREE = dt.date(2026, 3, 31), dt.date(2026, 4, 1)

LEAGUE = "152200000000"
BANNER = "152201000000"  # 乌兰浩特市
STREET = "152201001000"  # 都林街道
COMMUNITY = "152201001001"  # 第一社区
NEIGHBOUR = "152201001002"  # 第二社区, beside COMMUNITY
TOWNSHIP = "152201100000"  # 义勒力特镇
VILLAGE = "152201100201"  # 葛根庙嘎查, the cadre's village
OTHER_BANNER = "152202000000"  # 阿尔山市
OTHER_VILLAGE = "152202100201"  # 林俗村


@pytest.fixture(autouse=True)
def _today():
    clock.set(dt.datetime.combine(TODAY, dt.time(9, 30)))


@pytest.fixture
def lock(app_ctx):
    """``lock(division, period=Q1)``: an operator's lock, committed; returns it."""

    def make_lock(division: str, period: str = Q1):
        start, end = parse_period(period)
        made = operations.lock_period(db.session, division_code=division, start=start,
                                      end=end, reason="测试锁定", actor_id=None)
        db.session.commit()
        return made

    return make_lock


@pytest.fixture
def release(app_ctx):
    def release_lock(made) -> None:
        operations.release_lock(db.session, made, reason="测试解除", actor_id=None)
        db.session.commit()

    return release_lock


def page(response) -> str:
    return response.get_data(as_text=True)
