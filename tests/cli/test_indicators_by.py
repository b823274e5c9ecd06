"""``flask indicators --by``: the figures of a division grouped by a dimension (issue 14)."""
from __future__ import annotations

import json

import pytest

from tests.paths import EXAMPLES

SMALL = EXAMPLES / "hinggan-small"
LEAGUE = "152200000000"


@pytest.fixture
def loaded(runner):
    result = runner.invoke(args=["import-data", str(SMALL)])
    assert result.exit_code == 0, result.output
    return result


def _json(runner, *args):
    result = runner.invoke(args=["indicators", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_by_child_each_group_is_what_indicators_gives_for_that_child(loaded, runner):
    grouped = _json(runner, "--division", LEAGUE, "--period", "2026", "--by", "child")
    assert {key: grouped[key] for key in ("division", "from", "to", "by")} == {
        "division": LEAGUE, "from": "2026-01-01", "to": "2026-12-31", "by": "child"}
    assert [g["key"] for g in grouped["groups"]] == [
        "152201000000", "152202000000", "152221000000", "152222000000", "152223000000",
        "152224000000"]
    for group in grouped["groups"]:
        alone = _json(runner, "--division", group["key"], "--period", "2026")
        assert group["indicators"] == alone["indicators"], group["key"]
    assert any(g["indicators"]["registered_unemployment_rate"] for g in grouped["groups"])


def test_by_sex_the_groups_add_up_to_the_total(loaded, runner):
    total = _json(runner, "--division", LEAGUE, "--period", "2026Q1")["indicators"]
    grouped = _json(runner, "--division", LEAGUE, "--period", "2026Q1", "--by", "sex")
    assert [g["key"] for g in grouped["groups"]] == ["male", "female"]
    for key in ("new_employment_gross", "registered_unemployed", "rural_transfer"):
        assert sum(g["indicators"][key] for g in grouped["groups"]) == total[key]
    assert all(g["indicators"]["employed_total"] is None for g in grouped["groups"])


def test_by_a_record_attribute_the_table_says_the_groups_may_overlap(loaded, runner):
    result = runner.invoke(args=["indicators", "--division", LEAGUE, "--period", "2026",
                                 "--by", "destination"])
    assert result.exit_code == 0, result.output
    assert "各组之和可能大于合计" in result.output
    assert "in_county" in result.output
    assert "城镇登记失业人员" not in result.output  # rule 6 has no destination
    assert any("农村牧区劳动力转移就业人数" in line for line in result.output.splitlines())


def test_by_child_prints_each_child_with_its_name(loaded, runner):
    result = runner.invoke(args=["indicators", "--division", LEAGUE, "--period", "2026",
                                 "--by", "child"])
    assert result.exit_code == 0, result.output
    assert "152201000000 乌兰浩特市" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--division", "999900000000", "--period", "2026", "--by", "child"], "不存在"),
    (["--division", LEAGUE, "--period", "2026", "--by", "colour"], "colour"),
    (["--division", LEAGUE, "--period", "2026Q5", "--by", "sex"], "无法识别"),
])
def test_by_refuses_bad_arguments_with_a_message(loaded, runner, args, message):
    result = runner.invoke(args=["indicators", *args])
    assert result.exit_code != 0
    assert message in result.output
