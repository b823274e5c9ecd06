"""The quarterly analysis' fixtures: the third quarter of 2026 with some data in it, the
offices that write and review analyses, and a signed-in client per user."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.reporting.calendar import Period
from tests.reporting.conftest import client_for  # noqa: F401  (a fixture)

Q3 = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
SITE = "http://127.0.0.1:5000"
SECTIONS = {"situation": "三季度全盟就业形势总体稳定。\n城镇新增就业稳步增长。",
            "problems": "部分旗县登记失业人员增加。", "measures": "加强就业援助，做好培训。"}


@pytest.fixture
def analysis_data(make):
    """Q3 2026: a transfer worker in 葛根庙嘎查 (乌兰浩特市), three new employments (two in
    乌兰浩特市, one woman among them, one in 阿尔山市), employed totals of both banners."""
    clock.set(dt.datetime(2026, 10, 5, 9, 0))
    worker = make.rural_person()
    make.spell(worker, dt.date(2026, 3, 1))
    make.employment(make.person(dt.date(1995, 1, 2)), dt.date(2026, 8, 8))
    make.employment(make.person(dt.date(1985, 2, 3), "female"), dt.date(2026, 8, 9),
                    division="152201100201")
    make.employment(make.person(dt.date(1997, 3, 4)), dt.date(2026, 9, 10),
                    division="152202100201")
    make.employed_total("152201000000", dt.date(2026, 6, 30), 50000)
    make.employed_total("152202000000", dt.date(2026, 6, 30), 20000)
    users = {
        "county": make.user(Role.COUNTY_STATISTICIAN, "152201000000", username="cty"),
        "leader": make.user(Role.COUNTY_LEADER, "152201000000", username="ldr"),
        "county2": make.user(Role.COUNTY_STATISTICIAN, "152202000000", username="cty2"),
        "league": make.user(Role.LEAGUE_STATISTICIAN, "152200000000", username="lg"),
        "region": make.user(Role.REGION_STATISTICIAN, "150000000000", username="rg"),
    }
    db.session.commit()
    return users
