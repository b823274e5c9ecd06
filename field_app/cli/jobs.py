"""``jobs-worker``: the consumer of the background-job queue (docs/jobs.md)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from huey import RedisHuey

from field_app.cli.commits import commits
from field_app.core.i18n import both
from field_app.extensions import db
from field_app.jobs.operations import fail_interrupted
from field_app.jobs.queue import EXTENSION


@click.command("jobs-worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Jobs run at once (threads).")
@with_appcontext
def jobs_worker(workers: int) -> None:
    """Run the background jobs (后台任务) until interrupted (Ctrl-C finishes the jobs running)."""
    queue = current_app.extensions[EXTENSION]
    if queue.huey.immediate:
        raise click.ClickException(both(_l("任务队列处于立即执行模式，无需单独运行")))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not isinstance(queue.huey, RedisHuey):
        # The embedded queue has this one consumer: a job still running was left by a
        # worker that died (its writes were rolled back), and would show "running" forever.
        failed = _fail_interrupted()
        if failed:
            click.echo(both(_l("%(n)s 个中断的任务已标记为失败", n=failed)), err=True)
    scheduled = queue.schedule_periodic(current_app._get_current_object(), db.session.remove)
    if scheduled:
        click.echo(f"periodic: {', '.join(scheduled)}", err=True)
    # flush_locks: a lock left by a worker that died would keep its upkeep from ever running.
    queue.huey.create_consumer(workers=workers, worker_type="thread",
                               periodic=bool(scheduled), flush_locks=True).run()


@commits
def _fail_interrupted() -> int:
    return fail_interrupted(db.session)
