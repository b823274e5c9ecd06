"""The base of every form: text fields refuse the characters ``core.text`` does not store.

A base class rather than a validator on each field, so that a text field added later is
checked without anyone remembering to: every ``StringField`` (text areas and hidden fields
included) is checked, passwords excepted (hashed, never shown, and free to hold anything).
One-line fields refuse tabs and line breaks too; text areas keep them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField, TextAreaField

from field_app.core.errors import DomainError, Unauthenticated
from field_app.core.text import find_unsafe
from field_app.core.transaction import keep_writes_on_failure


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


# The form pipeline. Every HTML form goes: validate → operate → (the request commits,
# core.transaction) → redirect with a flash. Any user mistake, whether the form's own
# validators or the operation's DomainError, gets the same answer on every form: the
# request's writes rolled back, the same page rendered again with status 422, each message
# on the field it concerns (DomainError.errors maps field → messages) or, when it concerns
# no field of the form, above the form (the ``form_errors`` macro in templates/_form.html),
# never as a flash on another page. That holds for every DomainError the operation raises,
# NotAllowed and OutOfScope included: the user and the record were authorised before the
# form was read (decorator and loader, 404), so what the operation refuses is what was typed
# (a division outside the jurisdiction, say). A refused sign-in step (``Unauthenticated``)
# keeps its own 401/429: the form was filled in, the credentials were wrong.

ERROR_STATUS = 422


def attach_errors(form: FlaskForm, error: DomainError) -> None:
    """Put an operation's field errors on the form's fields; the rest above the form."""
    placed = False
    if isinstance(error.errors, dict):
        for name, messages in error.errors.items():
            field = form._fields.get(name)
            if field is not None:
                listed = messages if isinstance(messages, (list, tuple)) else [messages]
                field.errors = [*field.errors, *listed]
                placed = True
    if not placed:
        form.form_errors.append(error.message)


def refuse(form: FlaskForm, error: DomainError, *, keep_writes: bool = False) -> int:
    """Record ``error`` on ``form`` and end the request's writes; the status to answer.

    ``keep_writes`` is for the steps whose refusal is itself written down (the audit row of
    a wrong password or code): those commit although they answer an error."""
    if keep_writes:
        keep_writes_on_failure()
    else:
        current_app.extensions["sqlalchemy"].session.rollback()
    attach_errors(form, error)
    return error.status if isinstance(error, Unauthenticated) else ERROR_STATUS


def handle_form(form: FlaskForm, operate: Callable[[], Any], /, *,
                template: str | Callable[[], Any], success: Callable[[Any], Any],
                message: str | None = None, form_name: str = "form",
                keep_writes: bool = False, **context):
    """Validate ``form`` → ``operate()`` → ``success(result)``.

    ``success`` returns the URL to redirect to (flashing ``message``) or, for the pages
    shown once after a success (recovery codes), a response of its own. Otherwise the
    page again: ``template`` rendered with the form as ``form_name`` and ``context``, or
    ``template()`` when the page needs more than a template; status 200 when the form was
    not sent, 422 (see ``refuse``) when it was sent and refused."""
    status = 200
    if form.validate_on_submit():
        try:
            result = operate()
            # Some refusals are found only when the writes reach the database (a write into
            # a locked period, ``locks.checks``): flushed here, they are the form's too.
            current_app.extensions["sqlalchemy"].session.flush()
        except DomainError as error:
            status = refuse(form, error, keep_writes=keep_writes)
        else:
            outcome = success(result)
            if not isinstance(outcome, str):
                return outcome
            if message:
                flash(message, "info")
            return redirect(outcome)
    elif form.errors:
        current_app.extensions["sqlalchemy"].session.rollback()
        status = ERROR_STATUS
    if callable(template):
        return template(), status
    return render_template(template, **{form_name: form}, **context), status
