"""Administrators' pages for API clients: list, register (token shown once), rotate, revoke."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from field_app.accounts.capabilities import Capability
from field_app.core.codes import Level
from field_app.core.forms import handle_form
from field_app.core.permissions import in_scope, require_can
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.partners import forms, labels, operations, queries

bp = Blueprint("partners", __name__, url_prefix="/partners")
admins = require_can(Capability.MANAGE_API_CLIENTS)


def _divisions():
    """The divisions of the administrator's subtree down to the counties."""
    return list(db.session.scalars(select(Division).where(
        in_scope(Division.code, current_user), Division.level <= int(Level.COUNTY))
        .order_by(Division.code)))


def _token_page(client, token: str):
    return render_template("partners/token.html", client=client, token=token,
                           labels=labels), 200


def _list_page(form=None) -> str:
    return render_template("partners/index.html",
                           clients=queries.clients_of(db.session, current_user),
                           labels=labels, form=form or forms.ConfirmForm())


@bp.get("/")
@admins
def index():
    return _list_page()


@bp.route("/new", methods=["GET", "POST"])
@admins
def new():
    form = forms.ClientForm()
    form.set_divisions(_divisions())
    return handle_form(form, lambda: operations.create_client(
        db.session, actor=current_user, name=form.name.data,
        division_code=form.division_code.data, scopes=form.scopes.data,
        expires_on=form.expires_on.data, rate_per_minute=form.rate_per_minute.data),
        success=lambda created: _token_page(*created),
        template="partners/new.html", title=_("登记接口客户端"))


@bp.post("/<int:client_id>/rotate")
@admins
def rotate(client_id: int):
    client = queries.get_client_or_404(db.session, client_id, current_user)
    form = forms.ConfirmForm()
    return handle_form(form, lambda: operations.rotate_client(db.session, client,
                                                              actor=current_user),
                       success=lambda token: _token_page(client, token),
                       template=lambda: _list_page(form))


@bp.post("/<int:client_id>/revoke")
@admins
def revoke(client_id: int):
    client = queries.get_client_or_404(db.session, client_id, current_user)
    form = forms.ConfirmForm()
    return handle_form(form, lambda: operations.revoke_client(client, actor=current_user),
                       success=lambda _result: url_for(".index"), message=REVOKED,
                       template=lambda: _list_page(form))


REVOKED = _l("已吊销，该令牌不再可用")
