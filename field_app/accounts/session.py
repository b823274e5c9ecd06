"""Wiring of Flask-Login, the sign-in guard and the audit actor of each request."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

from field_app.accounts.models import User
from field_app.accounts.policy import AccountPolicy
from field_app.audit.actor import Actor, actor_for, set_actor
from field_app.core.identifiers import mask_id_number, mask_phone
from field_app.core.permissions import enforce_sign_in
from field_app.extensions import db, login_manager


def current_account_policy() -> AccountPolicy:
    return current_app.extensions["field_app.account_policy"]


def client_ip() -> str | None:
    return request.remote_addr


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        # A locked, cancelled or deactivated account loses its session at once.
        return user if user is not None and user.is_active else None

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
