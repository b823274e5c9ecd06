"""Wiring of Flask-Login, the sign-in guard and the audit actor of each request."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_login import current_user, login_user
from sqlalchemy.orm import joinedload

from field_app.accounts.models import User
from field_app.accounts.policy import AccountPolicy
from field_app.accounts.throttle import SignInThrottle
from field_app.audit.actor import Actor, actor_for, set_actor
from field_app.core.clock import clock
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.core.permissions import enforce_sign_in
from field_app.extensions import db, login_manager


def current_account_policy() -> AccountPolicy:
    return current_app.extensions["field_app.account_policy"]


def current_throttle() -> SignInThrottle:
    app = current_app._get_current_object()
    throttle = app.extensions.get("field_app.sign_in_throttle")
    if throttle is None:
        throttle = SignInThrottle.from_policy(current_account_policy())
        app.extensions["field_app.sign_in_throttle"] = throttle
    return throttle


def client_ip() -> str | None:
    return request.remote_addr


def start_session(user: User, *, second_factor: bool) -> None:
    """Sign ``user`` in on this browser: a new session (nothing carried over from before
    sign-in) holding the account's session generation, the sign-in time for the absolute
    lifetime, the idle clock and whether the second factor was shown."""
    session.clear()
    login_user(user)
    now = clock.now().timestamp()
    session["generation"] = user.session_generation
    session["since"] = now  # the absolute lifetime starts at sign-in
    session["seen"] = now  # and so does the idle clock
    session["second_factor"] = second_factor


def session_is_current(user: User) -> bool:
    """This browser's session still stands for ``user``: the account is active, no sign-out,
    password change, reset, lock or deactivation has ended its sessions since, and the
    second factor was shown if the account signs in with one."""
    return (user.is_active
            and session.get("generation") == user.session_generation
            and (session.get("second_factor") or not user.signs_in_with_second_factor))


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id), options=[joinedload(User.security)])
        return user if user is not None and session_is_current(user) else None

    @app.before_request
    def bind_actor():
        if current_user.is_authenticated:
            set_actor(db.session, actor_for(current_user, client_ip()))
        else:
            set_actor(db.session, Actor(None, "anonymous", client_ip()))

    app.before_request(enforce_sign_in(current_account_policy))
    app.add_template_filter(username_of, "username")
    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(mask_id_number, "mask_id")


def username_of(user_id: int | None) -> str:
    """Template filter: who an author column points at (``系统`` for imports and commands)."""
    if user_id is None:
        return "系统"
    user = db.session.get(User, user_id)
    return user.username if user else f"#{user_id}"
