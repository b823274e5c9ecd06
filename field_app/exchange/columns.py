"""Column converters for the interchange CSV files.

Hand-written rather than one marshmallow schema per file: a marshmallow ``load`` measured
36 µs per eight-column row here, most of the 50 µs per row that the 20,000 rows/s import
target allows, and its per-field error dicts would be reshaped into the
(file, line, column, value, reason) report anyway. Each converter takes the cell text and
returns the value or raises ``CellError`` with a lazy message, which the importer's fault
report shows in Chinese and English (``core.i18n.both``) and a form in the page's language.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import itertools
import operator
import re
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric

from field_app.core.clock import clock
from field_app.core.identifiers import (
    _RIC_SHAPE,
    ID_BIRTH_DATE,
    ID_CHECK,
    ID_FUTURE,
    ID_SHAPE,
    IdentifierError,
    check_uscc,
    normalize_id_number,
    parse_id_number,
)
from field_app.core.i18n import both
from field_app.core.text import find_unsafe, unquote_formula
from field_app.core.codes import is_code


class CellError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    @property
    def reason(self) -> str:
        """The fault report's "中文 / English"."""
        return both(self.message)


def memoisable(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """Mark a converter whose result depends on nothing but the cell text while one
    data set is read, and which costs more than a dictionary look-up: the reader then
    converts each distinct text once (an ID number appears in up to six files)."""
    convert.memoisable = True  # type: ignore[attr-defined]
    return convert


def is_memoisable(convert: Callable[[str], Any]) -> bool:
    return getattr(convert, "memoisable", False)


def at_once(many: Callable[[list[str]], list | None]) -> Callable[[Callable], Callable]:
    """Give a converter a way to convert a whole column of (stripped, non-empty) cell
    texts at once, for the reader's clean files (``reader._parse_clean``): ``many(texts)``
    returns exactly ``[convert(text) for text in texts]`` when it can tell in a few passes
    in C that every text is a plain good one, and ``None`` otherwise, never raising; the
    texts are then converted one by one, which finds and describes any fault."""

    def attach(convert: Callable) -> Callable:
        convert.many = many  # type: ignore[attr-defined]
        return convert

    return attach


def convert_all(convert: Callable[[str], Any], texts: list[str]) -> list[Any]:
    """``[convert(text) for text in texts]``, through the converter's ``at_once`` if it
    has one; raises the first text's ``CellError`` as ``convert`` does."""
    many = getattr(convert, "many", None)
    found = None if many is None else many(texts)
    return list(map(convert, texts)) if found is None else found


def _unquoted_lines(texts: list[str]) -> bool:
    """No text has a character ``find_unsafe`` refuses in a single-line cell (a joined
    text that ``str.isprintable`` passes has none, as ``find_unsafe`` itself judges) or an
    apostrophe that ``unquote_formula`` could remove: ``safe_text`` returns each as it is."""
    return "".join(texts).isprintable() and not any(map(str.startswith, texts,
                                                        itertools.repeat("'")))


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    convert: Callable[[str], Any]
    required: bool = False
    default: Any = None


def describe(**rule: Any) -> Callable[[Callable], Callable]:
    """Attach the rule a converter applies, as data (``kind``, its parameters and its
    lazy ``message``): the survey page runs the same rules in the browser
    (``surveys.rules``), so the converter raises exactly the message described here."""

    def attach(convert: Callable) -> Callable:
        convert.rule = rule  # type: ignore[attr-defined]
        return convert

    return attach


_UNSAFE_CHARACTER = _l("含有不允许的字符")


def safe_text(value: str) -> str:
    """A one-line text cell as stored: refused (``CellError`` naming the character and its
    place) if it holds a control, bidi or zero-width character; one apostrophe that the
    export put before a formula character removed (``core.text.unquote_formula``), so an
    exported data set imports back to the values it was written from."""
    found = find_unsafe(value, single_line=True)
    if found is not None:
        position, code = found
        raise CellError(_l("含有不允许的字符（%(code)s，第%(position)s个字符）",
                           code=code, position=position + 1))
    return unquote_formula(value)


def text(max_length: int) -> Callable[[str], str]:
    message = _l("长度超过%(max)s个字符", max=max_length)

    def many(texts: list[str]) -> list[str] | None:
        if _unquoted_lines(texts) and max(map(len, texts), default=0) <= max_length:
            return texts
        return None

    @at_once(many)
    @describe(kind="text", max=max_length, message=message, message_unsafe=_UNSAFE_CHARACTER)
    def convert(value: str) -> str:
        value = safe_text(value)
        if len(value) > max_length:
            raise CellError(message)
        return value

    return convert


_DATE_SHAPE = _l("日期格式应为YYYY-MM-DD")
_DATE_REAL = _l("日期不存在")


@memoisable
@describe(kind="date", message=_DATE_SHAPE, message_real=_DATE_REAL)
def date(value: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CellError(_DATE_SHAPE)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(_DATE_REAL) from None


_TRUE = {"1", "true", "是"}
_FALSE = {"0", "false", "否"}


_BOOLEAN = _l("应为1/0、true/false或是/否")


@memoisable
@describe(kind="bool", message=_BOOLEAN)
def boolean(value: str) -> bool:
    folded = value.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(_BOOLEAN)


_NON_NEGATIVE = _l("应为非负整数")
# Counts are of people in one division: a billion is beyond any, and the bound keeps a
# value inside the 32-bit INTEGER columns (a larger one failed in the database) and a long
# digit string away from int(), which refuses more than 4,300 digits.
MAX_COUNT = 999_999_999
_TOO_LARGE = _l("数值过大，应不超过%(max)s", max=MAX_COUNT)


@describe(kind="count", max=MAX_COUNT, message=_NON_NEGATIVE, message_range=_TOO_LARGE)
def non_negative_int(value: str) -> int:
    if not re.fullmatch(r"\d+", value):
        raise CellError(_NON_NEGATIVE)
    if len(value.lstrip("0")) > len(str(MAX_COUNT)) or int(value) > MAX_COUNT:
        raise CellError(_TOO_LARGE)
    return int(value)


def choice(enum_cls: type[enum.Enum]) -> Callable[[str], str]:
    allowed = [m.value for m in enum_cls]
    allowed_set = set(allowed)
    listing = "/".join(allowed)
    message = _l("取值应为 %(listing)s 之一", listing=listing)

    @at_once(lambda texts: texts if allowed_set.issuperset(texts) else None)
    @describe(kind="choice", choices=allowed, message=message)
    def convert(value: str) -> str:
        if value not in allowed_set:
            raise CellError(message)
        return value

    return convert


def letter_from(letters: str, message) -> Callable[[str], str]:

    @describe(kind="letter", choices=list(letters), message=message)
    def convert(value: str) -> str:
        if len(value) != 1 or value.upper() not in letters:
            raise CellError(message)
        return value.upper()

    return convert


def _id_numbers(texts: list[str]) -> list[str] | None:
    """``id_number`` of each text, when each passes its first branch: the right shape,
    check character and a real birth date not after today (each distinct date once)."""
    numbers = list(map(normalize_id_number, texts))
    if not all(map(_RIC_SHAPE.match, numbers)):
        return None
    if list(map(ric.calc_check_digit, numbers)) != [number[-1] for number in numbers]:
        return None
    today = clock.today()
    for birth in set(map(operator.itemgetter(slice(6, 14)), numbers)):
        try:
            if dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])) > today:
                return None
        except ValueError:
            return None
    return numbers


