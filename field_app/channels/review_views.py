"""The checks' desk pages (/channels/hires, /channels/payees, /channels/batches): the hires
for the desk to settle, the payees for the desk to register, and the batches with the
records each brought in. Loads are scoped to the reader (outside: 404); acting needs the
unemployment registration's write capability at the record's division."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.channels import hires, payees, queries
from field_app.channels.models import Channel
from field_app.channels.review_forms import (
    ConfirmHireForm,
    KeepRegistrationForm,
    RegisterPayeeForm,
)
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.extensions import db
from field_app.registrations import labels
from field_app.registrations.lists import division_names
from field_app.registrations.models import UnemploymentRegistration
from field_app.registrations.views import remember_person

bp = Blueprint("channel_checks", __name__, url_prefix="/channels")
readers = require_can(Capability.READ_DESK)
clerks = require_can(UnemploymentRegistration.WRITE)
# The desk list each channel's records are in.
LIST_OF = {Channel.SI_ATTRITION.value: "attrition", Channel.MARKET.value: "employment",
           Channel.CIVIL_SERVICE.value: "employment", Channel.STATISTICS.value: "totals"}


@bp.context_processor
def checks_context():
    return {"channel_labels": labels.CHANNELS, "review_states": hires.REVIEW_STATES}


def _hires_page(refused: dict | None = None, status: int = 200):
    """The open reviews with their forms (``refused``: (action, review id) → the form sent
    back with its errors)."""
    refused = refused or {}
    rows = queries.open_reviews(db.session, current_user)
    forms = {row.review.id: (
        refused.get(("confirm", row.review.id)) or ConfirmHireForm(formdata=None),
        refused.get(("keep", row.review.id)) or KeepRegistrationForm(formdata=None))
        for row in rows}
    # A form sent for a review no longer open (settled meanwhile) says why above the list.
    stray = [form for (_action, review_id), form in refused.items() if review_id not in forms]
    return render_template("channels/hires.html", rows=rows, forms=forms, stray=stray,
                           settled=queries.settled_reviews(db.session, current_user),
                           can_settle=lambda review: hires.can_settle(review, current_user)), status


@bp.get("/hires")
@readers
def hire_list():
    return _hires_page()


def _settle(review_id: int, form, operate, message: str, key: str):
    review = queries.get_review_or_404(db.session, review_id, current_user, settle=True)
    return handle_form(form, lambda: operate(review), message=message,
                       template=lambda: _hires_page({(key, review_id): form})[0],
                       success=lambda _result: url_for(".hire_list"))


@bp.post("/hires/<int:review_id>/confirm")
@clerks
def confirm_hire(review_id: int):
    return _settle(review_id, ConfirmHireForm(), lambda review: hires.confirm_hire(
        db.session, review, actor=current_user), _("已终止该失业登记"), "confirm")


@bp.post("/hires/<int:review_id>/keep")
@clerks
def keep_registration(review_id: int):
    form = KeepRegistrationForm()
    return _settle(review_id, form, lambda review: hires.dismiss_hire(
        db.session, review, actor=current_user, note=form.note.data.strip()),
        _("已保留该失业登记"), "keep")


def _month() -> dt.date | None:
    """The ``month`` argument (YYYY-MM), else the latest month with payees in scope."""
    given = request.args.get("month", "").strip()
    try:
        return dt.datetime.strptime(given, "%Y-%m").date() if given else None
    except ValueError:
        return None


@bp.get("/payees")
@readers
def payee_list():
    return _payees_page(RegisterPayeeForm(formdata=None))


def _payees_page(form: RegisterPayeeForm):
    given = request.args.get("month", "").strip()
    month = _month()
    if month is None and not given:
        month = queries.latest_payee_month(db.session, current_user)
    check = payees.payee_check(db.session, current_user, month) if month else None
    bad_month = bool(given) and month is None
    return render_template("channels/payees.html", check=check, month=month,
                           bad_month=bad_month, given=given, form=form,
                           names=division_names(db.session, current_user),
                           can_register=lambda payee: UnemploymentRegistration.can_create(
                               current_user, payee.division_code)), 422 if bad_month else 200


@bp.post("/payees/<int:payee_id>/register")
@clerks
def register_payee(payee_id: int):
    """Open the desk's unemployment registration form for the payee's person, as a lookup
    by ID number does, without the ID number passing through a URL."""
    payee = queries.get_payee_or_404(db.session, payee_id, current_user)
    form = RegisterPayeeForm()
    return handle_form(form, lambda: remember_person(payee.person_id),
                       template=lambda: _payees_page(form)[0],
                       success=lambda _result: url_for("registrations.new_unemployment",
                                                       person_id=payee.person_id,
                                                       division=payee.division_code,
                                                       benefit=1))


@bp.get("/batches")
@readers
def batch_list():
    return render_template("channels/batches.html",
                           batches=queries.batches(db.session, current_user))


@bp.get("/batches/<int:batch_id>")
@readers
def batch(batch_id: int):
    found = queries.get_batch_or_404(db.session, batch_id, current_user)
    return render_template("channels/batch.html", batch=found, lists_by_value=LIST_OF,
                           reviews=queries.batch_reviews(db.session, found, current_user))
