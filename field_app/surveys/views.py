"""The cadre's survey app shell and its service worker, and the county's survey rounds
(which the league and the region read, county by county).

The app itself is static JavaScript (``static/survey/``) over the JSON resources in
``api/survey.py``; see docs/survey-sync.md."""
from __future__ import annotations

import hashlib
import os

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.core.assets import file_version
from field_app.core.clock import clock
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.core.codes import Level, in_subtree, is_code, level_of
from field_app.core.errors import OutOfScope
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.surveys import forms, labels, operations, queries
from field_app.surveys.rules import client_rules

bp = Blueprint("survey", __name__, url_prefix="/survey")
collectors = require_can(Capability.COLLECT_SURVEY)
county = require_can(Capability.VIEW_ROUNDS)
managers = require_can(Capability.MANAGE_ROUNDS)

# The static files of the app; the service worker keeps them with the shell.
APP_FILES = ("app.css", "survey/survey.css", "js/gb11643.js")


def _app_assets() -> list[str]:
    folder = os.path.join(current_app.static_folder, "survey")
    scripts = sorted(f"survey/{name}" for name in os.listdir(folder) if name.endswith(".js"))
    return [url_for("static", filename=name) for name in (*APP_FILES, *scripts)]


@bp.get("/")
@collectors
def app():
    english = str(get_locale()) == "en"
    config = {
        "rules": client_rules(english),
        "labels": {name: labels.label_map(values) for name, values in labels.ENUMS.items()},
        "fields": {name: labels.label_map(values) for name, values in labels.FIELDS.items()},
        "urls": {"session": url_for("api.survey_session"), "roster": url_for("api.survey_roster"),
                 "person": url_for("api.survey_person"), "sync": url_for("api.survey_sync"),
                 "login": url_for("accounts.login", next=url_for("survey.app")),
                 "worker": url_for("survey.worker"), "scope": url_for("survey.app")},
        "today": clock.today().isoformat(),
        "lang": "en" if english else "zh",
    }
    return render_template("survey/app.html", config=config)


@bp.get("/sw.js")
@collectors
def worker():
    assets = [url_for("survey.app"), *_app_assets()]
    shell = os.path.join(current_app.root_path, current_app.template_folder, "survey",
                         "app.html")
    # A new worker (and a fresh cache) whenever a file or the shell's template changes.
    version = hashlib.sha256("|".join([*assets, str(file_version(shell))]).encode()
                             ).hexdigest()[:12]
    body = render_template("survey/sw.js", assets=assets, version=version)
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/rounds")
@county
def rounds():
    if level_of(current_user.division_code) < Level.COUNTY:
        return _overview()
    return _rounds_page(forms.OpenRoundForm())


def _overview():
    """The league's or the region's page: every county's latest round, households per
    status, each county opening its rounds (read-only)."""
    division = db.session.get(Division, current_user.division_code)
    return render_template("survey/overview.html", division=division,
                           counties=queries.county_progress(db.session, division.code,
                                                            current_user),
                           statuses=labels.STATUSES)


@bp.get("/counties/<code>")
@county
def county_rounds(code: str):
    """A county's rounds as the county sees them, for the league and the region above it
    (read-only: managing rounds stays with the county)."""
    division = db.session.get(Division, code) if is_code(code) else None
    if (division is None or division.level != Level.COUNTY
            or not current_user.can(Capability.VIEW_ROUNDS, at=code)):
        raise OutOfScope()
    return _rounds_page(forms.OpenRoundForm(formdata=None), code=code)


def _rounds_page(form, reopen_form=None, code=None):
    """The county's rounds: the open one with its progress by township, and the past ones
    (the latest of which the county may reopen, for a reason). Seen from above (``code``
    given), the latest closed round's progress is shown when none is open."""
    own = code is None
    code = code or current_user.division_code
    current = queries.open_round(db.session, code)
    progress = queries.progress(db.session, current, code, current_user, by=Level.TOWNSHIP) \
        if current else []
    past = queries.rounds_of(db.session, code)
    can_manage = current_user.can(Capability.MANAGE_ROUNDS, at=code)
    reopenable = past[0] if can_manage and current is None and past else None
    latest = past[0] if not own and current is None and past else None
    return render_template("survey/rounds.html", county=db.session.get(Division, code),
                           latest=latest, latest_progress=queries.progress(
                               db.session, latest, code, current_user, by=Level.TOWNSHIP)
                           if latest else [], above=not own,
                           rounds=past, reopenings=queries.reopenings(db.session, past),
                           current=current, progress=progress, form=form,
                           reopen_form=reopen_form or forms.ReopenRoundForm(formdata=None),
                           reopenable=reopenable, can_manage=can_manage,
                           statuses=labels.STATUSES)


@bp.post("/rounds")
@managers
def open_round():
    form = forms.OpenRoundForm()
    return handle_form(form, lambda: operations.open_round(
        db.session, county_code=current_user.division_code, year=form.year.data,
        actor=current_user), template=lambda: _rounds_page(form),
        success=lambda _round: url_for("survey.rounds"),
        message=_l("已开启%(year)s年度入户调查", year=form.year.data))


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@managers
def close(round_id: int):
    """Closing asks first: the page shows what is still open, and the county confirms."""
    round_ = queries.get_round_or_404(db.session, round_id, current_user)
    form = forms.CloseRoundForm()
    page = lambda: render_template(  # noqa: E731
        "survey/close.html", round=round_, form=form, statuses=labels.STATUSES,
        county=db.session.get(Division, round_.county_code),
        summary=queries.close_summary(db.session, round_, current_user, clock.now()))
    return handle_form(form, lambda: operations.close_round(
        db.session, round_, actor=current_user, confirmed=form.confirm.data),
        template=page, success=lambda _result: url_for("survey.rounds"),
        message=_l("本轮入户调查已结束"))


@bp.post("/rounds/<int:round_id>/reopen")
@managers
def reopen(round_id: int):
    round_ = queries.get_round_or_404(db.session, round_id, current_user)
    form = forms.ReopenRoundForm()
    return handle_form(form, lambda: operations.reopen_round(
        db.session, round_, actor=current_user, reason=form.reason.data),
        template=lambda: _rounds_page(forms.OpenRoundForm(formdata=None), form),
        success=lambda _result: url_for("survey.rounds"),
        message=_l("已重新开启%(year)s年度入户调查", year=round_.year))


@bp.get("/rounds/<int:round_id>/townships/<code>")
@county
def township_progress(round_id: int, code: str):
    """The county (or the league or region above it) drills from a round's progress by
    township into one township's villages."""
    round_ = queries.get_round_or_404(db.session, round_id, current_user)
    township = db.session.get(Division, code) if is_code(code) else None
    if (township is None or township.level != Level.TOWNSHIP
            or not in_subtree(code, round_.county_code) or not current_user.covers(code)):
        raise OutOfScope()
    progress = queries.progress(db.session, round_, code, current_user, by=Level.VILLAGE)
    above = level_of(current_user.division_code) < Level.COUNTY
    return render_template("survey/township_progress.html", round=round_, township=township,
                           county=db.session.get(Division, round_.county_code) if above else None,
                           progress=progress, statuses=labels.STATUSES)
