"""The phone inside a locked period: a spell, a training or a membership change that would
alter a locked period's figures comes back ``rejected`` with a message naming the division
and the period; the other changes of the batch still apply."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import HouseholdMember
from field_app.surveys.models import Training, TransferSpell
from tests.factories import make_id_number
from tests.locks.conftest import OTHER_BANNER, TOWNSHIP, VILLAGE
from tests.surveys import helpers as h

VILLAGE_Q1 = "葛根庙嘎查 2026年第1季度"
TOWNSHIP_Q1 = "义勒力特镇 2026年第1季度"


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _id(n: int) -> str:
    return make_id_number(dt.date(1988, 3, 1) + dt.timedelta(days=n), "male")


def _refused(result: dict, name: str) -> None:
    assert result["status"] == "rejected", result
    assert name in result["message"] and "已报送锁定" in result["message"]
    assert "2026-03-31" in result["message"]
    assert result["errors"] == {}


def test_a_spell_in_a_locked_village_is_refused_and_the_rest_of_the_batch_applies(cadre, lock):
    lock(VILLAGE)
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(1))
    inside = h.spell(ref, head["target_ref"], start_date="2026-03-31")
    beside = h.spell(ref, head["target_ref"], start_date="2026-04-01", kind="primary_after_land_transfer")
    results = cadre.sync(house, head, inside, beside)

    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "applied"]
    _refused(results[2], VILLAGE_Q1)
    assert _count(TransferSpell) == 1
    assert db.session.scalar(select(TransferSpell.start_date)) == dt.date(2026, 4, 1)


def test_ending_a_stored_spell_inside_a_locked_period_is_refused_after_it_is_not(cadre, lock):
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(2))
    spell = h.spell(ref, head["target_ref"], start_date="2026-02-01")
    cadre.sync(house, head, spell)
    lock(VILLAGE)
    end_inside = h.spell(ref, head["target_ref"], spell["target_ref"], 1,
                         start_date="2026-02-01", end_date="2026-03-15")
    end_after = h.spell(ref, head["target_ref"], spell["target_ref"], 1,
                        start_date="2026-02-01", end_date="2026-05-15")
    results = cadre.sync(end_inside, end_after)
    _refused(results[0], VILLAGE_Q1)
    assert results[1]["status"] == "applied"
    assert db.session.scalar(select(TransferSpell.end_date)) == dt.date(2026, 5, 15)


def test_removing_a_spell_of_a_locked_period_is_refused(cadre, lock):
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(3))
    spell = h.spell(ref, head["target_ref"], start_date="2026-02-01")
    cadre.sync(house, head, spell)
    lock(VILLAGE)
    result = cadre.sync(h.change("spell.remove", ref, spell["target_ref"], 1,
                                 member_ref=head["target_ref"]))[0]
    _refused(result, VILLAGE_Q1)
    assert _count(TransferSpell) == 1


def test_a_training_in_a_locked_township_is_refused_and_one_after_it_applies(cadre, lock):
    lock(TOWNSHIP)
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(4))
    inside = h.training(ref, head["target_ref"], start_date="2026-03-20", end_date="2026-04-05")
    after = h.training(ref, head["target_ref"], course="焊工", start_date="2026-04-01",
                       end_date="2026-04-20")
    results = cadre.sync(house, head, inside, after)
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "applied"]
    _refused(results[2], TOWNSHIP_Q1)
    assert _count(Training) == 1


def test_a_lock_of_another_county_does_not_hold_the_village(cadre, lock):
    lock(OTHER_BANNER)
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(5))
    results = cadre.sync(house, head, h.spell(ref, head["target_ref"], start_date="2026-02-01"),
                         h.training(ref, head["target_ref"], start_date="2026-02-01",
                                    end_date="2026-02-20"))
    assert [r["status"] for r in results] == ["applied"] * 4


def test_a_released_lock_no_longer_holds_the_village(cadre, lock, release):
    release(lock(VILLAGE))
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(6))
    results = cadre.sync(house, head, h.spell(ref, head["target_ref"], start_date="2026-02-01"))
    assert [r["status"] for r in results] == ["applied"] * 3


def test_a_member_with_a_spell_in_the_locked_period_keeps_their_place(cadre, lock):
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(7))
    spouse = h.member(ref, _id(8), relation="spouse")
    cadre.sync(house, head, spouse,
               h.spell(ref, spouse["target_ref"], start_date="2025-11-01", end_date="2026-02-01"))
    lock(VILLAGE)
    fields = {"name": "巴特尔", "relation": "spouse", "labour_capacity": "full"}
    results = cadre.sync(
        h.change("member.save", ref, spouse["target_ref"], 1, **(fields | {"relation": "other"})),
        h.change("member.save", ref, spouse["target_ref"], 2,
                 **(fields | {"relation": "other", "labour_capacity": "none"})),
        h.change("member.remove", ref, spouse["target_ref"], 2),
        h.change("member.save", ref, head["target_ref"], 1,
                 **(fields | {"relation": "head", "labour_capacity": "partial"})))
    # The relation is no figure; the capacity and the membership of a person with a spell
    # in the locked period are; the head has none there.
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    _refused(results[1], VILLAGE_Q1)
    _refused(results[2], VILLAGE_Q1)
    assert _count(HouseholdMember) == 2
