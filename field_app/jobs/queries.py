"""Reads of jobs, always scoped: a user sees the jobs at a division of their subtree whose
kind's capability they hold there (who started it does not matter: a colleague's import is
the office's import)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.core.clock import clock
from field_app.core.permissions import get_or_404, in_scope
from field_app.jobs import labels
from field_app.jobs.models import Job, JobState
from field_app.jobs.queue import KINDS, Queue

RECENT = 50
STALLED_AFTER = dt.timedelta(minutes=2)


def visible(job: Job, user) -> bool:
    spec = KINDS.get(job.kind)
    return spec is not None and user.can(spec.capability, at=job.division_code)


def get_job_or_404(session: Session, job_id: int, user) -> Job:
    return get_or_404(session.get(Job, job_id), lambda job: visible(job, user))


def recent(session: Session, user) -> list[Job]:
    """The latest jobs the user may see, newest first."""
    kinds = [name for name, spec in KINDS.items() if user.can(spec.capability)]
    if not kinds:
        return []
    found = session.scalars(select(Job).where(in_scope(Job.division_code, user),
                                              Job.kind.in_(kinds))
                            .order_by(Job.id.desc()).limit(RECENT))
    return [job for job in found if visible(job, user)]


def stalled(job: Job) -> bool:
    """Queued for longer than a worker takes to pick a job up: no worker may be running."""
    return job.state == JobState.QUEUED and clock.now() - job.created_at > STALLED_AFTER


def progress(job: Job, queue: Queue) -> tuple[int, int]:
    """(done, total): live from the queue while the job runs, else the row's."""
    if job.state == JobState.RUNNING:
        live = queue.progress(job.id)
        if live is not None:
            return live
    return job.progress_done, job.progress_total


def percent(job: Job, done: int, total: int) -> int:
    if job.state == JobState.SUCCEEDED:
        return 100
    return min(100, 100 * done // total) if total else 0


def status(job: Job, queue: Queue) -> dict[str, Any]:
    """The status document of ``/jobs/<id>.json``."""
    done, total = progress(job, queue)
    spec = KINDS.get(job.kind)
    return {
        "id": job.id,
        "kind": job.kind,
        "kind_label": str(spec.label) if spec else job.kind,
        "state": str(job.state),
        "state_label": str(labels.STATES[job.state]),
        "finished": job.state.finished,
        "progress": {"done": done, "total": total, "percent": percent(job, done, total)},
        "message": job.message,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "started_at": job.started_at.isoformat(timespec="seconds") if job.started_at else None,
        "finished_at": (job.finished_at.isoformat(timespec="seconds")
                        if job.finished_at else None),
    }
