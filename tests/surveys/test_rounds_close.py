"""Closing a round asks first and shows what is still open; a closed round can be reopened,
for a reason the audit log keeps."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.surveys.models import SurveyRound, SyncChange
from tests.accounts.helpers import flashes

VILLAGE, OTHER_VILLAGE = "152201100201", "152201100202"


def _set(household, status: SurveyStatus, by) -> None:
    survey = db.session.scalar(select(HouseholdSurvey).where(
        HouseholdSurvey.household_id == household.id))
    survey.status = status
    if status != SurveyStatus.NOT_SURVEYED and status != SurveyStatus.ENTERED:
        survey.submitted_at, survey.submitted_by_id = clock.now(), by.id
    if status in (SurveyStatus.APPROVED, SurveyStatus.RETURNED):
        survey.reviewed_at, survey.reviewed_by_id = clock.now(), by.id


def _sync(user, at: dt.datetime, n: int = 1) -> None:
    for i in range(n):
        db.session.add(SyncChange(uuid=f"{user.id:08d}-0000-4000-8000-{at:%m%d%H%M}{i:04d}",
                                  user_id=user.id, op="household.save", received_at=at,
                                  status="applied", result={}))


@pytest.fixture
def county(make):
    """A round of 2026 with six households: one in each status and one more not surveyed;
    two collectors, one who synced an hour ago and one silent for two days, and one who
    never synced."""
    clock.set(dt.datetime(2026, 6, 1, 8, 0))
    make.division(OTHER_VILLAGE, "乌兰哈达嘎查", "152201100000")
    households = [make.household(VILLAGE) for _ in range(5)] + [make.household(OTHER_VILLAGE)]
    round_ = make.survey_round(year=2026)
    reviewer = make.user(Role.TOWNSHIP_REVIEWER, "152201100000")
    for household, status in zip(households, (SurveyStatus.ENTERED, SurveyStatus.SUBMITTED,
                                              SurveyStatus.RETURNED, SurveyStatus.APPROVED)):
        _set(household, status, reviewer)
    busy = make.user(Role.VILLAGE_COLLECTOR, VILLAGE, username="busy_collector")
    silent = make.user(Role.VILLAGE_COLLECTOR, OTHER_VILLAGE, username="silent_collector")
    make.user(Role.VILLAGE_COLLECTOR, OTHER_VILLAGE, username="never_collector")
    _sync(busy, dt.datetime(2026, 6, 20, 9, 0), 3)
    _sync(silent, dt.datetime(2026, 6, 18, 9, 0))
    _sync(silent, dt.datetime(2026, 5, 1, 9, 0))  # a test before the round: not counted in it
    db.session.commit()
    clock.set(dt.datetime(2026, 6, 20, 10, 0))
    return round_


def test_closing_shows_what_is_still_open_and_asks_first(client, county, login_as):
    login_as(Role.COUNTY_STATISTICIAN)
    rounds = client.get("/survey/rounds").get_data(as_text=True)
    assert f"/survey/rounds/{county.id}/close" in rounds and 'method="post"' not in rounds.split(
        "历次调查")[0].split("进行中")[1]
    page = client.get(f"/survey/rounds/{county.id}/close")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "共6户，其中5户尚未审核通过" in text
    for element, count in (("open-not-surveyed", 2), ("open-entered", 1), ("open-returned", 1),
                           ("open-submitted", 1)):
        assert f'id="{element}">{count}<' in text
    # The collectors, the quiet ones first: never synced, then two days ago; the busy one last.
    order = [text.index(name) for name in ("从未同步", "最后同步 2026-06-18 09:00",
                                          "最后同步 2026-06-20 09:00")]
    assert order == sorted(order)
    assert "2个账号超过24小时未同步或从未同步" in text
    assert "本轮上传3条修改" in text and "本轮上传1条修改" in text
    assert "本村2户已录入或已退回未提交" in text

    # Sent without the confirmation: refused where the button is, nothing closed.
    refused = client.post(f"/survey/rounds/{county.id}/close", data={})
    assert refused.status_code == 422 and "请先确认" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert county.is_open

    done = client.post(f"/survey/rounds/{county.id}/close", data={"confirm": "y"},
                       follow_redirects=True)
    assert "本轮入户调查已结束" in flashes(done)
    db.session.expire_all()
    assert not county.is_open


def test_a_closed_round_is_reopened_with_a_reason_kept_in_the_audit_log(client, county,
                                                                        login_as):
    me = login_as(Role.COUNTY_STATISTICIAN)
    client.post(f"/survey/rounds/{county.id}/close", data={"confirm": "y"})
    clock.set(dt.datetime(2026, 6, 20, 10, 20))
    page = client.get("/survey/rounds").get_data(as_text=True)
    assert f"/survey/rounds/{county.id}/reopen" in page

    blank = client.post(f"/survey/rounds/{county.id}/reopen", data={"reason": "  "})
    assert blank.status_code == 422 and "请填写重新开启的原因" in blank.get_data(as_text=True)
    db.session.expire_all()
    assert not county.is_open

    response = client.post(f"/survey/rounds/{county.id}/reopen",
                           data={"reason": "误点结束，白狼镇尚在调查"}, follow_redirects=True)
    assert "已重新开启2026年度入户调查" in flashes(response)
    db.session.expire_all()
    assert county.is_open and county.closed_by_id is None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "survey_round_reopen"))
    assert (event.actor_id, event.target_id, event.after) == (
        me.id, str(county.id), {"reason": "误点结束，白狼镇尚在调查"})
    assert event.before["closed_by_id"] == me.id
    # The statuses are as they were.
    statuses = sorted(s for (s,) in db.session.execute(select(HouseholdSurvey.status)))
    assert statuses.count(SurveyStatus.APPROVED) == 1
    shown = client.get("/survey/rounds").get_data(as_text=True)
    assert "2026-06-20 10:20 由" in shown and "误点结束，白狼镇尚在调查" in shown


def test_only_the_latest_round_is_reopened_and_never_beside_an_open_one(client, county,
                                                                         login_as):
    login_as(Role.COUNTY_STATISTICIAN)
    client.post(f"/survey/rounds/{county.id}/close", data={"confirm": "y"})
    assert client.post("/survey/rounds", data={"year": "2027"}).status_code == 302
    refused = client.post(f"/survey/rounds/{county.id}/reopen", data={"reason": "补录"})
    assert refused.status_code == 422 and "已有进行中的入户调查" in refused.get_data(as_text=True)
    later = db.session.scalar(select(SurveyRound).where(SurveyRound.year == 2027))
    client.post(f"/survey/rounds/{later.id}/close", data={"confirm": "y"})
    refused = client.post(f"/survey/rounds/{county.id}/reopen", data={"reason": "补录"})
    assert refused.status_code == 422 and "最近一次" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert not county.is_open


def test_an_open_round_is_not_reopened_and_another_county_gets_404(client, make, county,
                                                                    login_as):
    login_as(Role.COUNTY_STATISTICIAN)
    refused = client.post(f"/survey/rounds/{county.id}/reopen", data={"reason": "再开"})
    assert refused.status_code == 422 and "无需重新开启" in refused.get_data(as_text=True)
    other = make.survey_round("152202000000", 2026)
    db.session.commit()
    assert client.get(f"/survey/rounds/{other.id}/close").status_code == 404
    assert client.post(f"/survey/rounds/{other.id}/reopen",
                       data={"reason": "再开"}).status_code == 404
