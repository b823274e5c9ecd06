"""Return reasons: several lines are fine, a bidi override or a zero-width character is
refused with the reason's label and the character's place."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from tests.accounts.helpers import sign_in
from tests.factories import make_id_number
from tests.surveys import helpers as h


@pytest.fixture
def submitted(client, make):
    """A household of one submitted by the collector of 葛根庙嘎查; the reviewer signed in."""
    make.survey_round()
    collector = make.user(Role.VILLAGE_COLLECTOR)
    reviewer = make.user(Role.TOWNSHIP_REVIEWER)
    db.session.commit()
    sign_in(client, collector.username)
    phone = h.Phone(client)
    house = h.household()
    ref = house["target_ref"]
    results = phone.sync(house, h.member(ref, make_id_number(dt.date(1980, 1, 2))),
                         h.change("household.submit", ref))
    assert [r["status"] for r in results] == ["applied"] * 3
    client.post("/logout")
    sign_in(client, reviewer.username)
    return db.session.scalar(select(HouseholdSurvey))


def _status(survey) -> SurveyStatus:
    db.session.expire_all()
    return db.session.get(HouseholdSurvey, survey.id).status


def test_a_reason_over_several_lines_is_accepted(client, submitted):
    response = client.post(f"/review/households/{submitted.id}", data={
        "send_back": "1", "reason": "地址不完整\r\n请补充门牌号\t（第3组）"})
    assert response.status_code == 302
    assert _status(submitted) == SurveyStatus.RETURNED


@pytest.mark.parametrize(("reason", "shown"), [
    ("地址\u202e不完整", "「整户退回原因」含有不允许的字符（U+202E，第3个字符）"),
    ("\u200b地址不完整", "「整户退回原因」含有不允许的字符（U+200B，第1个字符）"),
    ("地址\x01不完整", "「整户退回原因」含有不允许的字符（U+0001，第3个字符）"),
])
def test_a_reason_with_a_character_not_allowed_is_refused(client, submitted, reason, shown):
    response = client.post(f"/review/households/{submitted.id}",
                           data={"send_back": "1", "reason": reason})
    assert response.status_code == 422
    assert shown in response.get_data(as_text=True)
    assert _status(submitted) == SurveyStatus.SUBMITTED
