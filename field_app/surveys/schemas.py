"""The shape of what a phone sends (marshmallow: shape and types only; rules live in the
operations), and the bounds that keep a hostile body from costing more than a real one.

A real change is a flat object whose ``data`` holds scalars: nothing in the protocol nests
deeper than ``{changes: [{data: {field: value}}]}``. The bounds below are several times what
the app sends. A batch past them is a 422 answer in the project's error shape (a body past
1 MB is 413 before it is read: ``core.security.BODY_LIMITS``); a change past them is that
change's ``rejected`` result.
"""
from __future__ import annotations

import math
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from field_app.core.text import find_unsafe

OPS = ("household.save", "household.submit", "household.confirm", "member.save", "member.remove", "spell.save",
       "spell.remove", "training.save", "training.remove")
MAX_BATCH = 100
# batch object → changes list → change object → data object, and two levels of slack, so
# that a list or an object where a value belongs is that change's rejection, not the batch's.
MAX_DEPTH = 6
MAX_DATA_FIELDS = 40
MAX_TEXT = 1000  # longer than any column a change writes (the checks then name the limit)

# A record's public reference: a phone's UUID, or ``s`` + the server's id (``queries.ref_of``).
# ``\Z``, not ``$``: ``$`` also matches before a final newline.
REF = re.compile(r"\A(s[0-9]{1,10}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
                 r"-[0-9a-fA-F]{12})\Z")


def depth_of(value, limit: int) -> int:
    """How deep lists and objects nest in ``value``, counted without recursion, stopping
    as soon as ``limit`` is passed (so the answer is at most ``limit + 1``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((child, depth + 1)
                         for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def error_messages(errors, prefix: str = "") -> dict[str, list[str]]:
    """Field → messages, from a schema's errors or an operation's: nested errors (``data``
    → field → ``value``, ``changes`` → index) flattened to dotted names."""
    if not isinstance(errors, dict):
        return {prefix or "_": [str(m) for m in (errors if isinstance(errors, list)
                                                 else [errors])]}
    out: dict[str, list[str]] = {}
    for field, msgs in errors.items():
        name = f"{prefix}.{field}" if prefix else str(field)
        if isinstance(msgs, dict):
            out |= error_messages(msgs, name)
        else:
            out[name] = [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
    return out


def _text_safe(value: str) -> None:
    if find_unsafe(value) is not None:
        raise ValidationError(_("含有不允许的字符"))


class Scalar(fields.Field):
    """A value of ``data``: text, a number, true/false or null; never a list or an object."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            if abs(value) > 2**53:
                raise ValidationError(_("数值超出范围"))
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValidationError(_("数值超出范围"))
            return value
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise ValidationError(_("内容过长"))
            return value
        raise ValidationError(_("应为文字、数字或是否，不能是列表或对象"))


class ChangeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    uuid = fields.UUID(required=True)
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    household_ref = fields.String(required=True, validate=validate.Regexp(
        REF, error=_l("记录编号格式不正确")))
    target_ref = fields.String(required=True, validate=validate.Regexp(
        REF, error=_l("记录编号格式不正确")))
    base_version = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=2**31 - 1))
    data = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)),
                       values=Scalar(allow_none=True), load_default=dict,
                       validate=validate.Length(max=MAX_DATA_FIELDS))
    made_at = fields.String(load_default=None, allow_none=True,
                            validate=[validate.Length(max=40), _text_safe])
    # household.submit: the UUIDs of the household's changes the phone made before it and
    # has not yet seen applied; the submission waits for every one of them.
    after = fields.List(fields.UUID(), load_default=list,
                        validate=validate.Length(max=MAX_BATCH))


class BatchSchema(Schema):
    changes = fields.List(fields.Dict(), required=True,
                          validate=validate.Length(min=1, max=MAX_BATCH))
