"""The administrators' list of snapshots: when, how large, and the hashes of the chain; and
making one from the web, as a background job (``snapshots.jobs``)."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.extensions import db
from field_app.snapshots import jobs, queries
from field_app.snapshots.figures import previous_month
from field_app.snapshots.forms import SnapshotForm
from field_app.snapshots.labels import size_text

bp = Blueprint("snapshots", __name__, url_prefix="/snapshots")


def _page(form: SnapshotForm | None = None) -> str:
    makes = jobs.may_make(db.session, current_user)
    if makes and form is None:
        form = SnapshotForm(month=previous_month(clock.today()))
    return render_template("snapshots/index.html", snapshots=queries.listing(db.session),
                           size_text=size_text, form=form if makes else None)


@bp.get("/")
@require_can(Capability.VIEW_SNAPSHOTS)
def index():
    return _page()


@bp.post("/")
@require_can(Capability.VIEW_SNAPSHOTS)
def create():
    if not jobs.may_make(db.session, current_user):
        raise OutOfScope()
    form = SnapshotForm()
    return handle_form(form, lambda: jobs.enqueue_snapshot(db.session, actor=current_user,
                                                           month=form.month.data),
                       template=lambda: _page(form),
                       success=lambda job: url_for("jobs.show", job_id=job.id),
                       message=_l("正在后台制作快照"))
