"""Issue 14: the league and the region see every county's survey progress (its latest
round, households per status) and drill into county → township → village, read-only."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.surveys import queries

LEAGUE, ULANHOT, ARXAN = "152200000000", "152201000000", "152202000000"
TOWNSHIP, VILLAGE = "152201100000", "152201100201"


def _progress(make):
    """乌兰浩特市: round 2026 open, 3 households (1 approved, 1 returned, 1 submitted) and one
    of 2025 closed; 阿尔山市: 2 households, round 2025 closed, 1 approved; 科右前旗: no round."""
    make.division("152221000000", "科尔沁右翼前旗", LEAGUE)
    make.division("152221100000", "科尔沁镇", "152221000000")
    make.division("152221100201", "平安村", "152221100000")
    make.household("152221100201")
    ulanhot = [make.household(VILLAGE) for _ in range(3)]
    arxan = [make.household("152202100201") for _ in range(2)]
    clock.set(dt.datetime(2025, 6, 1, 9, 0))
    old = make.survey_round(ULANHOT, 2025)
    old.closed_at, old.closed_by_id = clock.now(), old.opened_by_id
    arxan_round = make.survey_round(ARXAN, 2025)
    arxan_round.closed_at, arxan_round.closed_by_id = clock.now(), arxan_round.opened_by_id
    clock.set(dt.datetime(2026, 6, 1, 9, 0))
    current = make.survey_round(ULANHOT, 2026)
    surveys = {(s.round_id, s.household_id): s for s in db.session.scalars(select(HouseholdSurvey))}
    user = current.opened_by_id

    def mark(round_, household, status):
        survey = surveys[(round_.id, household.id)]
        survey.status, survey.submitted_at, survey.submitted_by_id = status, clock.now(), user
        if status in (SurveyStatus.APPROVED, SurveyStatus.RETURNED):
            survey.reviewed_at, survey.reviewed_by_id = clock.now(), user

    mark(current, ulanhot[0], SurveyStatus.APPROVED)
    mark(current, ulanhot[1], SurveyStatus.RETURNED)
    mark(current, ulanhot[2], SurveyStatus.SUBMITTED)
    for household in ulanhot:  # the old round: all approved, which must not be counted
        mark(old, household, SurveyStatus.APPROVED)
    mark(arxan_round, arxan[0], SurveyStatus.APPROVED)
    db.session.commit()
    return current, arxan_round


def test_county_progress_takes_each_county_s_latest_round(make, app_ctx):
    from field_app.accounts.roles import Role

    current, arxan_round = _progress(make)
    league = make.user(Role.LEAGUE_STATISTICIAN, LEAGUE)
    rows = {row.code: row for row in queries.county_progress(db.session, LEAGUE, league)}
    assert list(rows) == [ULANHOT, ARXAN, "152221000000"]
    u = rows[ULANHOT]
    assert (u.round.id, u.households, u.surveyed, u.approved, u.returned) == (
        current.id, 3, 3, 1, 1)
    a = rows[ARXAN]
    assert (a.round.id, a.households, a.approved, a.counts["not_surveyed"]) == (
        arxan_round.id, 2, 1, 1)
    k = rows["152221000000"]
    assert (k.round, k.households, k.counts["not_surveyed"]) == (None, 1, 1)


def test_the_league_lists_every_county_and_drills_to_the_villages(make, client, login_as):
    current, arxan_round = _progress(make)
    login_as("league_statistician", LEAGUE)
    page = client.get("/survey/rounds")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "乌兰浩特市" in body and "阿尔山市" in body and "科尔沁右翼前旗" in body
    assert "已调查 3 · 已审核 1 · 退回 1 / 3 户" in body
    assert "尚未开启入户调查" in body
    assert f'href="/survey/counties/{ULANHOT}"' in body
    # The county: progress by township, read-only (no close, no open form).
    county = client.get(f"/survey/counties/{ULANHOT}").get_data(as_text=True)
    assert "义勒力特镇" in county and "结束本轮调查" not in county and 'name="year"' not in county
    link = f"/survey/rounds/{current.id}/townships/{TOWNSHIP}"
    assert f'href="{link}"' in county
    # A county whose only round is closed shows that round's progress.
    arxan = client.get(f"/survey/counties/{ARXAN}").get_data(as_text=True)
    assert "2025年度（已结束）" in arxan and "已审核 1 / 2 户" in arxan
    # The township: its villages, with the county in the crumbs.
    township = client.get(link).get_data(as_text=True)
    assert "葛根庙嘎查" in township and f'href="/survey/counties/{ULANHOT}"' in township
    assert "已审核 1 / 3 户" in township
    # Read-only: closing or opening a round stays with the county.
    assert client.post(f"/survey/rounds/{current.id}/close",
                       data={"confirm": "y"}).status_code == 404
    assert client.post("/survey/rounds", data={"year": "2027"}).status_code == 404


def test_the_region_sees_the_counties_grouped_by_league(make, client, login_as):
    _progress(make)
    make.division("150100000000", "呼和浩特市", "150000000000")
    make.division("150102000000", "新城区", "150100000000")
    db.session.commit()
    login_as("region_statistician", "150000000000")
    body = client.get("/survey/rounds").get_data(as_text=True)
    assert 'data-league="兴安盟"' in body and 'data-league="呼和浩特市"' in body
    assert "新城区" in body
    assert client.get("/survey/counties/150102000000").status_code == 200


def test_the_league_cannot_open_a_county_outside_it_or_a_non_county(make, client, login_as):
    make.division("150100000000", "呼和浩特市", "150000000000")
    make.division("150102000000", "新城区", "150100000000")
    db.session.commit()
    login_as("league_statistician", LEAGUE)
    for code in ("150102000000", LEAGUE, TOWNSHIP, "bad", "152299000000"):
        assert client.get(f"/survey/counties/{code}").status_code == 404
    body = client.get("/survey/rounds").get_data(as_text=True)
    assert "新城区" not in body
