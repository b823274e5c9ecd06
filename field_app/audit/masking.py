"""What the audit log shows of personal data: ID numbers, phone numbers and residents'
names masked, on the page and in the CSV alike, unless an auditor reveals one event.

Two ways a value is recognised, because the log holds both column values and free text:

* by column key in ``before``/``after``: any key naming an ID number (``id_number``,
  ``proposed_id_number``…) or a phone (``phone``, ``employer_phone``, ``mobile``…), and a
  resident's ``name`` (every table but divisions and employers, whose names are public);
* by shape anywhere else: an 18-character resident ID (17 digits and a digit or X) or an
  11-digit mainland mobile number inside any text, such as a username typed at a failed
  sign-in, a note, a target id (an import keys new persons by ID number) or a value under
  another key.

Names are masked as 张* (the first character kept, as the survey's look-up shows them);
free text cannot be searched for names, so a name typed as a username stays as typed.
Staff names (users' display names, actors) are not masked: the log exists to name them.
Unified social credit codes are public and are not masked even when all digits.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from field_app.audit.models import AuditEvent
from field_app.core.identifiers import mask_id_number, mask_phone

_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_SHAPE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_NAME_KEYS = {"name", "person_name", "full_name", "proposed_name"}
# Tables whose ``name`` is not a person's.
_PUBLIC_NAME_TABLES = {"divisions", "employers"}
_PUBLIC_CODE_KEYS = {"uscc", "employer_uscc"}


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*" * len(name)


def mask_text(text: str) -> str:
    """``text`` with every ID-number-shaped and mobile-number-shaped run masked."""
    text = _ID_SHAPE.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE_SHAPE.sub(lambda m: mask_phone(m.group()), text)


def _is_id_key(key: str) -> bool:
    return "id_number" in key


def _is_phone_key(key: str) -> bool:
    return "phone" in key or "mobile" in key


def mask_value(key: str, value: Any, target_type: str | None) -> Any:
    """One ``before``/``after`` value as the masked log shows it."""
    if value is None or value == "":
        return value
    if isinstance(value, dict):
        return {k: mask_value(str(k), v, target_type) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(key, v, target_type) for v in value]
    if not isinstance(value, str):
        return value
    if _is_id_key(key):
        return mask_id_number(value)
    if _is_phone_key(key):
        return mask_phone(value)
    if key in _NAME_KEYS and target_type not in _PUBLIC_NAME_TABLES:
        return mask_name(value)
    if key in _PUBLIC_CODE_KEYS:
        return value
    return mask_text(value)


def mask_values(values: dict[str, Any] | None, target_type: str | None):
    if not values:
        return values
    return {key: mask_value(str(key), value, target_type) for key, value in values.items()}


@dataclasses.dataclass(frozen=True)
class ShownEvent:
    """An audit event as a reader is shown it: masked, or in full after a reveal.
    ``hidden`` says whether masking hid anything (then a reveal is worth offering)."""

    id: int
    at: dt.datetime
    actor_name: str
    ip: str | None
    action: str
    target_type: str | None
    target_id: str | None
    division_code: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    hidden: bool = False

    def changes(self) -> list[tuple[str, Any, Any]]:
        """``(key, before, after)`` for every key either side holds, in the order stored."""
        before, after = self.before or {}, self.after or {}
        keys = list(before) + [key for key in after if key not in before]
        return [(key, before.get(key), after.get(key)) for key in keys]


_SHOWN_FIELDS = ("id", "at", "actor_name", "ip", "action", "target_type", "target_id",
                 "division_code", "before", "after", "note")


def shown(event: AuditEvent, *, full: bool = False) -> ShownEvent:
    """The event for the page or the CSV: masked, or with ``full`` (only after an audited
    reveal) exactly as stored."""
    stored = {name: getattr(event, name) for name in _SHOWN_FIELDS}
    if full:
        return ShownEvent(**stored)
    masked = dict(stored)
    for name in ("actor_name", "note"):
        masked[name] = stored[name] and mask_text(stored[name])
    if stored["target_id"] and event.target_type != "employers":
        masked["target_id"] = mask_text(stored["target_id"])
    for name in ("before", "after"):
        masked[name] = mask_values(stored[name], event.target_type)
    return ShownEvent(**masked, hidden=masked != stored)
