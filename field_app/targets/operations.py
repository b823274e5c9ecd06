"""Writing annual targets and reported figures, from the page's grid or an XLSX upload.

Flush, never commit. Every division written is checked against the writer: a target is set
by the level directly above its division (``models.can_set_target``), a reported figure by
a holder of ENTER_REPORTED_FIGURES over that division. An upload is all or nothing: every
bad row is listed and nothing is written.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from field_app.accounts.capabilities import Capability
from field_app.audit.operations import record
from field_app.core.codes import is_code
from field_app.core.errors import OutOfScope, ValidationFailed
from field_app.core.periods import PeriodError, check_span, parse_period
from field_app.divisions.models import Division
from field_app.indicators.labels import INDICATOR_NAMES
from field_app.targets import labels
from field_app.targets.models import (
    REPORTABLE_INDICATORS,
    TARGET_INDICATORS,
    AnnualTarget,
    FigureSource,
    ReportedFigure,
    can_set_target,
)
from field_app.targets.spreadsheets import SheetRow, UnreadableSheet, read_rows

RATE = "registered_unemployment_rate"
MAY_BE_NEGATIVE = frozenset({"urban_new_employment"})  # new employment less attrition
LIMIT = Decimal(10) ** 11
FIRST_YEAR, LAST_YEAR = 2000, 2100
BY_NAME = {name: key for key, name in INDICATOR_NAMES.items()}


class FigureError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def parse_figure(raw: Any, indicator: str, *, target: bool = False) -> Decimal:
    """A typed or imported figure as a Decimal: the rate a percentage in 0..100 with at most
    two decimals, every other figure a whole number, negative only where the figure may be
    (never a target). ``FigureError`` with the reader's message otherwise."""
    if isinstance(raw, bool):
        raise FigureError(_l("「%(value)s」不是数字", value=raw))
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FigureError(_l("「%(value)s」不是数字", value=str(raw)[:30])) from None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise FigureError(_l("「%(value)s」不是合理的数字", value=str(raw)[:30]))
    if indicator == RATE:
        if not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
            raise FigureError(_l("失业率应为0至100之间、最多两位小数的百分数"))
        return value.quantize(Decimal("0.01"))
    if value != value.to_integral_value():
        raise FigureError(_l("人数应为整数"))
    if value < 0 and (target or indicator not in MAY_BE_NEGATIVE):
        raise FigureError(_l("不能为负数"))
    return value.quantize(Decimal("0.01"))


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(_l("年度应在%(first)s至%(last)s之间", first=FIRST_YEAR,
                                  last=LAST_YEAR))


def target_divisions(session: Session, actor) -> list[Division]:
    """The divisions whose targets ``actor`` sets: those directly below the actor's own."""
    if not actor.can(Capability.SET_TARGETS) or not actor.division_code:
        return []
    children = session.scalars(select(Division).where(
        Division.parent_code == actor.division_code).order_by(Division.code))
    return [d for d in children if can_set_target(actor, d.code, d.parent_code)]


# --- targets ------------------------------------------------------------------------------

def _put_target(session: Session, existing: AnnualTarget | None, code: str, year: int,
                indicator: str, value: Decimal | None) -> bool:
    """Insert, change or (``value`` None) remove one target; whether anything changed."""
    if value is None:
        if existing is None:
            return False
        session.delete(existing)
        return True
    if existing is None:
        session.add(AnnualTarget(division_code=code, year=year, indicator=indicator,
                                 value=value))
        return True
    if existing.value == value:
        return False
    existing.value = value
    return True


def _targets_at(session: Session, codes, year: int, indicators) -> dict[tuple, AnnualTarget]:
    rows = session.scalars(select(AnnualTarget).where(
        AnnualTarget.division_code.in_(list(codes)), AnnualTarget.year == year,
        AnnualTarget.indicator.in_(list(indicators))))
    return {(t.division_code, t.indicator): t for t in rows}


