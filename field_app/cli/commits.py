"""The one commit of a command-line command, as ``core.transaction`` is the one of a request."""
from __future__ import annotations

import functools

from field_app.extensions import db


def commits(command):
    """Commit once when ``command`` returns; roll back when it raises or exits (a
    ``ClickException``, ``sys.exit(1)`` after a refused import). Put it nearest the
    function, under the click decorators and ``with_appcontext``."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run
