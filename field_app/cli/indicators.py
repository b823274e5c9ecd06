"""``indicators``: the twelve statutory figures of a division and period."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import unicodedata

import click
from flask import has_app_context
from flask.cli import ScriptInfo, with_appcontext
from flask_babel import lazy_gettext as _l

from field_app.cli.text import unknown_division
from field_app.core.context import current_policy
from field_app.core.i18n import both
from field_app.core.periods import PeriodError, parse_period
from field_app.extensions import db
from field_app.indicators.policy import POLICY_NAMES, REFORM_2025, RetirementReform
from field_app.statistics.labels import INDICATOR_LABELS


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_before_app(
            _l("日期应为YYYY-MM-DD：%(value)s", value=value))) from None


def _before_app(message) -> str:
    """``message`` in both languages while the options are parsed, before the command's
    app context (and so the catalogue) exists."""
    if has_app_context():
        return both(message)
    with click.get_current_context().ensure_object(ScriptInfo).load_app().app_context():
        return both(message)


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
    from field_app.indicators.service import division_indicators, to_json

    if period and (start or end):
        raise click.UsageError(both(_l("请使用 --period 或 --from/--to，不要同时使用")))
    if period:
        try:
            start, end = parse_period(period)
        except PeriodError as error:
            raise click.BadParameter(both(error.message), param_hint="--period") from None
    elif not (start and end):
        raise click.UsageError(both(_l("请给出 --period，或同时给出 --from 与 --to")))
    if start > end:
        raise click.BadParameter(both(_l("起始日期晚于截止日期")))
    policy = current_policy()
    if policy_name and policy_name != policy.name:
        policy = dataclasses.replace(policy, name=policy_name,
                                     reform=RetirementReform() if policy_name == REFORM_2025 else None)
    try:
        report = division_indicators(db.session.connection(), division, start, end, policy)
    except LookupError:
        raise click.ClickException(unknown_division(division)) from None
    if as_json:
        click.echo(json.dumps(to_json(report), ensure_ascii=False, indent=1))
        return
    click.echo(str(_l("%(name)s（%(code)s）  %(start)s 至 %(end)s  政策 %(policy)s",
                      name=report.name, code=report.division, start=report.start,
                      end=report.end, policy=policy.name)))
    for key, value in report.values.items():
        shown = "—" if value is None else (f"{value}%" if key == "registered_unemployment_rate" else str(value))
        click.echo(f"  {_pad(str(INDICATOR_LABELS[key]), 32)}{shown:>10}")


def _pad(text: str, width: int) -> str:
    """Left-justify to ``width`` terminal columns; CJK characters take two."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)
