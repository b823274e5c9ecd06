"""The permission matrix of the channel uploads (/channels/, /channels/<name>, its templates,
a channel job's result and bad rows): a channel is uploaded to by the roles holding its
capability (the market and payee channels: the desk's clerks; the social-insurance attrition
and the statistics: the county statistician); a channel job is seen by those holding its
capability at its division, inside their subtree; the bad rows only by their uploader.
Everyone else, and everything outside, is 404; no page names an outside file or person."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.channels.models import Channel
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.jobs.models import Job, JobState
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, Route
from tests.accounts.test_permission_matrix_desk import CLERKS, STATISTICIANS

UPLOADERS = CLERKS | STATISTICIANS  # any channel's capability
CSV = "公民身份号码,姓名,户籍类型,行政区划代码,领取月份\n".encode()

CHANNELS_MATRIX = [
    Route("channels.index", "GET", "/channels/", UPLOADERS, 200, outside=None),
    Route("channels.channel", "GET", "/channels/market", CLERKS, 200, outside=None),
    Route("channels.channel", "GET", "/channels/si_attrition", STATISTICIANS, 200,
          outside=None),
    Route("channels.channel", "GET", "/channels/statistics", STATISTICIANS, 200, outside=None),
    Route("channels.channel", "POST", "/channels/si_payees", CLERKS, 302, outside=None,
          state="jobs"),
    Route("channels.channel", "POST", "/channels/statistics", STATISTICIANS, 302,
          outside=None, state="jobs"),
    Route("channels.template", "GET", "/channels/market/template.xlsx", CLERKS, 200,
          outside=None),
    Route("channels.template", "GET", "/channels/si_attrition/template.csv", STATISTICIANS,
          200, outside=None),
    Route("channels.job", "GET", "/channels/jobs/{job}", CLERKS, 200, shows="marker"),
    Route("channels.bad_rows", "GET", "/channels/jobs/{job}/bad-rows.xlsx", CLERKS, 200),
]

# (inside, outside) for every role: a division in the account's subtree and the nearest one
# outside it.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201100201", "152201001001"),
    Role.TOWNSHIP_REVIEWER: ("152201100201", "152201001001"),
    Role.COUNTY_STATISTICIAN: ("152201100201", "152202000000"),
    Role.COUNTY_LEADER: ("152201100201", "152202000000"),
    Role.COUNTY_ADMIN: ("152201100201", "152202000000"),
    Role.LEAGUE_STATISTICIAN: ("152202100201", "150102000000"),
    Role.LEAGUE_ADMIN: ("152202100201", "150102000000"),
    Role.REGION_STATISTICIAN: ("150102000000", "140105000000"),
    Role.REGION_ADMIN: ("150102000000", "140105000000"),
    Role.AUDITOR: ("152201000000", "150102000000"),
}
CASES = [pytest.param(route, role, where, id=f"{route}-{route.url}-{role.value}-{where}")
         for route in CHANNELS_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


def _job(division: str, where: str, uploader_id: int) -> int:
    """A failed market upload of the signed-in account at ``division``, with its bad rows."""
    job = Job(kind="channel_import.market", state=JobState.FAILED, division_code=division,
              created_by_id=uploader_id, params={"filename": f"FILE-{where}.csv"},
              message=f"MARK-{where.upper()}", finished_at=clock.now(),
              result={"error_count": 1, "errors": [
                  {"file": f"FILE-{where}.csv", "line": 2, "key": "name", "column": "姓名",
                   "value": f"PERSON-{where}", "reason": "必填项为空"}]},
              upload=b"PK-bad-rows")
    db.session.add(job)
    db.session.flush()
    return job.id


def _sides(make, role: Role, me) -> dict[str, dict[str, str]]:
    for code, name, parent in EXTRA_TREE:
        make.division(code, name, parent)
    sides = {where: {"job": str(_job(division, where, me.id)), "marker": f"MARK-{where.upper()}",
                     "markers": [f"MARK-{where.upper()}", f"FILE-{where}", f"PERSON-{where}"]}
             for where, division in zip((INSIDE, OUTSIDE), SIDES[role])}
    db.session.commit()
    return sides


def test_the_matrix_grants_what_the_capability_table_grants():
    assert CLERKS == holders(Capability.REGISTER_DESK)
    assert STATISTICIANS == holders(Capability.ENTER_ATTRITION) == holders(
        Capability.ENTER_TOTALS)


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_channel_pages_reach_only_ones_own_channels_and_subtree(client, make, login_as, route,
                                                                role, where):
    me = login_as(role)
    sides = _sides(make, role, me)
    side = sides[where]
    jobs_before = db.session.scalar(select(func.count()).select_from(Job))
    url = route.url.format(**side)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"sheet": (io.BytesIO(CSV), "payees.csv")},
                               content_type="multipart/form-data")
    body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
    assert response.status_code == route.expected(role, where), body[:400]
    for marker in sides[OUTSIDE]["markers"]:
        assert marker not in body
    allowed_inside = role in route.allowed and where == INSIDE
    if route.shows and allowed_inside:
        assert side[route.shows] in body
    if route.endpoint == "channels.bad_rows" and allowed_inside:
        assert response.data == b"PK-bad-rows"
    if route.state:
        db.session.expire_all()
        jobs_after = db.session.scalar(select(func.count()).select_from(Job))
        assert (jobs_after != jobs_before) == allowed_inside


@pytest.mark.parametrize("url", ["/channels/", "/channels/market", "/channels/market/template.csv",
                                 "/channels/jobs/1", "/channels/jobs/1/bad-rows.xlsx"])
def test_signed_out_visitor_is_sent_to_sign_in(client, make, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_channel_names_are_the_matrix_channels():
    assert {route.url.split("/")[2] for route in CHANNELS_MATRIX
            if route.endpoint in ("channels.channel", "channels.template")} <= {
        channel.value for channel in Channel}
