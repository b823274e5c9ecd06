"""The registration desk (登记台): person lookup, the desk forms and the record pages.

Every view loads through ``queries.get_person_or_404`` or ``queries.get_record_or_404``;
lists and exports are in ``list_views``, on the same blueprint.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.utils import secure_filename

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record as audit
from field_app.core.clock import clock
from field_app.core.forms import handle_form
from field_app.core.identifiers import IdentifierError, normalize_uscc
from field_app.core.permissions import require_can
from field_app.extensions import db
from field_app.registrations import forms, labels, operations, queries
from field_app.registrations.blueprint import bp
from field_app.registrations.pages import act, record_page

clerks = require_can(Capability.REGISTER_DESK)
readers = require_can(Capability.READ_DESK)
SAVED = _l("已保存")
LOOKED_UP = "desk_looked_up"  # person ids this sign-in has looked up by ID number


@bp.app_context_processor
def desk_context():
    return {"desk_labels": labels, "desk_today": clock.today}


def _remember(person_id: int) -> None:
    earlier = [p for p in session.get(LOOKED_UP, []) if p != person_id]
    session[LOOKED_UP] = [person_id] + earlier[:49]


def remember_person(person_id: int) -> None:
    """Let this sign-in serve the person at the desk, as a lookup by ID number does (the
    payee check sends its persons here: ``channels.review_views``)."""
    _remember(person_id)


def _person(person_id: int):
    return queries.get_person_or_404(db.session, person_id, current_user,
                                     session.get(LOOKED_UP, ()))


def _person_form(person_id: int, form_class, operate, *, title, done, prefill=None):
    """Load the person, offer the form with the user's divisions (``prefill(form)`` sets
    what a link asked for on a form not yet submitted), operate on submit."""
    target = _person(person_id)
    form = _form_for(form_class)
    if prefill is not None and not form.is_submitted():
        prefill(form)
    return handle_form(form, lambda: operate(target, form), success=done, message=SAVED,
                       template="registrations/form.html", person=target, title=title)


def _found(id_number: str | None):
    try:
        return queries.lookup(db.session, id_number or "")
    except IdentifierError:
        return None


@bp.route("/", methods=["GET", "POST"])
@clerks
def lookup():
    """Every desk form starts here, from an ID number."""
    form, found = forms.LookupForm(), None
    if form.validate_on_submit():
        try:
            found = queries.lookup(db.session, form.id_number.data)
        except IdentifierError as error:
            form.id_number.errors.append(error.message)
        else:
            if found.person:
                _remember(found.person.id)
                return redirect(url_for(".person", person_id=found.person.id))
    person_form = forms.PersonForm(id_number=found.resident.number) if found else None
    return render_template("registrations/lookup.html", form=form, found=found,
                           person_form=person_form), 422 if form.errors else 200


@bp.post("/persons")
@clerks
def create_person():
    form = forms.PersonForm()
    return handle_form(form, lambda: operations.register_person(
        db.session, actor=current_user, id_number=form.id_number.data, name=form.name.data,
        hukou=form.hukou.data or None, phone=form.phone.data or None),
        message=SAVED,
        success=lambda person: _remember(person.id) or url_for(".person", person_id=person.id),
        template="registrations/lookup.html", form_name="person_form",
        form=forms.LookupForm(id_number=form.id_number.data), found=_found(form.id_number.data))


def _person_page(person_id: int, *, full: bool):
    target = _person(person_id)
    return render_template("registrations/person.html", person=target, full=full,
                           records=queries.person_records(db.session, target, current_user),
                           age=queries.age_on(target.birth_date, clock.today()),
                           today=clock.today())


@bp.get("/persons/<int:person_id>")
@clerks
def person(person_id: int):
    return _person_page(person_id, full=False)


@bp.post("/persons/<int:person_id>/reveal")
@clerks
def reveal(person_id: int):
    """The full ID and phone numbers, for the clerk serving the person: audited."""
    audit(db.session, "view_full_id", target_type="persons", target_id=_person(person_id).id)
    return _person_page(person_id, full=True)


def _form_for(form_class):
    """The form, offering the divisions of the user's jurisdiction."""
    form = form_class()
    form.set_divisions(queries.division_choices(db.session, current_user))
    return form


