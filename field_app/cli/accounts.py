"""``flask accounts ...``: the daily sweep and bootstrapping the first administrator."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from field_app.accounts import operations
from field_app.accounts.models import User
from field_app.accounts.roles import AccountState, Role
from field_app.cli.commits import commits
from field_app.cli.text import word
from field_app.core.i18n import both
from field_app.extensions import db

accounts = AppGroup("accounts", help="Account lifecycle (账号管理).")


@accounts.command("sweep")
@commits
def sweep() -> None:
    """Lock accounts idle 30 days and cancel those unused two years (run daily)."""
    counts = operations.sweep(db.session, current_app.extensions["field_app.account_policy"])
    locked, cancelled = word(lazy_pgettext("cli", "锁定")), word(lazy_pgettext("cli", "注销"))
    click.echo(f"{locked}: {counts['locked']}  {cancelled}: {counts['cancelled']}")


@accounts.command("create-region-admin")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--division", default="150000000000", show_default=True)
@click.password_option()
@commits
def create_region_admin(username: str, display_name: str, division: str, password: str) -> None:
    """Create the region (自治区) administrator, who grants the league administrators."""
    from field_app.core.errors import DomainError
    from field_app.core.clock import clock

    policy = current_app.extensions["field_app.account_policy"]
    try:
        operations.check_new_password(password, username)
    except DomainError as error:
        problems = (error.errors or {}).get("password") or [error.message]
        raise click.ClickException("；".join(both(problem) for problem in problems)) from None
    if db.session.query(User.id).filter_by(username=username).first():
        raise click.ClickException(both(_l("用户名「%(username)s」已存在", username=username)))
    db.session.add(User(username=username, display_name=display_name, role=Role.REGION_ADMIN,
                        division_code=division, state=AccountState.ACTIVE,
                        password_hash=operations.hash_password(password, policy),
                        must_change_password=True, last_activity_at=clock.now()))
    click.echo(f"created {username}")
