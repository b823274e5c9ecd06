"""The division pages' figures kept warm: the jobs worker's upkeep every minute
(``statistics.figures.warm``), so a page viewed after a write is served from the cache
instead of computing for seconds."""
from __future__ import annotations

import logging

from field_app.core.context import current_policy
from field_app.extensions import db
from field_app.jobs.queue import periodic
from field_app.statistics import figures

log = logging.getLogger(__name__)


@periodic("figures_warm", minute="*")
def warm_figures() -> list[figures.Warmed]:
    warmed = figures.warm(db.session, current_policy())
    for entry in warmed:
        log.info("figures kept warm: %s %s %s..%s in %.2f s", entry.kind, entry.code,
                 entry.start, entry.end, entry.seconds)
    return warmed
