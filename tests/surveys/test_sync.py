"""The sync endpoint: each change applied once, refused whole, conflicts answered with the
server's copy, and everything scoped to the collector's village."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from field_app.accounts.roles import Role
from field_app.audit.models import AuditEvent
from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.surveys.models import SyncChange, Training, TransferSpell
from tests.factories import make_id_number
from tests.surveys import helpers as h


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


_IDS: dict[int, str] = {}


def _id(n: int = 1) -> str:
    """The n-th test resident's ID number (the same for the whole module)."""
    if n not in _IDS:
        _IDS[n] = make_id_number(dt.date(1990, 5, 17) + dt.timedelta(days=n),
                                 "male" if n % 2 else "female")
    return _IDS[n]


def test_household_with_members_spell_and_training_is_created_in_the_collectors_village(cadre):
    house = h.household(address="第3组8号", longitude=121.9, latitude=46.6, accuracy=15,
                        location_source="gps")
    ref = house["target_ref"]
    head = h.member(ref, _id(1))
    results = cadre.sync(house, head, h.member(ref, _id(2), relation="spouse"),
                         h.spell(ref, head["target_ref"]), h.training(ref, head["target_ref"]))

    assert [r["status"] for r in results] == ["applied"] * 5
    household = db.session.scalar(select(Household).where(Household.uid == ref))
    assert household.village_code == "152201100201"
    assert household.code.startswith("152201100201") and len(household.code) == 17
    assert household.location_accuracy == 15 and household.location_source == "gps"
    shown = results[-1]["household"]
    assert shown["status"] == "entered" and shown["editable"]
    assert (shown["longitude"], shown["latitude"]) == (121.9, 46.6)
    assert [m["name"] for m in shown["members"]] == ["巴特尔", "巴特尔"]
    assert shown["members"][0]["id_masked"] == _id(1)[:6] + "********" + _id(1)[-4:]
    assert len(shown["members"][0]["spells"]) == 1 and len(shown["members"][0]["trainings"]) == 1


def test_a_change_sent_twice_with_the_same_uuid_makes_one_record(cadre):
    house = h.household()
    head = h.member(house["target_ref"], _id(1))
    first = cadre.sync(house, head)
    again = cadre.sync(house, head)

    assert [r["status"] for r in again] == ["applied", "applied"]
    assert again[1]["household"]["members"] == first[1]["household"]["members"]
    assert _count(Household) == 1 and _count(HouseholdMember) == 1 and _count(Person) == 1
    assert _count(SyncChange) == 2


def test_a_resend_after_a_later_change_answers_with_the_household_as_it_is_now(cadre):
    house = h.household(address="旧地址")
    ref = house["target_ref"]
    cadre.sync(house)
    cadre.sync(h.change("household.save", ref, ref, 1, address="新地址"))
    again = cadre.sync(house)[0]
    assert again["status"] == "applied" and again["household"]["address"] == "新地址"


def test_a_refused_change_writes_nothing_and_later_changes_still_apply(cadre):
    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, _id(1))
    bad = h.spell(ref, head["target_ref"], start_date="2026-05-01", end_date="2026-04-01")
    results = cadre.sync(house, head, bad, h.training(ref, head["target_ref"]))

    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "applied"]
    assert results[2]["errors"] == {"end_date": ["结束日期早于开始日期"]}
    assert _count(TransferSpell) == 0 and _count(Training) == 1


def test_the_server_checks_what_the_browser_checks(cadre):
    house = h.household(longitude=10, latitude=46)
    wrong_check = _id(1)[:17] + ("0" if _id(1)[17] != "0" else "1")
    results = cadre.sync(house, h.member(house["target_ref"], wrong_check))
    assert results[0]["status"] == "rejected"
    assert results[0]["errors"]["longitude"] == ["经度超出中国范围（73.4～135.1）"]
    assert results[1]["status"] == "conflict"  # its household was never created
    results = cadre.sync(h.household(ref := h.new_ref()), h.member(ref, wrong_check, name=""))
    assert results[1]["errors"] == {"id_number": ["身份证号码校验码错误"], "name": ["必填"]}


def test_a_person_known_elsewhere_is_linked_and_the_cadre_told_only_that(cadre, make):
    person = make.person(id_number=_id(5), name="乌兰")
    make.employment(person, dt.date(2026, 2, 1))  # at 第一社区, outside the village
    db.session.commit()
    house = h.household()
    result = cadre.sync(house, h.member(house["target_ref"], _id(5), name="乌兰"))[1]

    assert result["status"] == "applied"
    assert result["notice"] == "已关联系统中已有的人员（姓名与登记一致），未重复建档"
    assert _count(Person) == 1
    assert result["household"]["members"][0]["registered_elsewhere"] == []


