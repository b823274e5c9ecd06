"""The steps the desk views share: submit a form to an operation, act on a record from its
page, and render a record's page with the actions the user may take."""
from __future__ import annotations

import dataclasses

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from field_app.core.errors import InvalidTransition, ValidationFailed
from field_app.extensions import db
from field_app.registrations import forms, queries
from field_app.registrations.lists import KINDS, display_value, division_names


def attach_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Put an operation's field errors on the form's fields; the rest above the form."""
    placed = False
    for name, messages in (error.errors or {}).items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def submit(entry: FlaskForm, operate, *, done, template: str, form_name: str = "form",
           **context):
    """Validate ``entry`` → operate → commit → redirect to ``done(result)``; otherwise the
    template again (``entry`` as ``form_name``), with the errors and status 422."""
    if entry.validate_on_submit():
        try:
            result = operate()
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(entry, error)
        else:
            db.session.commit()
            flash(_l("已保存"), "info")
            return redirect(done(result))
    status = 422 if entry.errors or entry.form_errors else 200
    return render_template(template, **{form_name: entry}, **context), status


@dataclasses.dataclass(frozen=True)
class Action:
    url: str
    form: FlaskForm
    button: object
    danger: bool = False


def _actions(kind: str, record, given: dict) -> list[Action]:
    """The forms on a record's page, for a user who may change the record."""
    if not record.can_edit(current_user):
        return []

    def form(form_class):
        return given.get(form_class) or form_class(formdata=None)

    def url(endpoint, **extra):
        return url_for(f".{endpoint}", record_id=record.id, **extra)

    actions = []
    if kind == "employment" and record.valid and record.end_date is None:
        actions.append(Action(url("end_employment"), form(forms.EndEmploymentForm),
                              _l("终止就业")))
    if kind == "unemployment" and record.is_open:
        actions.append(Action(url("cancel_unemployment"), form(forms.CancelUnemploymentForm),
                              _l("注销失业登记")))
    if kind == "aid" and record.valid:
        actions.append(Action(url("exit_aid"), form(forms.AidExitForm),
                              _l("更正退出") if record.exited_on else _l("退出就业援助")))
    if record.valid:
        actions.append(Action(url("invalidate", kind=kind), form(forms.InvalidateForm),
                              _l("作废"), True))
    return actions


def record_page(kind: str, record_id: int, given: dict | None = None, status: int = 200):
    spec = KINDS[kind]
    record = queries.get_record_or_404(db.session, spec.model, record_id, current_user)
    names = division_names(db.session, current_user)
    rows = [(column, display_value(spec, record, column, names)) for column in spec.columns]
    continuation = kind == "employment" and record.valid and queries.is_continuation(
        db.session, person_id=record.person_id, employment_type=record.employment_type,
        employer_uscc=record.employer_uscc, start_date=record.start_date)
    return render_template("registrations/record.html", kind=spec, record=record, rows=rows,
                           actions=_actions(kind, record, given or {}),
                           continuation=continuation), status


def act(kind: str, record_id: int, form_class, operate, message):
    """Load → authorise → validate → operate → commit → back to the record's page.

    Authorised before the form is read, so a user who may only look at the record gets 404
    whatever they send, as one outside the jurisdiction does."""
    spec = KINDS[kind]
    record = queries.get_record_or_404(db.session, spec.model, record_id, current_user,
                                       edit=True)
    form = form_class()
    if form.validate_on_submit():
        try:
            operate(record, form)
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error)
        except InvalidTransition as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for(spec.endpoint, record_id=record_id))
        else:
            db.session.commit()
            flash(message, "info")
            return redirect(url_for(spec.endpoint, record_id=record_id))
    return record_page(kind, record_id, {form_class: form}, 422)
