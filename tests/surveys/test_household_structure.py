"""Issue 15 on the server: one head per household, a submission that waits for the
household's refused changes, 本户无变化 (confirmed unchanged), and a removed member's
spells and trainings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.households.models import HouseholdMember
from field_app.review.models import HouseholdSurvey
from field_app.surveys.models import Training, TransferSpell
from tests.factories import make_id_number
from tests.surveys import helpers as h


def _id(n: int) -> str:
    return make_id_number(dt.date(1985, 3, 1) + dt.timedelta(days=n), "male" if n % 2 else "female")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _status(household_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(HouseholdSurvey.status)
                             .where(HouseholdSurvey.household_id == household_id))


def test_a_second_head_is_refused_and_heads_are_swapped_through_another_relation(cadre):
    house = h.household()
    ref = house["target_ref"]
    first, second = h.member(ref, _id(1), name="巴特尔"), h.member(ref, _id(2), name="其其格")
    results = cadre.sync(house, first, second)
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    assert results[2]["errors"]["relation"] == [
        "本户已有户主（巴特尔），一户只能有一名户主；请先把原户主改为其他关系"]

    second = h.member(ref, _id(2), name="其其格", relation="spouse")
    spouse_version = cadre.sync(second)[0]["target_version"]
    # Editing the head as head again is no second head.
    again = h.member(ref, _id(1), ref=first["target_ref"], base=1, name="巴特尔",
                     labour_capacity="partial")
    result = cadre.sync(again)[0]
    assert result["status"] == "applied"
    # Swap: the old head first becomes a spouse, then the spouse becomes the head.
    swap = [h.member(ref, _id(1), ref=first["target_ref"], base=result["target_version"],
                     name="巴特尔", relation="spouse"),
            h.member(ref, _id(2), ref=second["target_ref"], base=spouse_version, name="其其格",
                     relation="head")]
    results = cadre.sync(*swap)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert {m["name"]: m["relation"] for m in results[1]["household"]["members"]} == {
        "巴特尔": "spouse", "其其格": "head"}


def test_a_household_without_a_head_cannot_be_submitted(cadre):
    house = h.household()
    ref = house["target_ref"]
    results = cadre.sync(house, h.member(ref, _id(3), relation="spouse"),
                         h.change("household.submit", ref))
    assert results[2]["status"] == "rejected"
    assert results[2]["message"] == "每户应有且只有一名户主（现有0名）"


def test_a_submission_waits_for_the_households_refused_change(cadre):
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(4))
    cadre.sync(house, head)
    bad = h.member(ref, _id(5), relation="spouse", labour_capacity="lots")
    submit = h.change("household.submit", ref)
    submit["after"] = [bad["uuid"]]
    results = cadre.sync(bad, submit)
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[1]["message"].startswith("本户还有未被接受的修改，不能提交")
    assert results[1]["household"]["status"] == "entered"

    # Corrected (sent again under a new uuid) the submission goes through after it.
    fixed = h.member(ref, _id(5), ref=bad["target_ref"], relation="spouse")
    submit = h.change("household.submit", ref)
    submit["after"] = [fixed["uuid"]]
    results = cadre.sync(fixed, submit)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[1]["household"]["status"] == "submitted"


def test_a_submission_naming_a_change_the_server_never_saw_is_refused(cadre):
    house = h.household()
    ref = house["target_ref"]
    cadre.sync(house, h.member(ref, _id(6)))
    submit = h.change("household.submit", ref)
    submit["after"] = [h.new_ref()]
    assert cadre.sync(submit)[0]["status"] == "rejected"
    # The refused change discarded on purpose: the phone no longer names it.
    assert cadre.sync(h.change("household.submit", ref))[0]["status"] == "applied"


def test_an_unchanged_household_is_confirmed_counts_as_surveyed_and_can_be_submitted(
        cadre, make):
    household = make.household()
    make.member(make.person(dt.date(1970, 1, 2)), household)
    db.session.commit()
    ref = f"s{household.id}"
    assert cadre.roster()["households"][0]["status"] == "not_surveyed"

    result = cadre.sync(h.change("household.confirm", ref))[0]
    assert result["status"] == "applied" and result["household"]["status"] == "entered"
    assert _status(household.id) == "entered"
    assert db.session.scalar(select(func.count()).where(
        AuditEvent.action == "household_confirm",
        AuditEvent.target_id == str(household.id))) == 1
    assert cadre.sync(h.change("household.submit", ref))[0]["status"] == "applied"
    assert _status(household.id) == "submitted"
    # Read-only once submitted: no confirmation either.
    assert cadre.sync(h.change("household.confirm", ref))[0]["status"] == "rejected"


def test_a_household_without_members_is_not_confirmed(cadre, make):
    household = make.household()
    db.session.commit()
    result = cadre.sync(h.change("household.confirm", f"s{household.id}"))[0]
    assert result["status"] == "rejected" and result["message"] == "该户还没有成员，请先录入成员"
    assert cadre.roster()["households"][0]["status"] == "not_surveyed"


def test_a_removed_members_spells_and_trainings_go_with_them(cadre):
    house, other = h.household(), h.household(address="第2组")
    ref = house["target_ref"]
    head, moving = h.member(ref, _id(7)), h.member(ref, _id(8), relation="child")
    spell = h.spell(ref, moving["target_ref"])
    cadre.sync(house, other, head, moving, spell, h.training(ref, moving["target_ref"]),
               h.spell(ref, head["target_ref"]))
    removed = cadre.sync(h.change("member.remove", ref, moving["target_ref"], 1))[0]
    assert removed["status"] == "applied"
    assert _count(TransferSpell) == 1 and _count(Training) == 0  # the head's spell stays

    # Linked in another household, the person's spell is entered there without a clash.
    oref = other["target_ref"]
    linked = h.member(oref, _id(8))
    results = cadre.sync(linked, h.spell(oref, linked["target_ref"]))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert len(results[1]["household"]["members"][0]["spells"]) == 1
    assert _count(HouseholdMember) == 2