def test_a_member_of_another_household_is_not_entered_twice(cadre, make):
    other = make.household("152201100201")
    make.member(make.person(id_number=_id(6)), other)
    db.session.commit()
    house = h.household()
    result = cadre.sync(house, h.member(house["target_ref"], _id(6)))[1]
    assert result["status"] == "rejected"
    assert other.code in result["errors"]["id_number"][0]
    assert _count(HouseholdMember) == 1


def test_a_change_made_on_an_old_version_is_a_conflict_answered_with_the_servers_copy(cadre):
    house = h.household(address="原地址")
    ref = house["target_ref"]
    cadre.sync(house)
    cadre.sync(h.change("household.save", ref, ref, 1, address="村委会改的地址"))
    stale = h.change("household.save", ref, ref, 1, address="手机离线时改的地址")
    result = cadre.sync(stale)[0]

    assert result["status"] == "conflict"
    assert result["household"]["address"] == "村委会改的地址"
    assert result["household"]["version"] == 2
    kept = cadre.sync(h.change("household.save", ref, ref, 2, address="手机离线时改的地址"))[0]
    assert kept["status"] == "applied" and kept["household"]["address"] == "手机离线时改的地址"


def test_member_spell_and_training_removal_is_idempotent(cadre):
    house = h.household()
    ref = house["target_ref"]
    head, spouse = h.member(ref, _id(1)), h.member(ref, _id(2), relation="spouse")
    spell = h.spell(ref, head["target_ref"])
    cadre.sync(house, head, spouse, spell)
    remove_spell = h.change("spell.remove", ref, spell["target_ref"], 1,
                            member_ref=head["target_ref"])
    remove_spouse = h.change("member.remove", ref, spouse["target_ref"], 1)
    results = cadre.sync(remove_spell, remove_spouse)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert [m["ref"] for m in results[1]["household"]["members"]] == [head["target_ref"]]
    assert _count(TransferSpell) == 0 and _count(HouseholdMember) == 1
    assert _count(Person) == 2  # the person stays in the system


def test_households_of_another_village_cannot_be_touched(cadre, make):
    other = make.household("152202100201")
    db.session.commit()
    result = cadre.sync(h.change("household.save", f"s{other.id}", f"s{other.id}", 1,
                                 address="越权"))[0]
    assert result["status"] == "rejected" and result["household"] is None
    db.session.expire_all()
    assert db.session.get(Household, other.id).address == "测试地址"


def test_nothing_can_be_entered_without_an_open_round(client, login_as, make):
    login_as(Role.VILLAGE_COLLECTOR)
    result = h.Phone(client).sync(h.household())[0]
    assert result["status"] == "rejected" and "尚未开启" in result["message"]
    assert _count(Household) == 0


def test_sync_needs_the_csrf_token(cadre):
    response = cadre.client.post("/api/survey/sync", json={"changes": [h.household()]})
    assert response.status_code == 400
    assert "server" not in response.get_json()  # not an acknowledgement
    assert _count(Household) == 0


def test_signed_out_phone_gets_401_json_and_nothing_is_applied(client, make, survey_round):
    response = client.post("/api/survey/sync", json={"changes": [h.household()]})
    assert response.status_code == 401 and response.is_json
    assert _count(Household) == 0


def test_malformed_changes_are_refused_with_a_reason(cadre):
    results = cadre.sync({"uuid": "not-a-uuid", "op": "household.save"},
                         h.change("household.delete", h.new_ref()))
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "uuid" in results[0]["errors"] and "op" in results[1]["errors"]
    assert cadre.send().status_code == 422  # an empty batch


def test_every_applied_change_is_in_the_audit_log_under_the_collector(cadre):
    house = h.household()
    cadre.sync(house, h.member(house["target_ref"], _id(1)))
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.target_type,
                                     AuditEvent.actor_name)).all()
    targets = {(action, target) for action, target, _actor in rows}
    assert {("create", "households"), ("create", "household_members"), ("create", "persons"),
            ("create", "household_surveys")} <= targets
    survey_targets = {"households", "household_members", "persons", "household_surveys"}
    assert {actor for _a, target, actor in rows if target in survey_targets} == \
        {rows[-1].actor_name}
    assert rows[-1].actor_name.startswith("village_collector")
    assert ("create", "sync_changes") not in targets


