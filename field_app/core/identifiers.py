"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100).

python-stdnum supplies the check-character arithmetic. Its ``validate`` functions are not
used: ``cn.ric.validate`` also rejects a birth-place code that did not exist in the birth
year, which real residents hold (阿尔山市 152202 residents born before 1996), and
``cn.uscc.validate`` insists on eight leading digits, rejecting codes issued by
registration authority ``Y`` (其他). The rules of the spec are checked here instead.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric, uscc

from field_app.core.clock import clock


class IdentifierError(ValueError):
    """A bad identifier; ``message`` (lazy) describes the fault in the reader's language."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclasses.dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "male" / "female"


_RIC_SHAPE = re.compile(r"^\d{17}[\dX]$")

# The faults of an ID number; the survey page shows the same texts.
ID_SHAPE = _l("身份证号码应为18位，前17位为数字，末位为数字或X")
ID_CHECK = _l("身份证号码校验码错误")
ID_BIRTH_DATE = _l("身份证号码中的出生日期不存在")
ID_FUTURE = _l("身份证号码中的出生日期晚于今天")


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def parse_id_number(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Check an 18-character resident ID and derive birth date and sex from it.

    Raises ``IdentifierError`` when the shape, the check character or the birth date is
    wrong, or the birth date lies after ``today``. The first six digits are not checked.
    """
    number = normalize_id_number(value)
    if not _RIC_SHAPE.match(number):
        raise IdentifierError(ID_SHAPE)
    if ric.calc_check_digit(number) != number[-1]:
        raise IdentifierError(ID_CHECK)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(ID_BIRTH_DATE) from None
    if birth > (today or clock.today()):
        raise IdentifierError(ID_FUTURE)
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number=number, birth_date=birth, sex=sex)


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters shown, as printed rosters do."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str | None) -> str:
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(r"^[1-9A-HJ-NP-RTUWXY][0-9A-HJ-NP-RTUWXY]\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def normalize_uscc(value: str) -> str:
    return value.strip().upper()


def check_uscc(value: str) -> str:
    """Return the normalised code, or raise ``IdentifierError`` (GB 32100 shape and check)."""
    code = normalize_uscc(value)
    if len(code) != 18 or not _USCC_SHAPE.match(code):
        raise IdentifierError(_l("统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）"))
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise IdentifierError(_l("统一社会信用代码校验码错误"))
    return code
