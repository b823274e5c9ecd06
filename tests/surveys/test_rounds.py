"""Survey rounds: the county opens a year for its villages, one open round at a time."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.surveys.models import SurveyRound
from tests.accounts.helpers import flashes


def test_statistician_opens_a_round_and_every_county_household_is_not_surveyed(client, make,
                                                                               login_as):
    for village in ("152201100201", "152201100201", "152202100201"):
        make.household(village)
    login_as(Role.COUNTY_STATISTICIAN)
    response = client.post("/survey/rounds", data={"year": "2026"})
    assert response.status_code == 302
    round_ = db.session.scalar(select(SurveyRound))
    assert (round_.county_code, round_.year, round_.is_open) == ("152201000000", 2026, True)
    statuses = db.session.execute(select(HouseholdSurvey.village_code,
                                         HouseholdSurvey.status)).all()
    assert statuses == [("152201100201", SurveyStatus.NOT_SURVEYED)] * 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey_round_open"))
    assert event.after == {"year": 2026, "households": 2}
    page = client.get("/survey/rounds").get_data(as_text=True)
    assert "义勒力特镇" in page and "1个嘎查村 2户" in page


def test_a_second_open_round_is_refused(client, make, login_as):
    make.survey_round(year=2025)
    db.session.commit()
    login_as(Role.COUNTY_STATISTICIAN)
    response = client.post("/survey/rounds", data={"year": "2026"})
    assert response.status_code == 422 and "已有进行中的入户调查" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyRound)) == 1


def test_the_database_allows_one_open_round_per_county(make):
    make.survey_round(year=2025)
    db.session.add(SurveyRound(county_code="152201000000", year=2026))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_closing_a_round_makes_the_survey_read_only(client, make, login_as):
    round_ = make.survey_round()
    make.household("152201100201")
    db.session.commit()
    me = login_as(Role.COUNTY_STATISTICIAN)
    response = client.post(f"/survey/rounds/{round_.id}/close", data={"confirm": "y"},
                           follow_redirects=True)
    assert "本轮入户调查已结束" in flashes(response)
    db.session.expire_all()
    assert round_.closed_by_id == me.id and not round_.is_open


def test_county_leader_follows_but_cannot_open(client, make, login_as):
    make.survey_round()
    db.session.commit()
    login_as(Role.COUNTY_LEADER)
    assert client.get("/survey/rounds").status_code == 200
    assert client.post("/survey/rounds", data={"year": "2027"}).status_code == 404
