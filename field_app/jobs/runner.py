"""Running one job, in the worker (or in the request, in immediate mode): an app context of
its own, hence a session of its own; claim, work, commit once or record the failure."""
from __future__ import annotations

import logging

from flask import Flask
from flask_babel import lazy_gettext as _l

from field_app.accounts.models import User
from field_app.audit.actor import Actor, actor_for, operator_actor, set_actor
from field_app.core.errors import DomainError
from field_app.extensions import db
from field_app.jobs import operations
from field_app.jobs.models import Job
from field_app.jobs.queue import KINDS, UNKNOWN_KIND, Outcome, Progress, Queue

log = logging.getLogger(__name__)


def crashed(job_id: int):
    return _l("任务执行出错，未写入任何数据；请稍后重试或联系管理员（任务编号 %(id)s）", id=job_id)


def run(app: Flask, queue: Queue, job_id: int) -> None:
    with app.app_context():
        session = db.session
        try:
            _run(session, queue, job_id)
        finally:
            queue.clear_progress(job_id)
            session.remove()


def _actor(job: Job, creator: User | None) -> Actor:
    """Who the job's writes are audited as: the user who started it, the API client that
    did (by its name, as its calls are), or else the operator."""
    if creator is not None:
        return actor_for(creator)
    client = (job.params or {}).get(operations.CLIENT)
    if client:
        return Actor(None, str(client)[:60], None, job.division_code)
    return operator_actor()


def _run(session, queue: Queue, job_id: int) -> None:
    if not operations.claim(session, job_id):
        session.rollback()
        return
    session.commit()
    job = session.get(Job, job_id)
    creator = session.get(User, job.created_by_id) if job.created_by_id else None
    set_actor(session, _actor(job, creator))
    progress = Progress(queue, job_id)
    spec = KINDS.get(job.kind)
    try:
        if spec is None:
            outcome = Outcome(False, {}, UNKNOWN_KIND)
        else:
            outcome = spec.run(session, job, progress)
        if outcome.ok:
            operations.succeed(session, job, outcome.result, total=progress.total)
            session.commit()
            return
    except DomainError as error:
        outcome = Outcome(False, {}, error.message)
    except Exception:
        log.exception("job %s (%s) failed", job_id, getattr(job, "kind", "?"))
        outcome = Outcome(False, {}, crashed(job_id))
    session.rollback()
    job = session.get(Job, job_id)
    operations.fail(session, job, outcome.message, outcome.result or None,
                    done=progress.done, total=progress.total, keep=outcome.keep)
    session.commit()
