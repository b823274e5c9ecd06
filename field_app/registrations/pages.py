"""The steps the desk views share: act on a record from its page, and render a record's
page with the actions the user may take. Forms go through ``core.forms.handle_form``."""
from __future__ import annotations

import dataclasses

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from field_app.channels.models import ChannelBatch
from field_app.core.forms import handle_form
from field_app.extensions import db
from field_app.registrations import forms, queries
from field_app.registrations.lists import KINDS, display_value, division_names


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


def record_page(kind: str, record_id: int, given: dict | None = None) -> str:
    """A record's page with the forms the user may use; ``given`` holds a refused form,
    shown with its errors (above the page when its action is no longer offered)."""
    spec = KINDS[kind]
    record = queries.get_record_or_404(db.session, spec.model, record_id, current_user)
    names = division_names(db.session, current_user)
    rows = [(column, display_value(spec, record, column, names)) for column in spec.columns]
    continuation = kind == "employment" and record.valid and queries.is_continuation(
        db.session, person_id=record.person_id, employment_type=record.employment_type,
        employer_uscc=record.employer_uscc, start_date=record.start_date)
    batch = (db.session.get(ChannelBatch, record.channel_batch_id)
             if getattr(record, "channel_batch_id", None) else None)
    actions = _actions(kind, record, given or {})
    shown = [action.form for action in actions]
    return render_template("registrations/record.html", kind=spec, record=record, rows=rows,
                           actions=actions, continuation=continuation, batch=batch,
                           refused=[f for f in (given or {}).values() if f not in shown])


def act(kind: str, record_id: int, form_class, operate, message):
    """Load → authorise → the form pipeline → back to the record's page.

    Authorised before the form is read, so a user who may only look at the record gets 404
    whatever they send, as one outside the jurisdiction does."""
    spec = KINDS[kind]
    record = queries.get_record_or_404(db.session, spec.model, record_id, current_user,
                                       edit=True)
    form = form_class()
    return handle_form(form, lambda: operate(record, form), message=message,
                       template=lambda: record_page(kind, record_id, {form_class: form}),
                       success=lambda _result: url_for(spec.endpoint, record_id=record_id))
