"""The base of every form: text fields refuse the characters ``core.text`` does not store.

A base class rather than a validator on each field, so that a text field added later is
checked without anyone remembering to: every ``StringField`` (text areas and hidden fields
included) is checked, passwords excepted (hashed, never shown, and free to hold anything).
One-line fields refuse tabs and line breaks too; text areas keep them.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField, TextAreaField

from field_app.core.text import find_unsafe


def unsafe_text_message(field: Field) -> str | None:
    """The refusal for a text field holding a character not allowed, or None."""
    if not isinstance(field, StringField) or isinstance(field, PasswordField):
        return None
    if not isinstance(field.data, str):
        return None
    found = find_unsafe(field.data, single_line=not isinstance(field, TextAreaField))
    if found is None:
        return None
    position, code = found
    return _("「%(label)s」含有不允许的字符（%(code)s，第%(position)s个字符）",
             label=field.label.text, code=code, position=position + 1)


class SafeForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            message = unsafe_text_message(field)
            if message is not None:
                field.errors = [*field.errors, message]
                valid = False
        return valid
