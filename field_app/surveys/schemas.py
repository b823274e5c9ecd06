"""The shape of what a phone sends (marshmallow: shape and types only; rules live in the
operations)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

OPS = ("household.save", "household.submit", "member.save", "member.remove", "spell.save",
       "spell.remove", "training.save", "training.remove")
MAX_BATCH = 100


class ChangeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    uuid = fields.UUID(required=True)
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    household_ref = fields.String(required=True, validate=validate.Length(min=1, max=40))
    target_ref = fields.String(required=True, validate=validate.Length(min=1, max=40))
    base_version = fields.Integer(load_default=None, allow_none=True,
                                  validate=validate.Range(min=1))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    made_at = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=40))


class BatchSchema(Schema):
    changes = fields.List(fields.Dict(), required=True,
                          validate=validate.Length(min=1, max=MAX_BATCH))