def test_roster_is_the_village_only_and_masks_identifiers(cadre, make):
    mine = make.household("152201100201")
    make.member(make.person(id_number=_id(7), phone="13912345678"), mine)
    make.household("152202100201")
    db.session.commit()
    roster = cadre.roster()
    assert [x["code"] for x in roster["households"]] == [mine.code]
    member = roster["households"][0]["members"][0]
    assert member["id_masked"] == _id(7)[:6] + "********" + _id(7)[-4:]
    assert member["phone_masked"] == "139****5678"
    assert _id(7) not in cadre.client.get("/api/survey/roster").get_data(as_text=True)
    assert roster["households"][0]["status"] == SurveyStatus.NOT_SURVEYED.value


def test_roster_answers_304_when_nothing_changed(cadre):
    first = cadre.client.get("/api/survey/roster")
    again = cadre.client.get("/api/survey/roster", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    cadre.sync(h.household())
    changed = cadre.client.get("/api/survey/roster",
                               headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_person_lookup_tells_where_a_person_is_known(cadre, make):
    person = make.person(id_number=_id(8), name="其其格")
    make.member(person, make.household("152201100201"))
    db.session.commit()
    found = cadre.client.get(f"/api/survey/person?id_number={_id(8)}").get_json()
    assert found == {"server": "field_app", "known": True, "linkable": False,
                     "name_masked": "其**",
                     "where": [f"葛根庙嘎查 户 {person.membership.household.code}"]}
    unknown = cadre.client.get(f"/api/survey/person?id_number={_id(9)}").get_json()
    assert unknown["known"] is False and unknown["linkable"] is True
    db.session.expire_all()
    lookups = db.session.execute(select(AuditEvent.target_id, AuditEvent.actor_name).where(
        AuditEvent.action == "survey_person_lookup")).all()
    assert [target for target, _actor in lookups] == [str(person.id)]
    assert lookups[0].actor_name.startswith("village_collector")


def test_status_rows_back_the_household(cadre):
    house = h.household()
    cadre.sync(house)
    survey = db.session.scalar(select(HouseholdSurvey))
    assert survey.status == SurveyStatus.ENTERED and survey.village_code == "152201100201"


def test_an_import_that_changes_a_household_makes_an_offline_edit_a_conflict(cadre, tmp_path):
    from field_app.exchange.importer import import_dataset

    house = h.household(address="手机录入")
    ref = house["target_ref"]
    code = cadre.sync(house)[0]["household"]["code"]
    (tmp_path / "households.csv").write_text(
        f"household_code,village_code,address\n{code},152201100201,乡镇花名册地址\n",
        encoding="utf-8")
    assert import_dataset(db.session.connection(), tmp_path).ok
    db.session.commit()
    result = cadre.sync(h.change("household.save", ref, ref, 1, address="离线修改"))[0]
    assert result["status"] == "conflict"
    assert result["household"]["address"] == "乡镇花名册地址"


def test_a_resent_change_keeps_the_version_it_produced(cadre):
    house = h.household()
    ref = house["target_ref"]
    cadre.sync(house)
    mine = h.change("household.save", ref, ref, 1, address="我的修改")
    assert cadre.sync(mine)[0]["target_version"] == 2
    cadre.sync(h.change("household.save", ref, ref, 2, address="别人的修改"))
    again = cadre.sync(mine)[0]
    # The phone rebases its next changes on 2, not 3: a change made on 2 is a conflict.
    assert (again["target_version"], again["household"]["version"]) == (2, 3)
    assert cadre.sync(h.change("household.save", ref, ref, 2, address="下一条"))[0][
        "status"] == "conflict"


def test_messages_follow_the_users_language(cadre):
    cadre.client.get("/api/survey/session?lang=en")
    house = h.household()
    ref = house["target_ref"]
    cadre.sync(house)
    result = cadre.sync(h.change("household.save", ref, ref, 7, address="x"))[0]
    assert result["message"] == "the record was changed by someone else meanwhile"


def test_a_locked_account_is_answered_401_and_nothing_is_applied(cadre, make):
    from field_app.accounts.models import User
    from field_app.accounts.roles import AccountState

    token = cadre.token()
    collector = db.session.scalar(select(User).where(User.role == Role.VILLAGE_COLLECTOR))
    collector.state = AccountState.LOCKED  # the 30-day sweep, or an administrator
    db.session.commit()
    response = cadre.client.post("/api/survey/sync", json={"changes": [h.household()]},
                                 headers={"X-CSRFToken": token})
    assert response.status_code == 401 and "server" not in response.get_json()
    assert _count(Household) == 0
