"""The queue: Huey, with SQLite storage in the instance folder by default (no server to run
beside the application), Redis when ``JOBS_QUEUE_URL`` names one, in memory for tests.

A job is a ``Job`` row; the queue carries only its id. Three rules make a job safe to run:

* **Dispatched after commit.** ``operations.enqueue`` only adds the row and notes its id on
  the session; the id goes to the queue when that session commits (the request's one
  commit), so a worker never looks for a row that is not there yet, and a request that rolls
  back sends nothing.
* **Claimed once.** The worker moves the row from queued to running with one conditional
  UPDATE; a message delivered twice finds the job taken and does nothing.
* **All or nothing.** The work runs in its own session, in an app context of its own, and
  commits once at the end together with the job's success; any fault rolls the work back
  and a second, short transaction records the failure with its message.

Progress while the work's transaction is open cannot go through the database (SQLite has one
writer, and it is the work), so it goes through the queue's own key-value store, which the
web process reads; the row keeps the final figures.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability

log = logging.getLogger(__name__)

EXTENSION = "field_app.jobs"
PENDING = "field_app.jobs.pending"
QUEUE_FILE = "jobs-queue.db"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a job's work came to. ``ok``: commit the work; otherwise it is rolled back and
    the job fails with ``message`` (lazy, stored in both languages)."""

    ok: bool
    result: dict[str, Any]
    message: Any = None
    # A file kept on the failed job in place of its upload (a channel's bad rows marked),
    # for the one who started it to download.
    keep: bytes | None = None


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    label: Any  # lazy
    capability: Capability  # who may start one, and see it, at its division
    run: Callable[..., Outcome]  # run(session, job, progress) -> Outcome
    # The page showing what a succeeded job made (the scan's findings), if it has one.
    link: Callable[[Any], str | None] | None = None
    # The page with a failed job's full report (a channel's faults and bad rows), if any.
    report: Callable[[Any], str | None] | None = None


KINDS: dict[str, Kind] = {}


def kind(name: str, *, label, capability: Capability,
         link: Callable[[Any], str | None] | None = None,
         report: Callable[[Any], str | None] | None = None):
    """Register the function that does the work of jobs of kind ``name``.

    ``run(session, job, progress)`` does the work in ``session`` (flushing, never
    committing), calls ``progress(done, total)`` as it goes and returns an ``Outcome``.
    Registered when its module is imported: the route modules do it, and every process that
    runs jobs builds the app, which imports them."""
    def register(run: Callable[..., Outcome]) -> Callable[..., Outcome]:
        KINDS[name] = Kind(name, label, capability, run, link, report)
        return run

    return register


@dataclasses.dataclass(frozen=True)
class Periodic:
    """Upkeep the worker runs on a schedule (Huey's ``crontab`` fields, e.g.
    ``{"minute": "*"}``: every minute), in an app context of its own: no ``Job`` row,
    nobody started it. ``run()`` commits its own work."""

    name: str
    schedule: dict[str, str]
    run: Callable[[], Any]


PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, **schedule: str):
    """Register ``run()`` as upkeep of the worker, run on ``schedule`` (``crontab``'s
    ``minute``, ``hour``, …; ``jobs-worker`` schedules it with Huey's periodic tasks, one
    run at a time). Registered when its module is imported, as ``kind``."""
    crontab(**schedule)  # a wrong field fails at import, not in the worker
    def register(run: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC[name] = Periodic(name, dict(schedule), run)
        return run

    return register


UNKNOWN_KIND = _l("未知的任务类型，任务未执行")


class Queue:
    """The app's queue: the Huey instance and its one task, ``run_job(job_id)``."""

    def __init__(self, app: Flask, huey: Huey, run: Callable[[Flask, Queue, int], None]) -> None:
        self.huey = huey

        @huey.task(name="run_job")
        def run_job(job_id: int) -> None:
            run(app, self, job_id)

        self.run_job = run_job
        self.scheduled: set[str] = set()

    def dispatch(self, job_id: int) -> None:
        self.run_job(job_id)

    def schedule_periodic(self, app: Flask, remove_session: Callable[[], None]) -> list[str]:
        """Put every registered ``Periodic`` on Huey's schedule (the worker, before its
        consumer starts with ``periodic=True``); a run still going when the next is due
        makes that one skip (Huey's task lock). The names scheduled."""
        for upkeep in PERIODIC.values():
            if upkeep.name in self.scheduled:  # Huey refuses a task name twice
                continue

            def run(upkeep: Periodic = upkeep) -> None:
                with app.app_context():
                    try:
                        upkeep.run()
                    finally:
                        remove_session()

            locked = self.huey.lock_task(f"periodic:{upkeep.name}")(run)
            self.huey.periodic_task(crontab(**upkeep.schedule),
                                    name=f"periodic:{upkeep.name}")(locked)
            self.scheduled.add(upkeep.name)
        return sorted(self.scheduled)

    # --- live progress --------------------------------------------------------------------
    @staticmethod
    def _key(job_id: int) -> str:
        return f"progress:{job_id}"

    def put_progress(self, job_id: int, done: int, total: int) -> None:
        self.huey.put(self._key(job_id), (done, total))

    def progress(self, job_id: int) -> tuple[int, int] | None:
        try:
            found = self.huey.get(self._key(job_id), peek=True)
        except Exception:  # a queue store that is down must not take the status page along
            log.warning("job progress unavailable", exc_info=True)
            return None
        return tuple(found) if found else None

    def clear_progress(self, job_id: int) -> None:
        self.huey.delete(self._key(job_id))


class Progress:
    """``progress(done, total)``: the job's live figures, written at most every ``every``
    seconds (and always for the last step)."""

    def __init__(self, queue: Queue, job_id: int, every: float = 0.2) -> None:
        self.queue, self.job_id, self.every = queue, job_id, every
        self.last = 0.0
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if done >= total or now - self.last >= self.every:
            self.last = now
            self.queue.put_progress(self.job_id, done, total)


def make_huey(app: Flask) -> Huey:
    url = app.config.get("JOBS_QUEUE_URL") or ("memory://" if app.testing else None)
    immediate = app.config.get("JOBS_IMMEDIATE")
    if immediate is None:
        immediate = app.testing
    if url is None:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return SqliteHuey("field_app", filename=str(Path(app.instance_path) / QUEUE_FILE),
                          results=False, immediate=immediate, immediate_use_memory=False)
    if url.startswith("sqlite:///"):  # a queue file of one's choosing
        return SqliteHuey("field_app", filename=url.removeprefix("sqlite:///"), results=False,
                          immediate=immediate, immediate_use_memory=False)
    if url.startswith("memory://"):
        return MemoryHuey("field_app", results=False, immediate=immediate,
                          immediate_use_memory=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("field_app", url=url, results=False, immediate=immediate)
    raise RuntimeError(f"JOBS_QUEUE_URL: unsupported queue {url!r} "
                       "(unset, sqlite:///path, redis://host:port/db or memory://)")


def init_app(app: Flask, session, run: Callable[[Flask, Queue, int], None]) -> None:
    """The app's queue, whose one task is ``run`` (``jobs.runner.run``), and the session
    hooks that send a job to it when the job's row is committed."""
    app.extensions[EXTENSION] = Queue(app, make_huey(app), run)
    if not event.contains(session, "after_commit", _dispatch_pending):
        event.listen(session, "after_commit", _dispatch_pending)
        event.listen(session, "after_soft_rollback", _forget_pending)


def current_queue() -> Queue:
    return current_app.extensions[EXTENSION]


def note_pending(session: Session, job_id: int) -> None:
    session.info.setdefault(PENDING, []).append(job_id)


def _dispatch_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    queue = current_queue()
    for job_id in pending:
        queue.dispatch(job_id)


def _forget_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(PENDING, None)