@memoisable
@at_once(_id_numbers)
@describe(kind="id_number", message=ID_SHAPE, message_check=ID_CHECK,
          message_birth_date=ID_BIRTH_DATE, message_future=ID_FUTURE)
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
        raise CellError(error.message) from None


@memoisable
@describe(kind="uscc")
def uscc(value: str) -> str:
    try:
        return check_uscc(value)
    except IdentifierError as error:
        raise CellError(error.message) from None


_DIVISION_CODE = _l("区划代码应为12位数字")


@memoisable
@describe(kind="division_code", message=_DIVISION_CODE)
def division_code(value: str) -> str:
    if not is_code(value):
        raise CellError(_DIVISION_CODE)
    return value


_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")
_PHONE_SHAPE = _l("电话号码格式不正确")


@at_once(lambda texts: texts if _unquoted_lines(texts) and all(map(_PHONE.match, texts))
         else None)
@describe(kind="pattern", pattern=_PHONE.pattern, message=_PHONE_SHAPE)
def phone(value: str) -> str:
    value = unquote_formula(value)  # "+86 …" is exported as "'+86 …"
    if not _PHONE.match(value):
        raise CellError(_PHONE_SHAPE)
    return value


def _coordinate(low: float, high: float, not_number, outside) -> Callable[[str], float]:

    @describe(kind="number", min=low, max=high, message=not_number, message_range=outside)
    def convert(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise CellError(not_number) from None
        if not low <= number <= high:
            raise CellError(outside)
        return number

    return convert


# China's bounding box in WGS 84, Nansha Islands and Mohe included.
longitude = _coordinate(73.4, 135.1, _l("经度应为数字"),
                        _l("经度超出中国范围（%(low)s～%(high)s）", low=73.4, high=135.1))
latitude = _coordinate(3.8, 53.6, _l("纬度应为数字"),
                       _l("纬度超出中国范围（%(low)s～%(high)s）", low=3.8, high=53.6))
