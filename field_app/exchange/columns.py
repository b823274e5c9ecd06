"""Column converters for the interchange CSV files.

Hand-written rather than one marshmallow schema per file: a marshmallow ``load`` measured
36 µs per eight-column row here, most of the 50 µs per row that the 20,000 rows/s import
target allows, and its per-field error dicts would be reshaped into the
(file, line, column, value, reason) report anyway. Each converter takes the cell text and
returns the value or raises ``CellError`` with the reason in Chinese and English.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any

from stdnum.cn import ric

from field_app.core.clock import clock
from field_app.core.identifiers import (
    _RIC_SHAPE,
    IdentifierError,
    check_uscc,
    normalize_id_number,
    parse_id_number,
)
from field_app.divisions.codes import is_code


class CellError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.reason = f"{zh} / {en}"


def memoisable(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """Mark a converter whose result depends on nothing but the cell text while one
    data set is read, and which costs more than a dictionary look-up: the reader then
    converts each distinct text once (an ID number appears in up to six files)."""
    convert.memoisable = True  # type: ignore[attr-defined]
    return convert


def is_memoisable(convert: Callable[[str], Any]) -> bool:
    return getattr(convert, "memoisable", False)


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    convert: Callable[[str], Any]
    required: bool = False
    default: Any = None


def text(max_length: int) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"长度超过{max_length}个字符", f"longer than {max_length} characters")
        return value

    return convert


@memoisable
def date(value: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CellError("日期格式应为YYYY-MM-DD", "date must be written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError("日期不存在", "not a real date") from None


_TRUE = {"1", "true", "是"}
_FALSE = {"0", "false", "否"}


def boolean(value: str) -> bool:
    folded = value.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("应为1/0、true/false或是/否", "must be 1/0, true/false or 是/否")


def non_negative_int(value: str) -> int:
    if not re.fullmatch(r"\d+", value):
        raise CellError("应为非负整数", "must be a non-negative whole number")
    return int(value)


def choice(enum_cls: type[enum.Enum]) -> Callable[[str], str]:
    allowed = [m.value for m in enum_cls]
    allowed_set = set(allowed)
    listing = "/".join(allowed)

    def convert(value: str) -> str:
        if value not in allowed_set:
            raise CellError(f"取值应为 {listing} 之一", f"must be one of {listing}")
        return value

    return convert


def letter_from(letters: str, what_zh: str, what_en: str) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if len(value) != 1 or value.upper() not in letters:
            raise CellError(f"{what_zh}应为{letters[0]}-{letters[-1]}中的一个字母",
                            f"{what_en} must be one letter {letters[0]}-{letters[-1]}")
        return value.upper()

    return convert


@memoisable
def id_number(value: str) -> str:
    # The checks of parse_id_number, in the same order and with the same pattern, without
    # building its result object: a million persons spend 2 s less. Any fault is left to
    # parse_id_number, which describes it.
    number = normalize_id_number(value)
    if _RIC_SHAPE.match(number) and ric.calc_check_digit(number) == number[-1]:
        try:
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            birth = None
        if birth is not None and birth <= clock.today():
            return number
    try:
        return parse_id_number(value).number
    except IdentifierError as error:
        raise CellError(error.zh, error.en) from None


@memoisable
def uscc(value: str) -> str:
    try:
        return check_uscc(value)
    except IdentifierError as error:
        raise CellError(error.zh, error.en) from None


@memoisable
def division_code(value: str) -> str:
    if not is_code(value):
        raise CellError("区划代码应为12位数字", "division code must be 12 digits")
    return value


_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")


def phone(value: str) -> str:
    if not _PHONE.match(value):
        raise CellError("电话号码格式不正确", "phone number is not well formed")
    return value


def _coordinate(low: float, high: float, what_zh: str, what_en: str) -> Callable[[str], float]:
    def convert(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise CellError(f"{what_zh}应为数字", f"{what_en} must be a number") from None
        if not low <= number <= high:
            raise CellError(
                f"{what_zh}超出中国范围（{low}～{high}）",
                f"{what_en} outside China's bounding box ({low} to {high})",
            )
        return number

    return convert


# China's bounding box in WGS 84, Nansha Islands and Mohe included.
longitude = _coordinate(73.4, 135.1, "经度", "longitude")
latitude = _coordinate(3.8, 53.6, "纬度", "latitude")
