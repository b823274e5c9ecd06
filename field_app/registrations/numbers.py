"""Registration numbers (登记编号): one format for every number the system gives.

``JY`` (就业登记) or ``SY`` (失业登记), the six-digit county code of the registering division,
the year of registration and a serial of at least five digits within that county and year:
``JY152201202600042``, seventeen characters, short enough to read out at the counter. The
desk and the demo data set both number through here.

Numbers given before this format (the desk's ``JY`` + twelve-digit division + date + four
digits, and whatever an imported data set carries) stay as they are and stay valid: a
number is only ever a unique key, never parsed, and the counter never reaches into another
format's range (``is_current`` tells the two apart)."""
from __future__ import annotations

import re

EMPLOYMENT = "JY"
UNEMPLOYMENT = "SY"
SERIAL_DIGITS = 5
_CURRENT = re.compile(r"^(JY|SY)\d{10}\d{5,7}$")  # serials past 99999 grow a digit


def prefix(kind: str, division_code: str, year: int) -> str:
    """The part of a number before its serial: the sequence the serial counts in."""
    return f"{kind}{division_code[:6]}{year:04d}"


def number(prefix_: str, serial: int) -> str:
    return f"{prefix_}{serial:0{SERIAL_DIGITS}d}"


def is_current(value: str) -> bool:
    """Whether ``value`` has this format (older numbers are valid too, in their own)."""
    return bool(_CURRENT.match(value))
