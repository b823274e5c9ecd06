"""The API v1's background jobs: ``POST /api/v1/datasets`` uploads a data set (the web's
/jobs/import: the same checks, the same job, all or nothing) and answers 202 with the job;
``GET /api/v1/jobs/{id}`` is the job as its client polls it. A client sees only the jobs it
started: any other id is 404, as a record outside its jurisdiction is."""
from __future__ import annotations

from flask import url_for

from field_app.api.v1 import job_schemas
from field_app.api.v1.auth import current_client, requires
from field_app.api.v1.resources import blp
from field_app.core.errors import ValidationFailed
from field_app.core.permissions import get_or_404
from field_app.extensions import db
from field_app.jobs import datasets, operations, queries
from field_app.jobs.models import Job
from field_app.jobs.queue import current_queue

DATASETS = "datasets:write"
ID_MAX = 2**31 - 1  # a larger id names no row, and the databases refuse to compare it


def _job(job: Job) -> dict:
    status = queries.status(job, current_queue())
    done, total = status["progress"]["done"], status["progress"]["total"]
    return {"id": job.id, "kind": job.kind, "state": status["state"],
            "finished": status["finished"], "progress": status["progress"],
            "progress_done": done, "progress_total": total, "message": job.message,
            "result": job.result if job.state.finished else None,
            "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at,
            "links": {"self": url_for("api_v1.get_job", job_id=job.id),
                      "page": url_for("jobs.show", job_id=job.id)}}


@blp.route("/datasets", methods=["POST"])
@requires(DATASETS)
@blp.doc(tags=["后台任务"], summary="上传数据集（ZIP）：后台导入，全部或全不；重复上传不重复计数",
         description="与网页“上传数据集”相同：数据只能属于本客户端辖区，整批检查，有任何错误则不导入，"
                     "错误报告（身份证号、电话脱敏）见任务的 result。答复 202 和任务；"
                     "轮询 links.self 直到 finished。")
@blp.arguments(job_schemas.DatasetUploadIn, location="files")
@blp.response(202, job_schemas.JobOut)
def upload_dataset(files):
    client = current_client()
    data = files["archive"].read()
    fault = datasets.archive_fault(data)
    if fault is not None:
        raise ValidationFailed(str(fault), {"archive": [str(fault)]})
    job = operations.enqueue(db.session, datasets.KIND, actor=client,
                             division_code=client.division_code, upload=data)
    return _job(job)


@blp.route("/jobs/<int:job_id>")
@requires(DATASETS)
@blp.doc(tags=["后台任务"], summary="本客户端的一个后台任务：状态、进度、结果或错误报告")
@blp.response(200, job_schemas.JobOut)
def get_job(job_id: int):
    client = current_client()
    job = get_or_404(db.session.get(Job, job_id) if job_id <= ID_MAX else None,
                     lambda found: operations.started_by(found, client)
                     and queries.visible(found, client))
    return _job(job)

