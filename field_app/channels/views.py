"""The channel pages: the channels one may upload to, each channel's page (what it is, its
columns, the templates, the upload form that starts an import job), and the result of a
channel job (its counts, or every fault with the bad rows to download)."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from field_app.channels import jobs, labels, queries, sheets
from field_app.channels.catalogue import CHANNELS, ChannelSpec, spec_for
from field_app.channels.forms import ChannelUploadForm
from field_app.channels.models import ChannelBatch
from field_app.channels.operations import may_upload
from field_app.core.errors import OutOfScope
from field_app.core.forms import handle_form
from field_app.core.permissions import in_scope
from field_app.extensions import db
from field_app.jobs import operations as job_operations
from field_app.jobs import queries as job_queries
from field_app.jobs.models import Job, JobState

bp = Blueprint("channels", __name__, url_prefix="/channels")

MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _uploadable() -> list[ChannelSpec]:
    return [spec for spec in CHANNELS.values() if may_upload(current_user, spec)]


def _spec_or_404(name: str) -> ChannelSpec:
    spec = spec_for(name)
    if spec is None or not may_upload(current_user, spec):
        raise OutOfScope()
    return spec


def _latest_batches(specs: list[ChannelSpec]) -> dict[str, ChannelBatch]:
    """The last batch of each channel in the user's jurisdiction (one query)."""
    last = (select(func.max(ChannelBatch.id))
            .where(in_scope(ChannelBatch.division_code, current_user),
                   ChannelBatch.channel.in_([spec.channel for spec in specs]))
            .group_by(ChannelBatch.channel))
    found = db.session.scalars(select(ChannelBatch).where(ChannelBatch.id.in_(last)))
    return {str(batch.channel): batch for batch in found}


@bp.get("/")
def index():
    specs = _uploadable()
    if not specs:
        raise OutOfScope()
    return render_template("channels/index.html", specs=specs, last=_latest_batches(specs))


@bp.route("/<name>", methods=["GET", "POST"])
def channel(name: str):
    spec = _spec_or_404(name)
    form = ChannelUploadForm()
    return handle_form(form, lambda: job_operations.enqueue(
        db.session, jobs.kind_name(spec.channel), actor=current_user,
        division_code=current_user.division_code, params={"filename": form.filename},
        upload=form.data_bytes), template="channels/channel.html",
        success=lambda job: url_for("jobs.show", job_id=job.id),
        message=_l("文件已上传，正在后台导入"), spec=spec)


@bp.get("/<name>/template.<fmt>")
def template(name: str, fmt: str):
    spec = _spec_or_404(name)
    if fmt not in MIMETYPES:
        raise OutOfScope()
    spec = queries.with_examples_in(db.session, spec, current_user.division_code)
    data = sheets.template_csv(spec) if fmt == "csv" else sheets.template_xlsx(spec)
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                     download_name=f"{spec.channel.value}-template.{fmt}")


def _channel_job_or_404(job_id: int) -> Job:
    job = job_queries.get_job_or_404(db.session, job_id, current_user)
    if jobs.channel_of(job) is None:
        raise OutOfScope()
    return job


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    job = _channel_job_or_404(job_id)
    spec = CHANNELS[jobs.channel_of(job)]
    batch_id = (job.result or {}).get("batch_id") if job.state == JobState.SUCCEEDED else None
    # Whether the bad rows are still kept (JOBS_KEEP_FILES_DAYS), without loading them.
    has_file = db.session.scalar(select(Job.upload.is_not(None)).where(Job.id == job.id))
    return render_template("channels/job.html", job=job, spec=spec, labels=labels,
                           batch=db.session.get(ChannelBatch, batch_id) if batch_id else None,
                           own=job.created_by_id == current_user.id, has_file=has_file,
                           keep_days=current_app.config["JOBS_KEEP_FILES_DAYS"])


@bp.get("/jobs/<int:job_id>/bad-rows.xlsx")
def bad_rows(job_id: int):
    """The failed upload's bad rows, marked: for the uploader only (the rows in full)."""
    job = _channel_job_or_404(job_id)
    if job.state != JobState.FAILED or job.created_by_id != current_user.id or not job.upload:
        raise OutOfScope()
    return send_file(io.BytesIO(job.upload), mimetype=MIMETYPES["xlsx"], as_attachment=True,
                     download_name=f"{jobs.channel_of(job).value}-bad-rows-{job.id}.xlsx")
