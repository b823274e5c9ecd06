"""The jobs' own upkeep, run by the worker on a schedule (``queue.periodic``): the files
failed jobs keep for their uploader are dropped after ``JOBS_KEEP_FILES_DAYS``."""
from __future__ import annotations

import datetime as dt
import logging

from flask import current_app

from field_app.extensions import db
from field_app.jobs.operations import drop_old_files
from field_app.jobs.queue import periodic

log = logging.getLogger(__name__)


@periodic("job_files_drop", minute="7")
def drop_files() -> int:
    days = int(current_app.config["JOBS_KEEP_FILES_DAYS"])
    dropped = drop_old_files(db.session, dt.timedelta(days=days))
    db.session.commit()
    if dropped:
        log.info("files of %s failed jobs dropped (kept %s days)", dropped, days)
    return dropped
