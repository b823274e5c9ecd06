"""The review loop: submit, return with reasons per household and member, correct,
resubmit, approve; approved is read-only; every step audited; states backed by the
database."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.households.models import HouseholdMember
from field_app.review.models import HouseholdSurvey
from field_app.review.states import EDITABLE, TRANSITIONS, SurveyEvent, SurveyStatus
from tests.accounts.helpers import sign_in
from tests.factories import make_id_number
from tests.surveys import helpers as h


@pytest.fixture
def household(client, make):
    """A household of two entered by the collector of 葛根庙嘎查, and the phone."""
    make.survey_round()
    collector = make.user(Role.VILLAGE_COLLECTOR)
    reviewer = make.user(Role.TOWNSHIP_REVIEWER)
    db.session.commit()
    sign_in(client, collector.username)
    phone = h.Phone(client)
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, make_id_number(dt.date(1980, 1, 2)))
    spouse = h.member(ref, make_id_number(dt.date(1982, 3, 4), "female"), relation="spouse",
                      name="萨仁")
    results = phone.sync(house, head, spouse)
    assert [r["status"] for r in results] == ["applied"] * 3
    return {"phone": phone, "ref": ref, "head": head["target_ref"],
            "spouse": spouse["target_ref"], "collector": collector, "reviewer": reviewer}


def _survey() -> HouseholdSurvey:
    db.session.expire_all()
    return db.session.scalar(select(HouseholdSurvey).where(
        HouseholdSurvey.status != SurveyStatus.NOT_SURVEYED))


def _submit(phone, ref) -> dict:
    return phone.sync(h.change("household.submit", ref))[0]


def _as(client, username):
    client.post("/logout")
    sign_in(client, username)


def test_return_correct_resubmit_approve(client, household):
    phone, ref = household["phone"], household["ref"]
    submitted = _submit(phone, ref)
    assert submitted["status"] == "applied"
    assert submitted["household"]["status"] == "submitted"
    assert not submitted["household"]["editable"]
    refused = phone.sync(h.change("household.save", ref, ref, 1, address="提交后再改"))[0]
    assert refused["status"] == "rejected" and "已提交" in refused["message"]

    _as(client, household["reviewer"].username)
    assert "待审核 1" in client.get("/review/").get_data(as_text=True)
    survey = _survey()
    village = client.get("/review/villages/152201100201")
    assert village.status_code == 200 and survey.household.code in village.get_data(as_text=True)
    spouse = db.session.scalar(select(HouseholdMember).where(
        HouseholdMember.uid == household["spouse"]))
    page = client.get(f"/review/households/{survey.id}")
    assert "萨仁" in page.get_data(as_text=True)
    returned = client.post(f"/review/households/{survey.id}", data={
        "send_back": "1", "reason": "地址不完整", f"member_{spouse.id}": "劳动能力填写有误"})
    assert returned.status_code == 302
    assert _survey().status == SurveyStatus.RETURNED and _survey().return_count == 1

    _as(client, household["collector"].username)
    shown = next(x for x in phone.roster()["households"] if x["ref"] == ref)
    assert shown["status"] == "returned" and shown["editable"]
    assert {(r["member_ref"], r["reason"]) for r in shown["returns"]} == {
        (None, "地址不完整"), (household["spouse"], "劳动能力填写有误")}
    fixed = phone.sync(h.change("household.save", ref, ref, shown["version"],
                                address="第2组5号"),
                       h.member(ref, "", ref=household["spouse"], base=1, relation="spouse",
                                name="萨仁", labour_capacity="partial"))
    assert [r["status"] for r in fixed] == ["applied", "applied"]
    assert fixed[1]["household"]["status"] == "returned"  # reasons stay until resubmitted
    assert _submit(phone, ref)["household"]["status"] == "submitted"

    _as(client, household["reviewer"].username)
    assert client.post(f"/review/households/{survey.id}",
                       data={"approve": "1", "confirmed": "1"}).status_code == 302
    assert _survey().status == SurveyStatus.APPROVED

    _as(client, household["collector"].username)
    shown = next(x for x in phone.roster()["households"] if x["ref"] == ref)
    assert shown["status"] == "approved" and not shown["editable"] and shown["returns"] == []
    late = phone.sync(h.member(ref, make_id_number(dt.date(2001, 1, 1)), relation="child"))[0]
    assert late["status"] == "rejected"
    actions = [a for (a,) in db.session.execute(
        select(AuditEvent.action).where(AuditEvent.action.like("household_%"))
        .order_by(AuditEvent.id))]
    assert actions == ["household_submit", "household_return", "household_submit",
                       "household_approve"]


def test_returning_needs_a_reason(client, household):
    _submit(household["phone"], household["ref"])
    _as(client, household["reviewer"].username)
    survey = _survey()
    response = client.post(f"/review/households/{survey.id}", data={"send_back": "1"})
    assert response.status_code == 422 and "请填写退回原因" in response.get_data(as_text=True)
    assert _survey().status == SurveyStatus.SUBMITTED


def test_a_household_needs_exactly_one_head_to_be_submitted(household):
    phone, ref = household["phone"], household["ref"]
    second = phone.sync(h.member(ref, "", ref=household["spouse"], base=1, relation="head",
                                 name="萨仁"))[0]
    assert second["status"] == "rejected" and "户主" in second["message"]  # not even saved
    phone.sync(h.member(ref, "", ref=household["head"], base=1, relation="child"))
    result = _submit(phone, ref)  # no head at all
    assert result["status"] == "rejected" and "户主" in result["message"]
    assert _survey().status == SurveyStatus.ENTERED


def test_reviewer_of_another_township_gets_404(client, make, household):
    _submit(household["phone"], household["ref"])
    stranger = make.user(Role.TOWNSHIP_REVIEWER, "152202100000")
    db.session.commit()
    _as(client, stranger.username)
    survey = _survey()
    assert client.get(f"/review/households/{survey.id}").status_code == 404
    assert client.post(f"/review/households/{survey.id}",
                       data={"approve": "1", "confirmed": "1"}).status_code == 404
    assert client.get("/review/villages/152201100201").status_code == 404
    assert _survey().status == SurveyStatus.SUBMITTED


def test_an_unsubmitted_household_cannot_be_approved(client, household):
    _as(client, household["reviewer"].username)
    survey = _survey()
    response = client.post(f"/review/households/{survey.id}",
                           data={"approve": "1", "confirmed": "1"})
    assert response.status_code == 422 and _survey().status == SurveyStatus.ENTERED


def test_the_database_refuses_a_reviewed_status_without_a_reviewer(household):
    survey = _survey()
    with pytest.raises(IntegrityError):
        db.session.execute(update(HouseholdSurvey).where(HouseholdSurvey.id == survey.id)
                           .values(status=SurveyStatus.APPROVED.value))
        db.session.flush()
    db.session.rollback()


# Who may act on a household in each status: the cadre edits what is not under review or
# approved and submits what has been entered; the township decides on what was submitted
# and may send an approved household back.
MAY = {
    SurveyEvent.EDIT: EDITABLE,
    SurveyEvent.SUBMIT: {SurveyStatus.ENTERED, SurveyStatus.RETURNED},
    SurveyEvent.APPROVE: {SurveyStatus.SUBMITTED},
    SurveyEvent.RETURN: {SurveyStatus.SUBMITTED, SurveyStatus.APPROVED},
}


@pytest.mark.parametrize(("status", "event"), [(s, e) for s in SurveyStatus for e in SurveyEvent])
def test_the_transition_table_allows_exactly_what_each_role_may_do(status, event):
    assert ((status, event) in TRANSITIONS) == (status in MAY[event])