def set_targets(session: Session, *, actor, year: int, indicator: str,
                values: Mapping[str, Any]) -> int:
    """The targets of ``indicator`` for ``year`` of the divisions below the actor's own,
    ``values`` by division code (blank: no target). Refuses every value if one is wrong
    (``ValidationFailed`` with the messages by division code); a division the actor does
    not set targets for is ``OutOfScope``. Returns how many targets changed."""
    _check_year(year)
    if indicator not in TARGET_INDICATORS:
        raise ValidationFailed(_l("该指标不设年度目标"))
    allowed = {d.code for d in target_divisions(session, actor)}
    if not set(values) <= allowed:
        raise OutOfScope()
    parsed, errors = {}, {}
    for code, raw in values.items():
        try:
            parsed[code] = None if _blank(raw) else parse_figure(raw, indicator, target=True)
        except FigureError as error:
            errors[code] = [error.message]
    if errors:
        raise ValidationFailed(_l("有 %(n)s 处错误，未保存", n=len(errors)), errors)
    existing = _targets_at(session, parsed, year, [indicator])
    changed = sum(_put_target(session, existing.get((code, indicator)), code, year, indicator,
                              value) for code, value in parsed.items())
    session.flush()
    return changed


# --- reported figures ---------------------------------------------------------------------

def _put_reported(session: Session, existing: ReportedFigure | None, code: str,
                  start: dt.date, end: dt.date, indicator: str, value: Decimal | None,
                  note: str | None, source: FigureSource) -> bool:
    if value is None:
        if existing is None:
            return False
        session.delete(existing)
        return True
    if existing is None:
        session.add(ReportedFigure(division_code=code, period_start=start, period_end=end,
                                   indicator=indicator, value=value, note=note, source=source))
        return True
    if existing.value == value and existing.note == note:
        return False
    existing.value, existing.note, existing.source = value, note, source
    return True


def _reported_at(session: Session, code: str, start: dt.date,
                 end: dt.date) -> dict[str, ReportedFigure]:
    rows = session.scalars(select(ReportedFigure).where(
        ReportedFigure.division_code == code, ReportedFigure.period_start == start,
        ReportedFigure.period_end == end))
    return {r.indicator: r for r in rows}


def set_reported_figures(session: Session, *, actor, division_code: str, start: dt.date,
                         end: dt.date, values: Mapping[str, Any],
                         note: str | None = None) -> int:
    """The figures ``division_code`` reported on paper for ``[start, end]``, ``values`` by
    indicator key (blank: none reported). All or nothing, as ``set_targets``."""
    if not is_code(division_code) or session.get(Division, division_code) is None \
            or not actor.can(Capability.ENTER_REPORTED_FIGURES, at=division_code):
        raise OutOfScope()
    try:
        check_span(start, end)
    except PeriodError as error:
        raise ValidationFailed(error.message) from None
    if start > end:
        raise ValidationFailed(_l("期间终点早于起点"))
    parsed, errors = {}, {}
    for indicator, raw in values.items():
        if indicator not in REPORTABLE_INDICATORS:
            raise ValidationFailed(_l("未知指标"))
        try:
            parsed[indicator] = None if _blank(raw) else parse_figure(raw, indicator)
        except FigureError as error:
            errors[indicator] = [error.message]
    if errors:
        raise ValidationFailed(_l("有 %(n)s 处错误，未保存", n=len(errors)), errors)
    existing = _reported_at(session, division_code, start, end)
    changed = sum(_put_reported(session, existing.get(key), division_code, start, end, key,
                                value, note or None, FigureSource.WEB)
                  for key, value in parsed.items())
    session.flush()
    return changed


# --- uploads --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    column: str | None
    value: str | None
    reason: Any


@dataclasses.dataclass
class ImportResult:
    errors: list[RowError] = dataclasses.field(default_factory=list)
    saved: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _code(raw: Any) -> str | None:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == int(raw):
        raw = str(int(raw))
    return raw.strip() if isinstance(raw, str) else None


def _indicator(raw: Any, allowed) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    key = BY_NAME.get(text, text)
    return key if key in allowed else None


def _shown(raw: Any) -> str | None:
    return None if raw is None else str(raw)[:40]


def _read(data: bytes, headers) -> tuple[list[SheetRow], ImportResult | None]:
    try:
        return read_rows(data, headers), None
    except UnreadableSheet as error:
        return [], ImportResult(errors=[RowError(0, None, None, error.message)])


