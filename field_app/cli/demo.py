"""``load-demo``: the Hinggan League demo data set."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from field_app.cli.text import counts_table, faults, word
from field_app.cli.commits import commits
from field_app.core.clock import clock
from field_app.core.i18n import both
from field_app.extensions import db


@click.command("load-demo")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Random seed; the same seed on the same day gives the same data.")
@click.option("--households-per-village", type=click.IntRange(1, 1000), default=None,
              help="Households in each 嘎查/村 (default: about 3,000 in all).")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already holds divisions.")
@with_appcontext
@commits
def load_demo(seed: int, households_per_village: int | None, if_empty: bool) -> None:
    """Load the Hinggan League demo data set (兴安盟演示数据) through the importer, and one
    demo account per role.

    Loading again with the same seed on the same day changes nothing.
    """
    from flask import current_app
    from sqlalchemy import select

    from field_app.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts, ensure_demo_round
    from field_app.demo.analysis import ensure_demo_analysis
    from field_app.demo.generator import DEFAULT_HOUSEHOLDS_PER_VILLAGE, generate_demo
    from field_app.divisions.models import Division
    from field_app.exchange.importer import import_dataset

    if if_empty and db.session.scalar(select(Division.code).limit(1)) is not None:
        click.echo(both(_l("数据库已有数据，未加载演示数据")))
        # A demo database from before survey rounds existed still gets this year's round.
        if ensure_demo_round(db.session):
            click.echo(_round_opened())
        _load_boundaries(unless_any=True)  # issue 14: an older demo database gets them too
        return

    size = households_per_village or DEFAULT_HOUSEHOLDS_PER_VILLAGE
    with tempfile.TemporaryDirectory(prefix="field_app_demo_") as directory:
        generate_demo(Path(directory), today=clock.today(), seed=seed,
                      households_per_village=size)
        result = import_dataset(db.session.connection(), Path(directory))
    if not result.ok:
        click.echo(both(_l("演示数据有 %(count)s 处错误，未导入", count=len(result.errors))),
                   err=True)
        for line in faults(result.errors):
            click.echo(line, err=True)
        sys.exit(1)
    created = ensure_demo_accounts(db.session, current_app.extensions["field_app.account_policy"])
    ensure_demo_analysis(db.session)  # a draft 季分析 of the demo league
    _load_boundaries()  # issue 14: the maps
    if ensure_demo_round(db.session):
        click.echo(_round_opened())
    for line in counts_table(result.counts):
        click.echo(line)
    if created:
        accounts, password = word(_l("演示账号")), word(lazy_pgettext("cli", "密码"))
        click.echo(f"{accounts} ({password} {DEMO_PASSWORD}): {', '.join(created)}")


def _load_boundaries(unless_any: bool = False) -> None:
    """The league's counties and the region's leagues (``demo/boundaries.md``); the
    leagues the demo does not hold are skipped. Unchanged boundaries are not rewritten;
    ``unless_any``: nothing is loaded where any boundary is there already (never over an
    administrator's own)."""
    from sqlalchemy import select

    from field_app.divisions.models import Division
    from field_app.maps.operations import load_boundaries

    if unless_any and db.session.scalar(
            select(Division.code).where(Division.boundary.is_not(None)).limit(1)):
        return
    load_boundaries(db.session, Path(__file__).parents[1] / "demo" / "boundaries.geojson",
                    skip_unmatched=True)


def _round_opened() -> str:
    return both(_l("已开启%(year)s年度入户调查（科尔沁右翼前旗）", year=clock.today().year))