@bp.route("/persons/<int:person_id>/employment", methods=["GET", "POST"])
@clerks
def new_employment(person_id: int):
    target = _person(person_id)
    form, title = _form_for(forms.EmploymentForm), _("就业登记")
    default = queries.default_category(db.session, target)
    if default.why != "unemployed":
        del form.end_unemployment  # nothing to end: not offered
    elif not form.is_submitted():
        form.end_unemployment.data = True
    if not form.is_submitted():
        form.person_category.data = default.category.value
    form.person_category.description = _category_hint(default)
    warning = form.validate_on_submit() and queries.is_continuation(
        db.session, person_id=target.id, employment_type=form.employment_type.data,
        employer_uscc=normalize_uscc(form.employer_uscc.data or "") or None,
        start_date=form.start_date.data)
    if warning and not form.acknowledged.data:  # warn once; the clerk may still register
        form.acknowledged.data = "1"
        return render_template("registrations/form.html", form=form, person=target,
                               title=title, warning=True)
    return handle_form(form, lambda: operations.register_employment(
        db.session, target, actor=current_user,
        **{name: form.data.get(name) for name in operations.EMPLOYMENT_FIELDS}),
        message=SAVED, success=lambda r: url_for(".employment", record_id=r.id),
        template="registrations/form.html", person=target, title=title, warning=warning)


def _category_hint(default: queries.CategoryDefault) -> str | None:
    """Why the form suggests its 人员类别; a registration elsewhere is not described."""
    registration = default.unemployment
    inside = registration is not None and current_user.covers(registration.division_code)
    if default.why == "unemployed":
        return (_("按该人员%(day)s的失业登记（尚未注销），默认为“%(label)s”",
                  day=registration.registered_on.isoformat(),
                  label=labels.PERSON_CATEGORIES[default.category]) if inside else
                _("该人员有尚未注销的失业登记，默认为“%(label)s”",
                  label=labels.PERSON_CATEGORIES[default.category]))
    if default.why == "ended":
        return (_("该人员的失业登记已于%(day)s以“已就业”注销，默认为“%(label)s”",
                  day=registration.cancelled_on.isoformat(),
                  label=labels.PERSON_CATEGORIES[default.category]) if inside else
                _("该人员的失业登记已以“已就业”注销，默认为“%(label)s”",
                  label=labels.PERSON_CATEGORIES[default.category]))
    if default.why == "worked":
        return _("该人员以前办理过就业登记，默认为“%(label)s”",
                 label=labels.PERSON_CATEGORIES[default.category])
    return None


@bp.route("/persons/<int:person_id>/unemployment", methods=["GET", "POST"])
@clerks
def new_unemployment(person_id: int):
    def prefill(form) -> None:
        # From the payee check (channels.review_views): the payee's division, if the
        # clerk may register there, and the benefit the payee draws.
        division = request.args.get("division")
        if division in {choice.value for choice in form.division_code.choices}:
            form.division_code.data = division
        if request.args.get("benefit") == "1":
            form.receives_benefit.data = True

    return _person_form(person_id, forms.UnemploymentForm, lambda p, f:
                        operations.register_unemployment(
                            db.session, p, actor=current_user, division_code=f.division_code.data,
                            registered_on=f.registered_on.data,
                            receives_benefit=f.receives_benefit.data,
                            end_employment_on=f.end_employment_on.data),
                        title=_("失业登记"),
                        done=lambda r: url_for(".unemployment", record_id=r.id),
                        prefill=prefill)


@bp.route("/persons/<int:person_id>/aid", methods=["GET", "POST"])
@clerks
def new_aid(person_id: int):
    return _person_form(person_id, forms.AidForm, lambda p, f: operations.recognize_aid(
        db.session, p, actor=current_user, division_code=f.division_code.data,
        recognized_on=f.recognized_on.data, category=f.category.data, revive=f.revive.data),
        title=_("就业困难人员认定"), done=lambda r: url_for(".aid", record_id=r.id))


