"""The one place where access is decided: sign-in required everywhere except a short
allow-list, and load-and-authorise helpers that answer 404 outside the jurisdiction.

Every view loads what it shows through a ``get_*_or_404`` helper here (or a scoped query
built with ``in_scope``), so a record outside the user's subtree is indistinguishable
from one that does not exist.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import ColumnElement, false

from field_app.core.clock import clock
from field_app.core.errors import OutOfScope
from field_app.core.codes import subtree_bounds

# Endpoints reachable without signing in.
PUBLIC_ENDPOINTS = {"accounts.login", "accounts.restore_request", "reports.verify", "static",
                    # the second step of sign-in, between the password and the session
                    "accounts.second_factor", "accounts.enrol_at_sign_in"}
# The REST API v1 authenticates each call by its bearer token (api/v1/auth.py), not by a
# session; its document and page are public.
TOKEN_PATH = "/api/v1/"
# Endpoints reachable while a password change is pending.
PASSWORD_CHANGE_ENDPOINTS = {"accounts.change_password", "accounts.logout", "static"}


def in_scope(column: ColumnElement, user) -> ColumnElement[bool]:
    """SQL condition: ``column`` (a division code) lies in the user's subtree."""
    if not getattr(user, "division_code", None):
        return false()
    low, high = subtree_bounds(user.division_code)
    return column.between(low, high)


def get_or_404(obj, visible: Callable[[object], bool]):
    """``obj`` if it exists and ``visible(obj)``; otherwise 404 (never 403)."""
    if obj is None or not visible(obj):
        raise OutOfScope()
    return obj


def require(predicate: Callable[[object], bool]):
    """View decorator: the signed-in user must satisfy ``predicate`` or gets 404."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                raise OutOfScope()
            return view(*args, **kwargs)

        return wrapped

    return decorate


def require_can(capability):
    """View decorator: the signed-in user's role holds ``capability`` (``user.can``), or 404.
    Where the record lies is the loader's question, through ``get_or_404``."""
    return require(lambda user: user.can(capability))


def enforce_sign_in(policy_getter):
    """``before_request``: sign-in, idle timeout, absolute lifetime and pending password
    change. (Whether the session still stands for its account at all, after a sign-out or
    password change elsewhere, is the user loader's answer: an ended session arrives here
    signed out.)"""

    def check():
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or request.path.startswith(TOKEN_PATH):
            return None
        if not current_user.is_authenticated:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("accounts.login", next=request.full_path))
        now = clock.now().timestamp()
        policy = policy_getter()
        seen, since = session.get("seen"), session.get("since")
        if (seen is None or since is None
                or now - seen > policy.session_idle.total_seconds()
                or now - since > policy.session_absolute.total_seconds()):
            logout_user()
            session.clear()
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("accounts.login", expired=1))
        session["seen"] = now
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("accounts.change_password"))
        return None

    return check
