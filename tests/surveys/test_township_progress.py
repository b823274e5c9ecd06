"""Issue 15 (5): from a round's progress by township the county drills into one township's
villages, households per status; nothing outside the round's county is shown."""
from __future__ import annotations

from sqlalchemy import select

from field_app.extensions import db
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus

COUNTY, TOWNSHIP, VILLAGE = "152201000000", "152201100000", "152201100201"


def test_county_drills_from_township_progress_into_its_villages(client, make, login_as):
    make.division("152201100202", "乌兰哈达嘎查", TOWNSHIP)
    for village in (VILLAGE, VILLAGE, "152201100202"):
        make.household(village)
    make.household("152202100201")  # another county's village
    round_ = make.survey_round(COUNTY, 2026)
    survey = db.session.scalars(select(HouseholdSurvey).where(
        HouseholdSurvey.village_code == VILLAGE)).first()
    survey.status = SurveyStatus.ENTERED
    login_as("county_statistician", COUNTY)
    link = f"/survey/rounds/{round_.id}/townships/{TOWNSHIP}"
    assert f'href="{link}"' in client.get("/survey/rounds").get_data(as_text=True)
    response = client.get(link)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "葛根庙嘎查" in body and "乌兰哈达嘎查" in body and "林俗村" not in body
    assert "已审核 0 / 3 户" in body
    rows = body.split("葛根庙嘎查", 1)[1].split("</tr>", 2)[1]
    assert [cell.strip() for cell in rows.split("<td>")[1:]] == [
        "1</td>", "1</td>", "0</td>", "0</td>", "0</td>"]


def test_only_a_township_of_the_rounds_county_can_be_opened(client, make, login_as):
    round_ = make.survey_round(COUNTY, 2026)
    login_as("county_statistician", COUNTY)
    for code in ("152202100000", VILLAGE, COUNTY, "bad", "152201999000"):
        assert client.get(f"/survey/rounds/{round_.id}/townships/{code}").status_code == 404
    assert client.get(f"/survey/rounds/9999/townships/{TOWNSHIP}").status_code == 404