@bp.route("/persons/<int:person_id>/attrition", methods=["GET", "POST"])
@require_can(Capability.ENTER_ATTRITION)
def new_attrition(person_id: int):
    return _person_form(person_id, forms.AttritionForm, lambda p, f: operations.record_attrition(
        db.session, p, actor=current_user, division_code=f.division_code.data,
        occurred_on=f.occurred_on.data, reason=f.reason.data, revive=f.revive.data),
        title=_("自然减员"), done=lambda r: url_for(".person", person_id=r[0].person_id))


@bp.route("/attrition/import", methods=["GET", "POST"])
@require_can(Capability.ENTER_ATTRITION)
def import_attrition():
    """The social-insurance extract, uploaded and imported all or nothing."""
    form, result = forms.AttritionImportForm(), None
    if form.validate_on_submit():
        with tempfile.TemporaryDirectory() as folder:
            for upload in form.files.data:
                upload.save(Path(folder) / (secure_filename(upload.filename) or "unnamed"))
            result = operations.import_attrition(db.session, Path(folder), actor=current_user)
    failed = form.errors or (result is not None and not result.ok)
    return render_template("registrations/import.html", form=form,
                           result=result), 422 if failed else 200


@bp.route("/totals/new", methods=["GET", "POST"])
@require_can(Capability.ENTER_TOTALS)
def new_total():
    form = _form_for(forms.EmployedTotalForm)
    return handle_form(form, lambda: operations.set_employed_total(
        db.session, actor=current_user, division_code=form.division_code.data,
        as_of=form.as_of.data, employed_total=form.employed_total.data,
        deduction=form.deduction.data, revive=form.revive.data),
        message=SAVED, success=lambda result: url_for(".records", kind="totals"),
        template="registrations/form.html", title=_("期末从业人员总数"))


@bp.get("/employment/<int:record_id>")
@readers
def employment(record_id: int):
    return record_page("employment", record_id)


@bp.get("/unemployment/<int:record_id>")
@readers
def unemployment(record_id: int):
    return record_page("unemployment", record_id)


@bp.get("/aid/<int:record_id>")
@readers
def aid(record_id: int):
    return record_page("aid", record_id)


@bp.get("/attrition/<int:record_id>")
@readers
def attrition(record_id: int):
    return record_page("attrition", record_id)


@bp.get("/totals/<int:record_id>")
@readers
def total(record_id: int):
    return record_page("totals", record_id)


@bp.post("/employment/<int:record_id>/end")
@clerks
def end_employment(record_id: int):
    return act("employment", record_id, forms.EndEmploymentForm, lambda r, f:
               operations.end_employment(r, actor=current_user, end_date=f.end_date.data),
               _("已终止就业"))


@bp.post("/unemployment/<int:record_id>/cancel")
@clerks
def cancel_unemployment(record_id: int):
    return act("unemployment", record_id, forms.CancelUnemploymentForm, lambda r, f:
               operations.cancel_unemployment(r, actor=current_user,
                                              cancelled_on=f.cancelled_on.data,
                                              reason=f.reason.data),
               _("失业登记已注销"))


@bp.post("/aid/<int:record_id>/exit")
@clerks
def exit_aid(record_id: int):
    return act("aid", record_id, forms.AidExitForm, lambda r, f: operations.exit_aid(
        r, actor=current_user, exited_on=f.exited_on.data, reason=f.reason.data),
        _("已退出就业援助"))


INVALIDATIONS = {
    "employment": (operations.invalidate, _l("登记已作废")),
    "unemployment": (operations.invalidate, _l("登记已作废")),
    "aid": (operations.invalidate_aid, _l("记录已作废")),
    "attrition": (operations.invalidate_attrition, _l("记录已作废")),
    "totals": (operations.invalidate_employed_total, _l("记录已作废")),
}


@bp.post("/<any(employment, unemployment, aid, attrition, totals):kind>/<int:record_id>"
         "/invalidate")
@clerks
def invalidate(kind: str, record_id: int):
    operate, done = INVALIDATIONS[kind]
    return act(kind, record_id, forms.InvalidateForm, lambda r, f: operate(
        r, actor=current_user, reason=f.reason.data), done)

