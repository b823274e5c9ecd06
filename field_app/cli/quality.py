"""``quality``: scan a division's subtree for a period, and the scheduled pre-report scans
(docs/quality.md)."""
from __future__ import annotations

import datetime as dt
import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from field_app.cli.commits import commits
from field_app.extensions import db


@click.group("quality")
def quality() -> None:
    """Data-quality rules (数据质量规则): scans and the pre-report check."""


def _settings():
    from field_app.core.context import current_policy
    from field_app.quality.rules import Settings

    return Settings.from_config(current_app.config, current_policy())


def finding_json(found) -> dict:
    """A finding as the ``--json`` list has it: rule, severity, message (both languages)
    and the records, each by interchange file stem and natural key."""
    from field_app.core.i18n import both
    from field_app.quality.rules import message

    return {"rule": found.rule.code, "severity": str(found.rule.severity),
            "message": both(message(found.rule, found.params)),
            "records": [{"file": r["file"], "key": r["key"]} for r in found.records]}


@quality.command("scan")
@with_appcontext
@click.option("--division", required=True, help="12-digit division code.")
@click.option("--period", required=True, help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON list.")
@commits
def scan(division: str, period: str, as_json: bool) -> None:
    """Run every quality rule on the division's subtree for the period and store the
    findings (new ones open, vanished ones fixed)."""
    from field_app.core.i18n import both
    from field_app.core.periods import PeriodError, parse_period
    from field_app.divisions.models import Division
    from field_app.quality import operations
    from field_app.quality.labels import NO_DIVISION
    from field_app.quality.models import ScanTrigger

    try:
        start, end = parse_period(period)
    except PeriodError as error:
        raise click.BadParameter(both(error.message), param_hint="--period") from None
    root = db.session.get(Division, division)
    if root is None:
        raise click.BadParameter(both(NO_DIVISION), param_hint="--division")
    result = operations.scan(db.session, root, start, end, settings=_settings(),
                             trigger=ScanTrigger.COMMAND)
    if as_json:
        click.echo(json.dumps([finding_json(f) for f in result.found], ensure_ascii=False,
                              indent=1))
        return
    _summary(result)


def _summary(result) -> None:
    s = result.scan
    click.echo(f"{s.division_code} {s.period_start}..{s.period_end}: {result.total} "
               f"findings ({s.opened} new, {s.seen} seen again, {s.fixed} fixed) "
               f"in {s.seconds:.2f} s")
    for code, n in sorted(s.counts.items()):
        click.echo(f"  {code:<24}{n:>8}")


@quality.command("pre-report")
@with_appcontext
@click.option("--date", "day", default=None, help="Run as if today were YYYY-MM-DD.")
@click.option("--division", default=None, help="Only divisions in this subtree.")
@commits
def pre_report(day: str | None, division: str | None) -> None:
    """Scan every division whose report falls due QUALITY_PRE_REPORT_DAYS (7) days from
    today, for the period that report covers. Meant for a daily timer (docs/quality.md)."""
    from field_app.core.clock import clock
    from field_app.core.codes import in_subtree
    from field_app.divisions.models import Division
    from field_app.quality import operations
    from field_app.quality.models import ScanTrigger
    from field_app.reporting.calendar import due_dates

    try:
        today = dt.date.fromisoformat(day) if day else clock.today()
    except ValueError:
        raise click.BadParameter(day, param_hint="--date") from None
    target = today + dt.timedelta(days=int(current_app.config["QUALITY_PRE_REPORT_DAYS"]))
    settings = _settings()
    due = due_dates(current_app.config, (target, target))
    if not due:
        click.echo(f"no report falls due on {target}")
    for level, period, due_on in due:
        codes = db.session.scalars(select(Division.code).where(Division.level == level)
                                   .order_by(Division.code)).all()
        for code in codes:
            if division and not in_subtree(code, division):
                continue
            result = operations.scan(db.session, db.session.get(Division, code), period.start,
                                     period.end, settings=settings,
                                     trigger=ScanTrigger.PRE_REPORT)
            click.echo(f"due {due_on}: ", nl=False)
            _summary(result)
