"""A progress bar for long commands, on a terminal only: piped or redirected output (a cron
job, a log file, --json) stays as it was."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click

from field_app.core.i18n import both


@contextlib.contextmanager
def terminal_progress(label) -> Iterator[Callable[[int, int], None] | None]:
    """``progress(done, total)`` drawing a bar on standard error when it is a terminal;
    ``None`` otherwise. ``label`` is lazy, shown in both languages."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=both(label), file=sys.stderr, show_pos=True,
                           show_eta=False) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield progress
