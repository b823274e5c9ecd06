"""Writes on jobs: enqueue, claim, succeed, fail. They flush and never commit; the request
enqueueing a job commits once, and the runner (``jobs.runner``) commits each step of its
own."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from field_app.accounts.models import User
from field_app.audit.operations import record
from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, OutOfScope
from field_app.core.i18n import both
from field_app.jobs.models import TRANSITIONS, Job, JobState
from field_app.jobs.queue import KINDS, note_pending

MESSAGE_MAX = 500
NOT_HERE = _l("您的辖区内没有这个区划")
CLIENT = "api_client"  # params key: the username of the API client that started the job


def started_by(job: Job, principal) -> bool:
    """``principal`` (a user or an API client) started ``job``."""
    if isinstance(principal, User):
        return job.created_by_id == principal.id
    return job.created_by_id is None and (job.params or {}).get(CLIENT) == principal.username


def enqueue(session: Session, kind: str, *, actor, division_code: str,
            params: dict[str, Any] | None = None, upload: bytes | None = None) -> Job:
    """A queued job of ``kind`` at ``division_code``, started by ``actor``; it goes to the
    queue when the session commits. The actor must hold the kind's capability there.

    The same upload sent again by the same person while its first job still waits or runs
    is that job, not a second one (a double click, a resent form)."""
    spec = KINDS[kind]
    if not actor.can(spec.capability, at=division_code):
        raise OutOfScope(NOT_HERE)
    user_id = actor.id if isinstance(actor, User) else None
    params = dict(params or {})
    if user_id is None:  # an API client: its name, for the runner's actor and its own reads
        params[CLIENT] = actor.username
    digest = hashlib.sha256(upload).hexdigest() if upload is not None else None
    if digest is not None:
        waiting = session.scalars(select(Job).where(
            Job.kind == kind, Job.division_code == division_code,
            Job.upload_sha256 == digest,
            Job.state.in_((JobState.QUEUED, JobState.RUNNING))))
        for job in waiting:
            if started_by(job, actor):
                return job
    job = Job(kind=kind, state=JobState.QUEUED, division_code=division_code,
              created_by_id=user_id, params=params, upload=upload,
              upload_sha256=digest, created_at=clock.now())
    session.add(job)
    session.flush()
    record(session, "job_enqueue", target_type="jobs", target_id=job.id, division=division_code,
           note=kind)
    note_pending(session, job.id)
    return job


def claim(session: Session, job_id: int) -> bool:
    """Move the job from queued to running; False when it is not queued (already taken by
    another delivery of the same message, or gone)."""
    moved = session.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=clock.now())
        .execution_options(synchronize_session=False))
    return moved.rowcount == 1


def _move(job: Job, to: JobState) -> None:
    if to not in TRANSITIONS[job.state]:
        raise InvalidTransition(_l("任务状态不能这样改变"))
    job.state = to
    job.finished_at = clock.now()
    job.upload = None  # the file's personal data is not kept past the job


def succeed(session: Session, job: Job, result: dict[str, Any], *, done: int = 0,
            total: int = 0) -> None:
    _move(job, JobState.SUCCEEDED)
    job.result = result
    job.progress_total = max(total, 1)
    job.progress_done = job.progress_total
    job.message = None
    session.flush()
    record(session, "job_succeed", target_type="jobs", target_id=job.id,
           division=job.division_code, note=job.kind)


def fail(session: Session, job: Job, message, result: dict[str, Any] | None = None, *,
         done: int = 0, total: int = 0, keep: bytes | None = None) -> None:
    """End ``job`` as failed with ``message`` (lazy: stored "中文 / English"); ``keep``
    replaces the upload (a report file for the uploader), which is otherwise dropped."""
    _move(job, JobState.FAILED)
    job.upload = keep
    job.message = both(message)[:MESSAGE_MAX]
    job.result = result
    job.progress_done, job.progress_total = done, total
    session.flush()
    record(session, "job_fail", target_type="jobs", target_id=job.id,
           division=job.division_code, note=job.kind)


def drop_old_files(session: Session, older_than: dt.timedelta) -> int:
    """Drop the files failed jobs keep for their uploader (a channel's bad rows, with ID
    numbers in full) once the job ended more than ``older_than`` ago; each drop is audited.
    The number of files dropped."""
    jobs = session.scalars(select(Job).where(
        Job.state == JobState.FAILED, Job.finished_at < clock.now() - older_than,
        Job.upload.is_not(None))).all()
    for job in jobs:
        job.upload = None
        record(session, "job_file_drop", target_type="jobs", target_id=job.id,
               division=job.division_code, note=job.kind)
    session.flush()
    return len(jobs)


INTERRUPTED = _l("任务执行中被中断（后台任务进程已重启），未写入任何数据；请重新提交")


def fail_interrupted(session: Session) -> int:
    """Fail every running job: for a worker starting on a queue it alone consumes, such a
    job is one its predecessor died running, whose transaction the database rolled back.
    The number of jobs failed."""
    jobs = session.scalars(select(Job).where(Job.state == JobState.RUNNING)).all()
    for job in jobs:
        fail(session, job, INTERRUPTED, done=job.progress_done, total=job.progress_total)
    return len(jobs)
