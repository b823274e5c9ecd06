"""The three numbers this package adds to a figure, as pure functions: the deviation of a
reported figure (shared/spec/indicators.md, "Reconciliation"), the completion rate of an
annual target and the time progress (序时进度) of the year."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

TOLERANCE = Decimal("5.00")  # 误差控制在±5%
_CENT = Decimal("0.01")


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator * 100 / denominator).quantize(_CENT, rounding=ROUND_HALF_UP)


def deviation(reported: Decimal | int, system: Decimal | int | None) -> Decimal | None:
    """``|R - S| / S * 100``, two decimals, rounded half-up. S = 0: 0 when R = 0, else empty;
    an empty system figure (no employed total, say) gives an empty deviation too.

    The spec divides by S; a figure that may be negative (城镇新增就业 = new employment less
    attrition) is divided by its size, which is the same for every S > 0 (choice)."""
    if system is None:
        return None
    reported, system = Decimal(reported), Decimal(system)
    if system == 0:
        return Decimal("0.00") if reported == 0 else None
    return _percent(abs(reported - system), abs(system))


def flagged(value: Decimal | None) -> bool:
    """Beyond ±5%: a deviation above 5.00, or none to be had (S = 0 with R ≠ 0)."""
    return value is None or value > TOLERANCE


def completion_rate(figure: Decimal | int | None, target: Decimal | int | None) -> Decimal | None:
    """Figure / target in percent, two decimals; empty without a figure or a positive target."""
    if figure is None or target is None or Decimal(target) <= 0:
        return None
    return _percent(Decimal(figure), Decimal(target))


def time_progress(end: dt.date) -> Decimal:
    """序时进度: the share of the year elapsed at the period's end, by days, both ends
    counted (30 September 2026: 273 of 365 days, 74.79%; 31 December: 100.00%)."""
    elapsed = (end - dt.date(end.year, 1, 1)).days + 1
    days = 366 if calendar.isleap(end.year) else 365
    return _percent(Decimal(elapsed), Decimal(days))
