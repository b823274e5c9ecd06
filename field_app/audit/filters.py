"""The audit log's filters and page number, read from the query string and checked.

Hand-checked rather than a WTForms form: a GET with no CSRF token, seven fields, and each
fault needs its own Chinese message. Anything wrong is reported back on the page (422), never
passed on to the database (an out-of-range date or page there is a 500) nor to ``url_for``
(only the known filters make the pager's and the export's links).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from field_app.audit.queries import AuditFilter
from field_app.core.text import find_unsafe

MAX_PAGE = 100_000  # 5 million events at 50 a page; narrow the filters beyond that
_TEXT_LIMITS = {"actor": 60, "division": 12, "target_type": 40, "target_id": 64, "action": 40}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODE = re.compile(r"[0-9]{12}")
_PAGE = re.compile(r"[0-9]{1,7}")

LABELS = {
    "actor": _l("操作人"), "division": _l("区划代码"), "target_type": _l("对象类型"),
    "target_id": _l("对象编号"), "action": _l("操作"), "since": _l("起始日期"),
    "until": _l("截止日期"), "page": _l("页码"),
}


@dataclasses.dataclass(frozen=True)
class LogRequest:
    criteria: AuditFilter
    page: int = 1
    errors: dict[str, str] = dataclasses.field(default_factory=dict)

    def note(self, *, rows: int | None = None) -> str:
        """The note of the read's own audit event: the page shown (or the rows exported)
        and the filters."""
        read = {"page": self.page} if rows is None else {"rows": rows}
        return " ".join(f"{k}={v}" for k, v in (read | self.criteria.as_args()).items())


def _text(name: str, raw: str, errors: dict[str, str]) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if find_unsafe(value) is not None:
        errors[name] = _("含有不允许的字符")
    elif len(value) > _TEXT_LIMITS[name]:
        errors[name] = _("过长（最多%(n)s个字符）", n=_TEXT_LIMITS[name])
    elif name == "division" and not _CODE.fullmatch(value):
        errors[name] = _("应为12位数字")
    else:
        return value
    return None


def _day(name: str, raw: str, errors: dict[str, str]) -> dt.date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        if _DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    errors[name] = _("应为存在的日期，如 2026-05-01")
    return None


def _page(raw: str, errors: dict[str, str]) -> int:
    value = raw.strip()
    if not value:
        return 1
    if _PAGE.fullmatch(value) and 1 <= int(value) <= MAX_PAGE:
        return int(value)
    errors["page"] = _("应为1至%(n)s之间的整数", n=MAX_PAGE)
    return 1


def parse_args(args: Mapping[str, str]) -> LogRequest:
    """The filters and page in ``args``; unknown keys are ignored, faults collected."""
    errors: dict[str, str] = {}
    text = {name: _text(name, args.get(name, ""), errors) for name in _TEXT_LIMITS}
    days = {name: _day(name, args.get(name, ""), errors) for name in ("since", "until")}
    page = _page(args.get("page", ""), errors)
    return LogRequest(AuditFilter(**text, **days), page, errors)


def error_lines(errors: dict[str, str]) -> list[str]:
    return [f"{LABELS[name]}：{message}" for name, message in errors.items()]
