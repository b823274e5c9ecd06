"""The administrators' list of snapshots: when, how large, and the hashes of the chain."""
from __future__ import annotations

from flask import Blueprint, render_template

from field_app.accounts.capabilities import Capability
from field_app.core.permissions import require_can
from field_app.extensions import db
from field_app.snapshots import queries
from field_app.snapshots.labels import size_text

bp = Blueprint("snapshots", __name__, url_prefix="/snapshots")


@bp.get("/")
@require_can(Capability.VIEW_SNAPSHOTS)
def index():
    return render_template("snapshots/index.html", snapshots=queries.listing(db.session),
                           size_text=size_text)
