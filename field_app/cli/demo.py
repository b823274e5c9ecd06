"""``load-demo``: the Hinggan League demo data set."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from field_app.core.clock import clock
from field_app.extensions import db


@click.command("load-demo")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Random seed; the same seed on the same day gives the same data.")
@click.option("--households-per-village", type=click.IntRange(1, 1000), default=None,
              help="Households in each 嘎查/村 (default: about 3,000 in all).")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already holds divisions.")
@with_appcontext
def load_demo(seed: int, households_per_village: int | None, if_empty: bool) -> None:
    """Load the Hinggan League demo data set (兴安盟演示数据) through the importer, and one
    demo account per role.

    Loading again with the same seed on the same day changes nothing.
    """
    from flask import current_app
    from sqlalchemy import select

    from field_app.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts, ensure_demo_round
    from field_app.demo.generator import DEFAULT_HOUSEHOLDS_PER_VILLAGE, generate_demo
    from field_app.divisions.models import Division
    from field_app.exchange.importer import import_dataset

    if if_empty and db.session.scalar(select(Division.code).limit(1)) is not None:
        click.echo("数据库已有数据，未加载演示数据 / database not empty, demo data not loaded")
        # A demo database from before survey rounds existed still gets this year's round.
        if ensure_demo_round(db.session):
            db.session.commit()
            click.echo(f"已开启{clock.today().year}年度入户调查（科尔沁右翼前旗） / "
                       "demo survey round opened")
        return

    size = households_per_village or DEFAULT_HOUSEHOLDS_PER_VILLAGE
    with tempfile.TemporaryDirectory(prefix="field_app_demo_") as directory:
        generate_demo(Path(directory), today=clock.today(), seed=seed,
                      households_per_village=size)
        result = import_dataset(db.session.connection(), Path(directory))
    if not result.ok:
        db.session.rollback()
        click.echo(f"演示数据有 {len(result.errors)} 处错误，未导入 / "
                   f"{len(result.errors)} errors in the demo data, nothing imported", err=True)
        for e in result.errors:
            click.echo(f"{e.file}:{e.line} [{e.column}] {e.value!r}: {e.reason}", err=True)
        sys.exit(1)
    created = ensure_demo_accounts(db.session, current_app.extensions["field_app.account_policy"])
    if ensure_demo_round(db.session):
        click.echo(f"已开启{clock.today().year}年度入户调查（科尔沁右翼前旗） / "
                   "demo survey round opened")
    db.session.commit()
    click.echo(f"{'文件 file':<34}{'新增 inserted':>14}{'更新 updated':>14}{'未变 unchanged':>16}")
    for name, counts in result.counts.items():
        click.echo(f"{name:<34}{counts.inserted:>14}{counts.updated:>14}{counts.unchanged:>16}")
    if created:
        click.echo(f"演示账号 demo accounts (密码 password {DEMO_PASSWORD}): {', '.join(created)}")
