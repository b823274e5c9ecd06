"""Pure functions on statistical division codes; no database, no Flask.

A code is 12 digits: 2 for the region, 2 for the league, 2 for the banner/county, 3 for the
township and 3 for the village. A division's subtree is every code that shares its
significant prefix, so "in D" is a range comparison that an ordinary index serves.
"""
from __future__ import annotations

import enum
import re


class Level(enum.IntEnum):
    REGION = 1  # 自治区
    LEAGUE = 2  # 盟市
    COUNTY = 3  # 旗县(市区)
    TOWNSHIP = 4  # 苏木乡镇(街道)
    VILLAGE = 5  # 嘎查村(社区)


PREFIX_LENGTH = {
    Level.REGION: 2,
    Level.LEAGUE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}

LEVEL_NAMES_ZH = {
    Level.REGION: "自治区",
    Level.LEAGUE: "盟市",
    Level.COUNTY: "旗县",
    Level.TOWNSHIP: "苏木乡镇",
    Level.VILLAGE: "嘎查村",
}

CODE_RE = re.compile(r"^\d{12}$")


def is_code(value: str) -> bool:
    return bool(CODE_RE.match(value))


def level_of(code: str) -> Level:
    """The level a code's trailing zeros give it (``152201000000`` is a banner)."""
    for level in (Level.REGION, Level.LEAGUE, Level.COUNTY, Level.TOWNSHIP):
        if code[PREFIX_LENGTH[level]:] == "0" * (12 - PREFIX_LENGTH[level]):
            return level
    return Level.VILLAGE


def prefix(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def ancestor_at(code: str, level: Level) -> str:
    """The code of ``code``'s division at ``level`` (itself when it is at that level):
    ``ancestor_at("152221100201", Level.COUNTY) == "152221000000"``."""
    return code[: PREFIX_LENGTH[level]].ljust(12, "0")


def subtree_bounds(code: str) -> tuple[str, str]:
    """Inclusive (low, high) codes of the subtree rooted at ``code``."""
    p = prefix(code)
    return code, p + "9" * (12 - len(p))


def in_subtree(code: str | None, root: str | None) -> bool:
    """``code`` is ``root`` or lies below it: the one subtree test (``subtree_bounds`` is
    its SQL form, a range an index serves)."""
    if not code or not root:
        return False
    low, high = subtree_bounds(root)
    return low <= code <= high


def is_ancestor(ancestor: str, code: str) -> bool:
    """True when ``code`` lies strictly below ``ancestor`` by the prefix structure."""
    return ancestor != code and code.startswith(prefix(ancestor))
