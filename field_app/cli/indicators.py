"""``indicators``: the twelve statutory figures of a division and period."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import unicodedata
from decimal import Decimal

import click
from flask import has_app_context
from flask.cli import ScriptInfo, with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from field_app.cli.text import unknown_division
from field_app.core.context import current_policy
from field_app.core.i18n import both
from field_app.core.periods import PeriodError, parse_period
from field_app.extensions import db
from field_app.indicators.engine import INDICATOR_KEYS
from field_app.indicators.grouped import DIMENSIONS
from field_app.indicators.explain import PERSON_INDICATORS
from field_app.indicators.labels import FIGURE_NOTES, REASON_NAMES
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


def _period(period, start, end) -> tuple[dt.date, dt.date]:
    """The period of ``--period`` or of ``--from``/``--to``, with a message for a wrong mix."""
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
    return start, end


def _policy(policy_name):
    policy = current_policy()
    if policy_name and policy_name != policy.name:
        policy = dataclasses.replace(policy, name=policy_name,
                                     reform=RetirementReform() if policy_name == REFORM_2025 else None)
    return policy


def _report(division, start, end, policy):
    from field_app.indicators.service import division_indicators

    try:
        return division_indicators(db.session.connection(), division, start, end, policy)
    except LookupError:
        raise click.ClickException(unknown_division(division)) from None


_POLICY = click.option("--policy", "policy_name", type=click.Choice(POLICY_NAMES),
                       help="Working-age policy (default: the deployment's FIELD_APP_POLICY).")


@click.group("indicators", invoke_without_command=True)
@with_appcontext
@click.option("--division", help="12-digit division code.")
@click.option("--from", "start", callback=_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", callback=_date, help="Last day, YYYY-MM-DD.")
@click.option("--period", help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
@_POLICY
@click.option("--by", type=click.Choice(DIMENSIONS),
              help="Group the figures by a dimension, in one engine pass.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def indicators(ctx, division, start, end, period, policy_name, by, as_json) -> None:
    """Compute the statutory indicators (统计指标) of a division for a period; ``--by``
    groups them (by child division, sex, age band, hukou, 新生代, destination, industry,
    employment type or person category); ``explain`` and ``diff`` name the persons behind
    them."""
    from field_app.indicators.service import to_json

    if ctx.invoked_subcommand is not None:
        return
    if not division:
        raise click.UsageError("Missing option '--division'.")
    start, end = _period(period, start, end)
    policy = _policy(policy_name)
    if by:
        _grouped(division, start, end, policy, by, as_json)
        return
    report = _report(division, start, end, policy)
    if as_json:
        click.echo(json.dumps(to_json(report), ensure_ascii=False, indent=1))
        return
    click.echo(str(_l("%(name)s（%(code)s）  %(start)s 至 %(end)s  政策 %(policy)s",
                      name=report.name, code=report.division, start=report.start,
                      end=report.end, policy=policy.name)))
    for key, value in report.values.items():
        shown = "—" if value is None else (f"{value}%" if key == "registered_unemployment_rate" else str(value))
        click.echo(f"  {_pad(str(INDICATOR_LABELS[key]), 32)}{shown:>10}")


def _json_value(value):
    return float(value) if isinstance(value, Decimal) else value


def _grouped(division, start, end, policy, by, as_json) -> None:
    """``indicators --by``: the figures of every group, from one grouped engine pass."""
    from field_app.divisions.models import Division
    from field_app.indicators.grouped import RECORD_DIMENSIONS, compute_grouped

    names = dict(db.session.execute(select(Division.code, Division.name).where(
        (Division.code == division) | (Division.parent_code == division))).all())
    if division not in names:
        raise click.ClickException(unknown_division(division))
    groups = compute_grouped(db.session.connection(), division, start, end, policy, by)
    if as_json:
        click.echo(json.dumps({
            "division": division, "from": start.isoformat(), "to": end.isoformat(),
            "policy": policy.name, "by": by,
            "groups": [{"key": key, "indicators": {k: _json_value(v) for k, v in values.items()}}
                       for key, values in groups],
        }, ensure_ascii=False, indent=1))
        return
    click.echo(str(_l("%(name)s（%(code)s）  %(start)s 至 %(end)s  政策 %(policy)s",
                      name=names[division], code=division, start=start, end=end,
                      policy=policy.name)))
    if by in RECORD_DIMENSIONS:
        click.echo(both(_l("按记录的属性分组：一人可计入多个组，各组之和可能大于合计。")))
    for key, values in groups:
        heading = f"{key} {names.get(key, '')}" if by == "child" else (
            "—" if key is None else str(key))
        click.echo(heading.strip())
        for indicator, value in values.items():
            if value is None:
                continue
            shown = f"{value}%" if indicator == "registered_unemployment_rate" else str(value)
            click.echo(f"  {_pad(str(INDICATOR_LABELS[indicator]), 32)}{shown:>10}")


def _reason(code: str | None) -> str:
    return str(_l(REASON_NAMES[code])) if code else ""


def _figure_json(explanation) -> dict:
    def row(r):
        return {"division": r.code, "value": r.value,
                "as_of": r.as_of.isoformat() if r.as_of else None}

    value = explanation.value
    return {"note": str(_l(FIGURE_NOTES[explanation.indicator])),
            "as_of": explanation.as_of.isoformat(),
            "figure": row(explanation.own) if explanation.own else None,
            "children": [row(r) for r in explanation.children],
            "parts": explanation.parts,
            "value": float(value) if isinstance(value, Decimal) else value}


@indicators.command("explain")
@with_appcontext
@click.option("--division", required=True, help="12-digit division code.")
@click.option("--period", help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
@click.option("--from", "start", callback=_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", callback=_date, help="Last day, YYYY-MM-DD.")
@click.option("--indicator", required=True, type=click.Choice(INDICATOR_KEYS))
@_POLICY
@click.option("--json", "as_json", is_flag=True)
def explain(division, period, start, end, indicator, policy_name, as_json) -> None:
    """The persons an indicator counts, each with the rule clause (full ID numbers: an
    operator's tool)."""
    from field_app.indicators import explain as engine

    start, end = _period(period, start, end)
    policy = _policy(policy_name)
    report = _report(division, start, end, policy)
    value = report.values[indicator]
    scope = engine.Scope(division, start, end)
    connection = db.session.connection()
    payload = {"indicator": indicator,
               "value": float(value) if isinstance(value, Decimal) else value, "persons": []}
    if indicator in engine.FIGURE_INDICATORS:
        payload |= _figure_json(engine.figure_explanation(connection, indicator, scope, policy))
        rows = []
    else:
        rows = engine.explain_all(connection, indicator, scope, policy)
        payload["persons"] = [{"id_number": r.id_number, "reason": _reason(r.reason)}
                              for r in rows]
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    click.echo(f"{INDICATOR_LABELS[indicator]}  {report.name}（{division}）  {start} — {end}  "
               f"= {'—' if value is None else value}")
    if indicator in FIGURE_NOTES:
        click.echo(f"  {_l(FIGURE_NOTES[indicator])}")
    if indicator in engine.FIGURE_INDICATORS:
        shown = [payload["figure"]] if payload["figure"] else []
        for item in shown + payload["children"]:
            as_of = item["as_of"] or _l("下级合计")
            click.echo(f"  {item['division']}  {item['value']}  {as_of}")
        return
    for r in rows:
        click.echo(f"  {r.id_number}  {_pad(r.name, 12)}{'-' if r.sign < 0 else '+'} "
                   f"{_reason(r.reason)}  {r.record_kind} {r.record_id or ''}")


@indicators.command("diff")
@with_appcontext
@click.option("--division", required=True, help="12-digit division code.")
@click.option("--period", required=True, help="2026, 2026Q1, 2026-03 or 2026-01..2026-06.")
@click.option("--against-period", required=True, help="The period compared with.")
@click.option("--against-division", help="The division compared with (default: --division).")
@click.option("--indicator", type=click.Choice(PERSON_INDICATORS),
              help="One person indicator (default: each of them).")
@_POLICY
@click.option("--json", "as_json", is_flag=True)
def diff(division, period, against_period, against_division, indicator, policy_name,
         as_json) -> None:
    """Who is counted in one figure and not in the other, and why."""
    from field_app.indicators import explain as engine

    first_dates = _period(period, None, None)
    try:
        second_dates = parse_period(against_period)
    except PeriodError as error:
        raise click.BadParameter(both(error.message), param_hint="--against-period") from None
    policy = _policy(policy_name)
    against_division = against_division or division
    _report(division, *first_dates, policy)
    if against_division != division:
        _report(against_division, *second_dates, policy)
    first = engine.Scope(division, *first_dates)
    second = engine.Scope(against_division, *second_dates)
    connection = db.session.connection()
    results = []
    for key in ([indicator] if indicator else PERSON_INDICATORS):
        rows = engine.difference_all(connection, key, first, second, policy)
        results.append({
            "indicator": key,
            "only_in_first": [_diff_json(r) for r in rows if r.side == "first"],
            "only_in_second": [_diff_json(r) for r in rows if r.side == "second"],
        })
    if as_json:
        click.echo(json.dumps(results[0] if indicator else results, ensure_ascii=False,
                              indent=1))
        return
    click.echo(f"{division} {first.start}..{first.end}  ⇄  {against_division} "
               f"{second.start}..{second.end}")
    for result in results:
        click.echo(f"{INDICATOR_LABELS[result['indicator']]}: "
                   f"+{len(result['only_in_first'])} / -{len(result['only_in_second'])}")
        for side, mark in (("only_in_first", "<"), ("only_in_second", ">")):
            for item in result[side]:
                click.echo(f"  {mark} {item['id_number']}  {item['reason']}；{item['why_not']}")


def _diff_json(row) -> dict:
    return {"id_number": row.id_number, "reason": _reason(row.reason),
            "why_not": _reason(row.why_not)}


def _pad(text: str, width: int) -> str:
    """Left-justify to ``width`` terminal columns; CJK characters take two."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)


@indicators.command("warm")
@with_appcontext
@click.option("--within-hours", default=24, show_default=True, type=click.IntRange(1, 24 * 31),
              help="Pages asked for within these hours.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many entries.")
def warm(within_hours: int, limit: int) -> None:
    """Recompute the division pages' figures a write has made stale (the jobs worker does
    it every minute), so the next view is served from the cache."""
    from field_app.statistics import figures

    warmed = figures.warm(db.session, current_policy(),
                          within=dt.timedelta(hours=within_hours), limit=limit)
    for entry in warmed:
        click.echo(f"{entry.kind:<5} {entry.code} {entry.start}..{entry.end} "
                   f"{entry.seconds:.2f} s")
    click.echo(both(_l("已更新 %(n)s 项缓存的数字", n=len(warmed))))
