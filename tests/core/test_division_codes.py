import pytest

from field_app.core.codes import Level, ancestor_at, is_ancestor, level_of, subtree_bounds


@pytest.mark.parametrize(("code", "level", "bounds"), [
    ("150000000000", Level.REGION, ("150000000000", "159999999999")),
    ("152200000000", Level.LEAGUE, ("152200000000", "152299999999")),
    ("152201000000", Level.COUNTY, ("152201000000", "152201999999")),
    ("152201001000", Level.TOWNSHIP, ("152201001000", "152201001999")),
    ("152201001001", Level.VILLAGE, ("152201001001", "152201001001")),
])
def test_level_and_subtree_follow_the_code_prefix(code, level, bounds):
    assert level_of(code) == level
    assert subtree_bounds(code) == bounds


def test_ancestry_is_by_prefix_and_strict():
    assert is_ancestor("152200000000", "152201001001")
    assert not is_ancestor("152201001001", "152201001001")
    assert not is_ancestor("152202000000", "152201001001")


@pytest.mark.parametrize(("level", "expected"), [
    (Level.LEAGUE, "152200000000"),
    (Level.COUNTY, "152221000000"),
    (Level.TOWNSHIP, "152221100000"),
    (Level.VILLAGE, "152221100201"),
])
def test_a_villages_division_at_each_level_above_it(level, expected):
    assert ancestor_at("152221100201", level) == expected
