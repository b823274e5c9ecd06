"""The job pages: a job's status with its progress bar (``/jobs/<id>``, polled as
``/jobs/<id>.json`` by static/jobs/progress.js, refreshed by the page itself without
JavaScript), the recent jobs, and the data-set upload that starts an import job."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from field_app.accounts.capabilities import Capability
from field_app.core.forms import handle_form
from field_app.core.permissions import require_can
from field_app.extensions import db
from field_app.jobs import datasets, labels, operations, queries, upkeep  # noqa: F401 (upkeep)
from field_app.jobs.forms import DatasetUploadForm
from field_app.jobs.models import JobState
from field_app.jobs.queue import KINDS, current_queue

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/")
def index():
    return render_template("jobs/index.html", jobs=queries.recent(db.session, current_user),
                           kinds=KINDS, states=labels.STATES)


@bp.get("/<int:job_id>")
def show(job_id: int):
    job = queries.get_job_or_404(db.session, job_id, current_user)
    spec = KINDS[job.kind]
    link = spec.link(job) if spec.link and job.state == JobState.SUCCEEDED else None
    report = spec.report(job) if spec.report and job.state == JobState.FAILED else None
    return render_template("jobs/show.html", job=job, spec=spec, link=link, report=report,
                           status=queries.status(job, current_queue()), states=labels.STATES,
                           stalled=queries.stalled(job))


@bp.get("/<int:job_id>.json")
def status(job_id: int):
    job = queries.get_job_or_404(db.session, job_id, current_user)
    return jsonify(queries.status(job, current_queue()))


@bp.route("/import", methods=["GET", "POST"])
@require_can(Capability.IMPORT_DATASETS)
def upload():
    form = DatasetUploadForm()
    return handle_form(form, lambda: operations.enqueue(
        db.session, datasets.KIND, actor=current_user, division_code=current_user.division_code,
        upload=form.data_bytes), template="jobs/upload.html",
        success=lambda job: url_for(".show", job_id=job.id),
        message=_l("数据集已上传，正在后台导入"))


def init_app(app) -> None:
    """The job pages and the app's queue (``jobs.queue``), dispatching on the session's
    commits."""
    from field_app.jobs import queue, runner

    queue.init_app(app, db.session, runner.run)
    app.register_blueprint(bp)
