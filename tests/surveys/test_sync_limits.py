"""Sync bodies no phone sends: refused with a 4xx answer in the error shape, or as that one
change's rejection, never 500; and nothing of them is written."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from field_app.extensions import db
from field_app.households.models import Household
from field_app.surveys import queries
from field_app.surveys.schemas import depth_of
from tests.surveys import helpers as h

ERROR_SHAPE = {"code", "status", "message", "errors"}


def _post(cadre, body: str | bytes):
    return cadre.client.post("/api/survey/sync", data=body, content_type="application/json",
                             headers={"X-CSRFToken": cadre.token()})


@pytest.mark.parametrize("body", [
    '{"changes": ' + "[" * 100_000 + "]" * 100_000 + "}",  # past orjson's own 1024 levels
    '{"changes": [{"data": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}]}",  # within them
    '{"changes": [[[[[[[[1]]]]]]]]}',
    "[1, 2]",
    '"changes"',
    "{not json",
    "",
    '{"changes": "x"}',
    '{"changes": []}',
])
def test_a_body_that_is_not_a_batch_is_422_in_the_error_shape(cadre, body):
    response = _post(cadre, body)
    assert response.status_code == 422
    assert set(response.get_json()) == ERROR_SHAPE and "server" not in response.get_json()


def test_a_body_over_the_limit_is_413_in_the_error_shape(cadre):
    change = h.household(address="x" * 1000)
    body = '{"changes": [' + ",".join([json.dumps(change)] * 1200) + "]}"
    response = _post(cadre, body)
    assert response.status_code == 413
    assert set(response.get_json()) == ERROR_SHAPE
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def _results(cadre, *changes):
    response = cadre.send(*changes)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["results"]


LONG_REF = "s" + "9" * 39


@pytest.mark.parametrize("change", [
    {"household_ref": ["s1"]},
    {"target_ref": {"ref": "s1"}},
    {"household_ref": LONG_REF},
    {"target_ref": LONG_REF},
    {"household_ref": "s²"},
    {"household_ref": "s1\x00"},
    {"target_ref": "s1\n"},
    {"base_version": 10**30},
    {"base_version": "1"},
    {"made_at": "2026\x00"},
    {"data": {"member_ref": ["s1"]}},
    {"data": {"address": {"nested": [1, 2]}}},
    {"data": {"address": "x" * 5000}},
    {"data": {"longitude": 1e300, "latitude": -1e300}},
    {"data": {"accuracy": 10**40}},
    {"uuid": ["x"] * 3},
    {"uuid": "u" * 10_000},
])
def test_a_change_of_the_wrong_shape_is_rejected_alone(cadre, change):
    good = h.household()
    odd = h.household() | change
    results = _results(cadre, odd, good)

    assert results[0]["status"] == "rejected" and results[0]["errors"]
    assert len(results[0]["uuid"]) <= 36
    assert results[1]["status"] == "applied"


@pytest.mark.parametrize("ref", [LONG_REF, "s2147483648", "s" + "0" * 10, ["s1"], {"s": 1},
                                 "s1\x00", "s٣", 17])
def test_a_member_ref_that_names_no_record_is_a_refusal(cadre, ref):
    house = h.household()
    spell = h.spell(house["target_ref"], ref)
    results = _results(cadre, house, spell,
                       h.change("spell.remove", house["target_ref"], spell["target_ref"], 1,
                                member_ref=ref))
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected"]


@pytest.mark.parametrize("ref", [LONG_REF, "s99999999999", "s2147483648", "s²", "s1\x00",
                                 "s1\n", "", None, 7, ["s1"], "x" * 10_000])
def test_looking_up_a_ref_that_names_no_record_finds_nothing(app_ctx, ref):
    assert queries.by_ref(db.session, Household, ref) is None


def test_nesting_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert depth_of(deep, 6) == 7
    assert depth_of({"changes": [{"data": {"a": 1}}]}, 6) == 4
