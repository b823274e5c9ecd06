"""Division codes of the ``make`` tree and date helpers shared by the indicator tests."""
from __future__ import annotations

import datetime as dt

REGION = "150000000000"
LEAGUE = "152200000000"
BANNER = "152201000000"  # 乌兰浩特市
OTHER_BANNER = "152202000000"  # 阿尔山市
STREET = "152201001000"  # township (街道) of BANNER
TOWN = "152201100000"  # township (镇) of BANNER
OTHER_TOWN = "152202100000"  # the only township of OTHER_BANNER
COMMUNITY = "152201001001"  # village of STREET
COMMUNITY_2 = "152201001002"  # the other village of STREET
GACHA = "152201100201"  # the only village of TOWN
OTHER_VILLAGE = "152202100201"  # the only village of OTHER_TOWN

# The period most tests use: the calendar year 2024 (a leap year).
A = dt.date(2024, 1, 1)
B = dt.date(2024, 12, 31)

ONE_DAY = dt.timedelta(days=1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
