"""``report``: print a numbered report to a PDF file."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from field_app.cli.commits import commits
from field_app.extensions import db


@click.command("report")
@with_appcontext
@click.argument("kind", type=click.Choice(["rural", "urban", "roster"]))
@click.option("--division", required=True, help="12-digit division code (a village for roster).")
@click.option("--period", required=True, help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PDF file to write.")
@click.option("--by-village", is_flag=True, help="Tables: one row per village of the division.")
@click.option("--site-url", default=None,
              help="Address the QR code's /verify link starts with (default: FIELD_APP_SITE_URL, "
                   "or http://127.0.0.1:5000).")
@commits
def report(kind: str, division: str, period: str, out: Path, by_village: bool,
           site_url: str) -> None:
    """Generate a numbered report (统计报表 / 入户调查花名册) and write its PDF."""
    from field_app.core.context import current_policy
    from field_app.core.errors import DomainError
    from field_app.core.i18n import both
    from field_app.core.periods import PeriodError, parse_period
    from field_app.core.security import site_url as site_url_configured
    from field_app.core.codes import Level
    from field_app.reports.operations import generate_report

    try:
        start, end = parse_period(period)
    except PeriodError as error:
        raise click.BadParameter(both(error.message), param_hint="--period") from None
    try:
        stored, pdf = generate_report(
            db.session, kind=kind, division_code=division, start=start, end=end, actor=None,
            policy=current_policy(), site_url=site_url or site_url_configured(),
            row_level=Level.VILLAGE if by_village else None)
    except DomainError as error:
        raise click.ClickException(f"{division}: {both(error.message)}") from None
    out.write_bytes(pdf)
    click.echo(f"{stored.number}  sha256 {stored.sha256}  {len(pdf)} bytes -> {out}")
