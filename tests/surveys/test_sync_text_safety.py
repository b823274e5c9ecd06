"""The phone's sync refuses control, bidi and zero-width characters in every text field with
the importer's message, and stores nothing of the refused change."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from field_app.extensions import db
from field_app.households.models import Household, Person
from tests.factories import make_id_number
from tests.surveys import helpers as h

NOT_ALLOWED = "含有不允许的字符"


def test_a_member_whose_name_holds_a_bidi_override_is_refused(cadre):
    house = h.household()
    ref = house["target_ref"]
    results = cadre.sync(house, h.member(ref, make_id_number(dt.date(1990, 5, 18)),
                                         name="巴特\u202e尔"))
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["errors"] == {"name": [f"{NOT_ALLOWED}（U+202E，第3个字符）"]}
    assert db.session.scalar(select(Person.id)) is None


def test_an_address_with_a_zero_width_space_and_a_course_with_a_control_character_are_refused(
        cadre):
    refused = cadre.sync(h.household(address="第3组\u200b8号"))[0]
    assert refused["status"] == "rejected"
    assert refused["errors"] == {"address": [f"{NOT_ALLOWED}（U+200B，第4个字符）"]}
    assert db.session.scalar(select(Household.id)) is None

    house = h.household()
    ref = house["target_ref"]
    head = h.member(ref, make_id_number(dt.date(1990, 5, 18)))
    results = cadre.sync(house, head, h.training(ref, head["target_ref"], course="电\x0b焊"))
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    assert results[2]["errors"] == {"course": [f"{NOT_ALLOWED}（U+000B，第2个字符）"]}


def test_a_name_that_only_starts_like_a_formula_is_stored_as_typed(cadre):
    house = h.household()
    ref = house["target_ref"]
    results = cadre.sync(house, h.member(ref, make_id_number(dt.date(1990, 5, 18)),
                                         name="-巴特尔"))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert db.session.scalar(select(Person.name)) == "-巴特尔"