def import_targets(session: Session, data: bytes, *, actor) -> ImportResult:
    """Targets from the XLSX template, all or nothing. A row without a target value is
    skipped (the template lists every division and indicator)."""
    rows, refused = _read(data, labels.TARGET_COLUMNS)
    if refused:
        return refused
    allowed = {d.code for d in target_divisions(session, actor)}
    code_h, _name_h, year_h, indicator_h, value_h = labels.TARGET_COLUMNS
    result, wanted, seen = ImportResult(rows=len(rows)), [], set()
    for row in rows:
        raw = row.cells
        if _blank(raw[value_h]):
            continue
        problems = []
        code = _code(raw[code_h])
        if code not in allowed:
            problems.append((code_h, raw[code_h], _l("不是您可设定目标的下级区划")))
        try:
            year = int(raw[year_h])
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError
        except (TypeError, ValueError):
            year = None
            problems.append((year_h, raw[year_h], _l("年度应为%(first)s至%(last)s之间的整数",
                                                     first=FIRST_YEAR, last=LAST_YEAR)))
        indicator = _indicator(raw[indicator_h], TARGET_INDICATORS)
        if indicator is None:
            problems.append((indicator_h, raw[indicator_h], _l("不是可设年度目标的指标")))
        try:
            value = parse_figure(raw[value_h], indicator or "", target=True)
        except FigureError as error:
            problems.append((value_h, raw[value_h], error.message))
        key = (code, year, indicator)
        if not problems and key in seen:
            problems.append((indicator_h, raw[indicator_h], _l("与前面的行重复")))
        seen.add(key)
        result.errors += [RowError(row.line, col, _shown(val), why) for col, val, why in problems]
        if not problems:
            wanted.append((code, year, indicator, value))
    if result.errors:
        return result
    for year in {w[1] for w in wanted}:
        of_year = [w for w in wanted if w[1] == year]
        existing = _targets_at(session, {w[0] for w in of_year}, year, TARGET_INDICATORS)
        result.saved += sum(_put_target(session, existing.get((code, indicator)), code, year,
                                        indicator, value)
                            for code, _, indicator, value in of_year)
    session.flush()
    record(session, "import", target_type="annual_targets",
           division=actor.division_code, note=f"{len(wanted)} rows, {result.saved} changed")
    return result


def _period(raw: Any) -> tuple[dt.date, dt.date]:
    if isinstance(raw, (dt.date, dt.datetime)):  # a spreadsheet read "2026-09" as a date
        raw = f"{raw:%Y-%m}"
    return parse_period(str(raw or ""))


def import_reported_figures(session: Session, data: bytes, *, actor) -> ImportResult:
    """Reported figures from the XLSX template, all or nothing; rows without a figure are
    skipped."""
    rows, refused = _read(data, labels.REPORTED_COLUMNS)
    if refused:
        return refused
    code_h, _name_h, period_h, indicator_h, value_h, note_h = labels.REPORTED_COLUMNS
    known = set(session.scalars(select(Division.code).where(
        Division.code.in_({_code(r.cells[code_h]) for r in rows} - {None}))))
    result, wanted, seen = ImportResult(rows=len(rows)), [], set()
    for row in rows:
        raw = row.cells
        if _blank(raw[value_h]):
            continue
        problems = []
        code = _code(raw[code_h])
        if code not in known or not actor.can(Capability.ENTER_REPORTED_FIGURES, at=code):
            problems.append((code_h, raw[code_h], _l("不是您辖区内的区划代码")))
        try:
            start, end = _period(raw[period_h])
        except PeriodError as error:
            start = end = None
            problems.append((period_h, raw[period_h], error.message))
        indicator = _indicator(raw[indicator_h], REPORTABLE_INDICATORS)
        if indicator is None:
            problems.append((indicator_h, raw[indicator_h], _l("不是可核对的指标")))
        try:
            value = parse_figure(raw[value_h], indicator or "")
        except FigureError as error:
            problems.append((value_h, raw[value_h], error.message))
        note = raw[note_h]
        note = None if note is None else str(note)[:200]
        key = (code, start, end, indicator)
        if not problems and key in seen:
            problems.append((indicator_h, raw[indicator_h], _l("与前面的行重复")))
        seen.add(key)
        result.errors += [RowError(row.line, col, _shown(val), why) for col, val, why in problems]
        if not problems:
            wanted.append((code, start, end, indicator, value, note))
    if result.errors:
        return result
    for code, start, end in {w[:3] for w in wanted}:
        existing = _reported_at(session, code, start, end)
        result.saved += sum(
            _put_reported(session, existing.get(indicator), code, start, end, indicator, value,
                          note, FigureSource.IMPORT)
            for c, s, e, indicator, value, note in wanted if (c, s, e) == (code, start, end))
    session.flush()
    record(session, "import", target_type="reported_figures",
           division=actor.division_code, note=f"{len(wanted)} rows, {result.saved} changed")
    return result
