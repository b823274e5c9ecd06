"""Making the monthly snapshot from the web, as a background job (制作快照).

The job is ``operations.create_snapshot``, the command line's ``snapshot create``: the same
consistent read, files, manifest chain and register row; its steps and their percentages
become the job's progress. It writes into a new directory under ``SNAPSHOTS_DIR`` (the
instance folder's ``snapshots/`` when unset), named by the month and the time it was asked
for. A snapshot is the whole database, so only an account whose subtree is the whole tree
(the region's administrators) makes one; the league's see the register but not this.
A failure removes the partial directory (``create_snapshot``) and registers nothing.
"""
from __future__ import annotations

import contextvars
from pathlib import Path

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from field_app.accounts.capabilities import Capability
from field_app.core.clock import clock
from field_app.core.context import current_policy
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.jobs import operations as jobs
from field_app.jobs.models import Job
from field_app.jobs.queue import Outcome, kind
from field_app.snapshots.manifest import SnapshotError
from field_app.snapshots.operations import Progress, create_snapshot

KIND = "snapshot_create"
STEPS = 5  # backup, export, figures, (PostgreSQL: pg_dump's end), manifest
STEP = 100  # progress units of one step: its percentage


def root_code(session: Session) -> str | None:
    """The division at the top of the tree (the region): where a snapshot job is filed."""
    return session.scalar(select(Division.code).where(Division.parent_code.is_(None))
                          .order_by(Division.code).limit(1))


def may_make(session: Session, user) -> bool:
    root = root_code(session)
    return root is not None and user.can(Capability.VIEW_SNAPSHOTS, at=root)


def snapshot_directory(month: str) -> Path:
    base = current_app.config.get("SNAPSHOTS_DIR") or Path(current_app.instance_path,
                                                             "snapshots")
    return Path(base) / f"{month}-{clock.now():%Y%m%d-%H%M%S}"


def enqueue_snapshot(session: Session, *, actor, month: str) -> Job:
    return jobs.enqueue(session, KIND, actor=actor, division_code=root_code(session) or "",
                        params={"month": month, "directory": str(snapshot_directory(month))})


class JobSteps(Progress):
    """``create_snapshot``'s steps as one job progress: each step is ``STEP`` units, filled
    by its own percentage while it reports one."""

    def __init__(self, progress) -> None:
        self.progress, self.number = progress, 0

    def step(self, message) -> None:
        self.number += 1
        self.progress(min(self.number - 1, STEPS) * STEP, STEPS * STEP)

    def advance(self, done: int, total: int) -> None:
        part = STEP * done // total if total else STEP
        self.progress((min(self.number, STEPS) - 1) * STEP + part, STEPS * STEP)


def _register(job: Job) -> str:
    return url_for("snapshots.index")


def _outside_any_request(app, work):
    """``work()`` in an app context of its own with no request around it, as in the worker.

    A job run at once (``JOBS_IMMEDIATE``, the tests) runs inside the request that queued
    it, and on SQLite a writing request begins every transaction with BEGIN IMMEDIATE
    (``core.database``): the backup's own read connection could then neither begin its
    snapshot read nor wait out this session's lock. An empty context is the worker's."""
    def run():
        with app.app_context():
            return work()

    return contextvars.Context().run(run)


@kind(KIND, label=_l("制作快照"), capability=Capability.VIEW_SNAPSHOTS, link=_register)
def run_snapshot(session, job, progress) -> Outcome:
    progress(0, STEPS * STEP)
    directory, month = Path(job.params["directory"]), job.params["month"]
    app, policy, engine = current_app._get_current_object(), current_policy(), db.engine
    # The job's own session, not the app-context proxy: the other context has its own.
    own = session() if isinstance(session, scoped_session) else session
    own.rollback()  # nothing is written yet: read afresh, holding no lock
    try:
        made = _outside_any_request(app, lambda: create_snapshot(
            own, engine, directory, month, policy, JobSteps(progress)))
    except SnapshotError as error:
        return Outcome(False, {}, error.message)
    progress(STEPS * STEP, STEPS * STEP)
    return Outcome(True, {"snapshot_id": made.id, "directory": made.directory,
                          "manifest_sha256": made.manifest_sha256,
                          "file_count": made.file_count, "total_bytes": made.total_bytes})
