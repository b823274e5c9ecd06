"""The reviewer of a resubmitted household sees every earlier return with its reasons, what
the collector changed since the last return, who approved the household and when; approving
asks first; a return without a reason is refused where the form is."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from field_app.extensions import db
from field_app.households.models import HouseholdMember
from field_app.review.states import SurveyStatus
from tests.factories import make_id_number
from tests.review.test_review_loop import _as, _submit, _survey, household  # noqa: F401
from tests.surveys import helpers as h


def _text(response) -> str:
    """The page's text without tags, spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _return(client, survey, spouse_id) -> None:
    assert client.post(f"/review/households/{survey.id}", data={
        "send_back": "1", "reason": "地址不完整",
        f"member_{spouse_id}": "劳动能力填写有误"}).status_code == 302


def test_a_resubmitted_household_shows_the_returns_and_what_changed_since(client,
                                                                          household):  # noqa: F811
    phone, ref = household["phone"], household["ref"]
    # Before the return: a spell added and taken out again, never shown as a change.
    early = h.spell(ref, household["head"])
    assert phone.sync(early)[0]["status"] == "applied"
    assert phone.sync(h.change("spell.remove", ref, early["target_ref"], 1,
                               member_ref=household["head"]))[0]["status"] == \
        "applied"
    _submit(phone, ref)
    _as(client, household["reviewer"].username)
    survey = _survey()
    spouse = db.session.scalar(select(HouseholdMember).where(
        HouseholdMember.uid == household["spouse"]))
    _return(client, survey, spouse.id)

    _as(client, household["collector"].username)
    shown = next(x for x in phone.roster()["households"] if x["ref"] == ref)
    fixed = phone.sync(
        h.change("household.save", ref, ref, shown["version"], address="第2组5号"),
        h.member(ref, "", ref=household["spouse"], base=1, relation="spouse", name="萨仁",
                 labour_capacity="partial"),
        h.training(ref, household["spouse"]),
        h.member(ref, make_id_number(dt.date(2008, 8, 8), "female"), relation="child",
                 name="其其格"))
    assert [r["status"] for r in fixed] == ["applied"] * 4
    _submit(phone, ref)

    _as(client, household["reviewer"].username)
    page = _text(client.get(f"/review/households/{survey.id}"))
    assert "历次退回原因" in page and "第1次退回" in page
    assert "地址不完整" in page and "萨仁：劳动能力填写有误" in page
    changes = page.split("第1次退回后的修改")[1].split("历次退回原因")[0]
    assert "地址： 第1组1号 → 第2组5号" in changes
    assert "成员 萨仁" in changes and "劳动能力： 完全劳动能力 → 部分劳动能力" in changes
    assert "培训 · 萨仁 新增" in changes and "电焊" in changes
    assert "成员 其其格 新增" in changes
    # The child's ID number is masked in the list of changes, as on the rest of the page.
    assert make_id_number(dt.date(2008, 8, 8), "female") not in page
    assert "转移就业经历" not in changes  # added and removed before the return
    assert "巴特尔" not in changes  # the head was not touched since the return

    village = _text(client.get("/review/villages/152201100201"))
    assert "第1次退回后重新提交" in village


def test_approving_asks_first_and_the_household_shows_who_approved_and_when(
        client, household):  # noqa: F811
    _submit(household["phone"], household["ref"])
    reviewer = household["reviewer"]
    _as(client, reviewer.username)
    survey = _survey()
    asked = client.post(f"/review/households/{survey.id}", data={"approve": "1"})
    assert asked.status_code == 200 and "确认审核通过这一户" in _text(asked)
    assert _survey().status == SurveyStatus.SUBMITTED  # the first press only asks

    done = client.post(f"/review/households/{survey.id}",
                       data={"approve": "1", "confirmed": "1"})
    assert done.status_code == 302
    approved = _survey()
    assert approved.status == SurveyStatus.APPROVED
    when = approved.reviewed_at.strftime("%Y-%m-%d %H:%M")
    page = _text(client.get(f"/review/households/{survey.id}"))
    assert f"审核通过：{reviewer.display_name} · {when}" in page
    assert "确认审核通过" not in page and "第1次退回后的修改" not in page
    village = _text(client.get("/review/villages/152201100201"))
    assert f"审核通过：{reviewer.display_name} · {when}" in village


def test_a_return_without_a_reason_is_refused_at_the_return_form(client, household):  # noqa: F811
    _submit(household["phone"], household["ref"])
    _as(client, household["reviewer"].username)
    survey = _survey()
    response = client.post(f"/review/households/{survey.id}", data={"send_back": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    form = body.split('id="return"')[1].split("</form>")[0]
    # The message is the first thing in the form the page comes back to (#return).
    assert 'action="#return"' in body and 'role="alert">请填写退回原因' in form
    assert form.index("请填写退回原因") < form.index("整户退回原因")
    assert _survey().status == SurveyStatus.SUBMITTED
