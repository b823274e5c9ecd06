"""One commit per request: the unit of work ends where the request does, not in the views.

As in Indico, views and operations only flush; ``init_app`` installs the one place that
commits. A request answered below 400 (a page, a redirect after a form, a download, a JSON
result) commits what it did; one answered with an error (a form sent back with 422, a
refusal, a 404) rolls back, so a failed request leaves nothing half-written whatever path
it took. An unhandled exception never reaches the commit; the session is removed, and so
rolled back, when the application context ends.

One deliberate exception: a refused sign-in step (a wrong password or code) answers 401 or
429, yet its audit row is the point of the exercise. The view says so with
``keep_writes_on_failure()``, and the request commits whatever its status.
"""
from __future__ import annotations

from flask import Flask, Response, g
from sqlalchemy.orm import Session, scoped_session

_KEEP = "field_app_keep_writes_on_failure"


def keep_writes_on_failure() -> None:
    """Commit this request's writes even though it answers an error status."""
    g.setdefault(_KEEP, True)


def init_app(app: Flask, session: scoped_session[Session]) -> None:
    @app.after_request
    def end_unit_of_work(response: Response) -> Response:
        if response.status_code < 400 or g.pop(_KEEP, False):
            session.commit()
        else:
            session.rollback()
        return response
