"""The browser's rules are the importer's: built from the same column specs, with the same
messages the server answers."""
from __future__ import annotations

import datetime as dt

import pytest

from field_app.core.errors import ValidationFailed
from field_app.exchange import files
from field_app.exchange.checks import check_row
from field_app.surveys.labels import FIELDS
from field_app.surveys.rules import ENTITIES, client_rules
from tests.factories import make_id_number


@pytest.fixture
def page(app):
    """A request in Chinese, as the survey page is rendered."""
    with app.test_request_context("/survey/"):
        yield


def test_every_survey_field_has_a_browser_rule_in_both_languages(page):
    for english in (False, True):
        rules = client_rules(english)
        for entity, (spec, fields) in ENTITIES.items():
            assert set(rules[entity]) == set(fields) | {"$row"}
            for name in fields:
                column = spec.column(name)
                assert rules[entity][name]["required"] == column.required
                assert rules[entity][name]["kind"]


@pytest.mark.parametrize(("entity", "field", "value", "message_key"), [
    ("household", "longitude", "200", "message_range"),
    ("household", "latitude", "abc", "message"),
    ("person", "id_number", "15220119900101123", "message"),
    ("person", "id_number", "152201199001011230", "message_check"),
    ("person", "phone", "12", "message"),
    ("person", "name", "名" * 101, "message"),
    ("spell", "start_date", "2026-02-30", "message_real"),
    ("spell", "industry", "Z", "message"),
    ("training", "funding", "gift", "message"),
])
def test_a_bad_value_gets_the_message_the_browser_shows(page, entity, field, value,
                                                        message_key):
    spec = ENTITIES[entity][0]
    values = {c.name: "" for c in spec.columns} | {field: value}
    with pytest.raises(ValidationFailed) as refused:
        check_row(spec, values, FIELDS.get(entity))
    assert str(refused.value.errors[field][0]) == client_rules()[entity][field][message_key]


def test_row_checks_read_the_same_on_both_sides(page):
    values = {"id_number": make_id_number(dt.date(1990, 5, 17)), "kind": "non_agri",
              "start_date": "2026-05-01",
              "end_date": "2026-04-01", "stable_workplace": "1", "stable_income": "0"}
    with pytest.raises(ValidationFailed) as refused:
        check_row(files.TRANSFER_SPELLS, values, FIELDS["spell"])
    kind, start, end, message = client_rules()["spell"]["$row"][0]
    assert (kind, start, end) == ("ordered", "start_date", "end_date")
    assert str(refused.value.errors["end_date"][0]) == message == "结束日期早于开始日期"


def test_in_english_too_the_server_says_what_the_browser_says(app):
    values = {"id_number": make_id_number(dt.date(1990, 5, 17)), "kind": "non_agri",
              "start_date": "2026-05-01", "end_date": "2026-04-01", "stable_workplace": "1",
              "stable_income": "0"}
    with app.test_request_context("/survey/?lang=en"):
        with pytest.raises(ValidationFailed) as refused:
            check_row(files.TRANSFER_SPELLS, values | {"industry": "Z"}, FIELDS["spell"])
        rules = client_rules(english=True)["spell"]
        assert str(refused.value.errors["industry"][0]) == rules["industry"]["message"]
        with pytest.raises(ValidationFailed) as refused:
            check_row(files.TRANSFER_SPELLS, values, FIELDS["spell"])
        assert str(refused.value.errors["end_date"][0]) == rules["$row"][0][3]
