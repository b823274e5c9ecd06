"""``indicators``: the twelve statutory figures of a division and period."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import unicodedata

import click
from flask.cli import with_appcontext

from field_app.core.context import current_policy
from field_app.core.periods import PeriodError, parse_period
from field_app.extensions import db
from field_app.indicators.policy import POLICY_NAMES, REFORM_2025, RetirementReform


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应为YYYY-MM-DD / date must be YYYY-MM-DD: {value}") from None


@click.command("indicators")
@with_appcontext
@click.option("--division", required=True, help="12-digit division code.")
@click.option("--from", "start", callback=_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", callback=_date, help="Last day, YYYY-MM-DD.")
@click.option("--period", help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
@click.option("--policy", "policy_name", type=click.Choice(POLICY_NAMES),
              help="Working-age policy (default: the deployment's FIELD_APP_POLICY).")
@click.option("--json", "as_json", is_flag=True)
def indicators(division, start, end, period, policy_name, as_json) -> None:
    """Compute the statutory indicators (统计指标) of a division for a period."""
    from field_app.indicators.service import LABELS, division_indicators, to_json

    if period and (start or end):
        raise click.UsageError("use --period or --from/--to, not both")
    if period:
        try:
            start, end = parse_period(period)
        except PeriodError as error:
            raise click.BadParameter(str(error), param_hint="--period") from None
    elif not (start and end):
        raise click.UsageError("give --period, or both --from and --to")
    if start > end:
        raise click.BadParameter("--from is after --to / 起始日期晚于截止日期")
    policy = current_policy()
    if policy_name and policy_name != policy.name:
        policy = dataclasses.replace(policy, name=policy_name,
                                     reform=RetirementReform() if policy_name == REFORM_2025 else None)
    try:
        report = division_indicators(db.session.connection(), division, start, end, policy)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(to_json(report), ensure_ascii=False, indent=1))
        return
    click.echo(f"{report.name}（{report.division}）  {report.start} 至 {report.end}"
               f"  政策 {policy.name}")
    for key, value in report.values.items():
        shown = "—" if value is None else (f"{value}%" if key == "registered_unemployment_rate" else str(value))
        click.echo(f"  {_pad(LABELS[key], 32)}{shown:>10}")


def _pad(text: str, width: int) -> str:
    """Left-justify to ``width`` terminal columns; CJK characters take two."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)
