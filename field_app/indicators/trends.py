"""The twelve indicators of a division over a run of periods, with 同比 (the same period a
year earlier) and 环比 (the period before), in one statement per rule (issue 14).

The periods are a small table of ``(k, a, b, ...)`` rows (a ``UNION ALL`` of literals, a
CTE); each rule's rows are joined to it and counted per ``k``, so every period is counted
in the same pass, not in one engine run per period.

- Rules 1, 2, 5 and 12 are the engine's own statements (``rules``) built with the period's
  columns in place of the dates: their dates only ever meet a record's date in a
  comparison, and ``rules.working_age`` takes a date column as well as a date.
- Rule 6 is ``rules.registered_unemployed``'s conditions with the period's end; its
  working age compares the birth date with cutoffs that ``rules._anniversary_cutoff``
  computes for each period's end, as the engine does for a date (``_working_age_at_end``).
- Rules 9 and 10 over consecutive months or quarters are a sweep (``_transfer_sweep``):
  each spell gives the run of periods it overlaps in which its person is of working age,
  each person counts once per period. Over other periods, or under the ``approved`` survey
  basis, they are rule 9's conditions per period and person (``_transfer``); rule 11 is
  always counted so, and only for periods long enough to hold ``stable_days``. (The rule's
  own statement keeps the period in an uncorrelated ``IN``, which a period column would
  turn into one subquery per household member and period.)
- Rule 7 is one statement for every period's end (``rules.employed_total_values_keyed``,
  the engine's rule keyed by the period: it reads the entered figures and the division
  tree, not the persons); rule 8 follows it.
- Under the ``approved`` survey basis a household counts in a period when it is approved
  in its latest round of the period's year or before (``rules.approved_households`` of
  that year).

``tests/indicators/test_trends.py`` holds every period equal to ``compute_indicators`` of
that period alone, for each path, on both databases.
"""
from __future__ import annotations

import calendar
import contextlib
import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, Date, Integer, and_, case, func, literal, not_, or_, \
    select, union_all
from sqlalchemy.sql import ColumnElement

from field_app.core.sql import date_key, day_number
from field_app.households.models import LabourCapacity, Sex
from field_app.indicators import rules
from field_app.indicators.engine import INDICATOR_KEYS, unemployment_rate
from field_app.indicators.policy import APPROVED, SYNCED, Policy
from field_app.registrations.models import PersonCategory

KINDS = ("month", "quarter")
MAX_PERIODS = 36  # shown periods of one trend; the run computed is a year longer
SQLITE_MMAP_BYTES = 2 * 1024 ** 3  # SQLite's file mapped in memory while a series is counted
RATE = "registered_unemployment_rate"

Span = tuple[dt.date, dt.date]
Value = int | Decimal | None


# --- periods -----------------------------------------------------------------------------

def _months(kind: str) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of period {kind!r}; known: {', '.join(KINDS)}")
    return 3 if kind == "quarter" else 1


def _span_at(index: int, months: int) -> Span:
    """The period of ``months`` months starting at month ``index`` (year * 12 + month - 1)."""
    year, month = divmod(index, 12)
    last_year, last_month = divmod(index + months - 1, 12)
    return (dt.date(year, month + 1, 1),
            dt.date(last_year, last_month + 1,
                    calendar.monthrange(last_year, last_month + 1)[1]))


def consecutive_periods(kind: str, count: int, end: dt.date) -> list[Span]:
    """``count`` consecutive months or quarters, oldest first, the last the one holding
    ``end``."""
    months = _months(kind)
    if not 1 <= count <= MAX_PERIODS + 12:
        raise ValueError(f"count must lie between 1 and {MAX_PERIODS}, not {count}")
    last = end.year * 12 + (end.month - 1) // months * months
    return [_span_at(last - i * months, months) for i in range(count - 1, -1, -1)]


# --- the rules over a table of periods ----------------------------------------------------

def _periods_table(spans: Sequence[Span], policy: Policy):
    """``(k, a, b, y, ...)``: the index, first day, last day and year of each period, and
    what ``rules.working_age`` compares a birth date with at the period's end: the latest
    birth dates of working age (``young``) and past the old ages (``male_old``,
    ``female_old``), and under a reform in force the end as a ``yyyymmdd`` key; and for
    rule 7 the end's day a year earlier (``year_ago``, ``rules.year_before``)."""
    cutoff = rules._anniversary_cutoff
    reform = policy.reform

    def row(k: int, a: dt.date, b: dt.date):
        return select(
            literal(k, Integer).label("k"), literal(a, Date).label("a"),
            literal(b, Date).label("b"), literal(b.year, Integer).label("y"),
            literal(cutoff(b, policy.min_age), Date).label("young"),
            literal(cutoff(b, policy.male_max_age), Date).label("male_old"),
            literal(cutoff(b, policy.female_max_age), Date).label("female_old"),
            literal(int(reform is not None and b >= reform.in_force), Integer)
            .label("reformed"),
            literal(b.year * 10000 + b.month * 100 + b.day, Integer).label("b_key"),
            literal(rules.year_before(b), Date).label("year_ago"))

    rows = [row(k, a, b) for k, (a, b) in enumerate(spans)]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).cte("trend_periods")


def _by_period(rows, k, person, *flags: ColumnElement):
    """The persons of ``rows`` per period, and per flag those for whom it holds in some
    row: one row per period and person first (a ``GROUP BY`` that the databases sort once),
    then counted."""
    each = (select(k.label("k"), person.label("person_id"),
                   *[func.max(case((flag, 1), else_=0)).label(f"f{i}")
                     for i, flag in enumerate(flags)])
            .select_from(rows).group_by(k, person).subquery("trend_each"))
    return select(each.c.k, func.count(),
                  *[func.sum(each.c[f"f{i}"]) for i in range(len(flags))]).group_by(each.c.k)


def _working_age_at_end(person, periods, policy: Policy) -> ColumnElement[bool]:
    """``working_age(p, b)`` at the end of the row's period, as ``rules.working_age``
    decides it for a date: the birth date against the period's cutoffs, and under the
    reform, from its date in force, the end against the reformed retirement date."""
    birth, sex = person.c.birth_date, person.c.sex
    old_ages = or_(and_(sex == Sex.MALE, birth > periods.c.male_old),
                   and_(sex == Sex.FEMALE, birth > periods.c.female_old))
    if policy.reform is not None:
        old_ages = or_(and_(periods.c.reformed == 0, old_ages),
                       and_(periods.c.reformed == 1,
                            periods.c.b_key < rules._retirement_key(person, policy)))
    return and_(birth <= periods.c.young, old_ages)


def _approved(household_id, periods, division: str, policy: Policy, spans: Sequence[Span]):
    """The survey basis's condition on a household in the row's period: none under
    ``synced``; under ``approved``, approved in its latest round of the period's year or
    before (``rules.approved_households`` of that year)."""
    if policy.survey_basis != APPROVED:
        return None
    years = sorted({b.year for _, b in spans})
    return or_(*[and_(periods.c.y == year,
                      household_id.in_(rules.approved_households(division,
                                                                 dt.date(year, 12, 31))))
                 for year in years])


def _employment(division, periods, policy):
    """Rule 1 (and rule 4, flagged): the engine's statement with the period's columns."""
    statement = rules.qualifying_employment(division, periods.c.a, periods.c.b, policy)
    r = statement.selected_columns.person_id.table
    rows = statement.with_only_columns(
        periods.c.k, r.c.person_id,
        case((r.c.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED, 1),
             else_=0).label("flag")).subquery("trend_employment")
    return _by_period(rows, rows.c.k, rows.c.person_id, rows.c.flag == 1)


def _counted(rule, table, division, periods, policy, name):
    """Rules 2, 5 and 6: the engine's statement with the period's columns, the persons of
    ``table`` counted per period."""
    rows = rule(division, periods.c.a, periods.c.b, policy).with_only_columns(
        periods.c.k, table.c.person_id).subquery(name)
    return _by_period(rows, rows.c.k, rows.c.person_id)


def _training(division, periods, policy, spans):
    """Rule 12: the engine's statement with the period's columns (the survey basis added
    per period)."""
    synced = dataclasses.replace(policy, survey_basis=SYNCED)
    statement = rules.rural_training(division, periods.c.a, periods.c.b, synced)
    approved = _approved(rules.households.c.id, periods, division, policy, spans)
    if approved is not None:
        statement = statement.where(approved)
    rows = statement.with_only_columns(periods.c.k, rules.persons.c.id.label("person_id")) \
        .subquery("trend_training")
    return _by_period(rows, rows.c.k, rows.c.person_id)


def _rural_spells(division, policy, spans, *stable):
    """The spells overlapping the run of D's rural persons with labour capacity (rule 9's
    conditions that do not depend on the period), with the person's birth date and sex:
    each spell is joined to its person once, whatever the number of periods."""
    s, m, p, h = rules.spells, rules.members, rules.persons, rules.households
    first, last = min(a for a, _ in spans), max(b for _, b in spans)
    # The spells of the run first, materialised on SQLite: its join then starts from them
    # and finds each one's person, instead of going through every household member of D.
    # Not on PostgreSQL: a materialised CTE is scanned by one process, and inlined it lets
    # the planner hash the spells and the persons' tables in parallel (the sweep at a
    # million persons: 1.4 to 2.1 s instead of 2.1 to 4.0 s, on a loaded machine).
    run = (select(s.c.person_id, s.c.start_date, s.c.end_date)
           .where(s.c.start_date <= last, or_(s.c.end_date.is_(None), s.c.end_date >= first),
                  *[s.c[name] for name in stable])
           .cte("trend_run_spells").prefix_with("MATERIALIZED", dialect="sqlite"))
    joined, in_d = rules.rural_persons(division)
    return (select(run.c.person_id, run.c.start_date, run.c.end_date, p.c.birth_date,
                   p.c.sex, h.c.id.label("household_id"))
            .select_from(run.join(joined, m.c.person_id == run.c.person_id))
            .where(in_d,
                   m.c.labour_capacity.in_([LabourCapacity.FULL, LabourCapacity.PARTIAL]))
            # Materialised, so that the planner joins the few periods to these rows rather
            # than running the join of persons once per period.
            .cte("trend_rural_spells").prefix_with("MATERIALIZED"))


def _in_period(spell, periods, division, policy, spans):
    """The spell overlaps the row's period and its person is of working age at the
    period's end (and, under the ``approved`` basis, in an approved household)."""
    conditions = [spell.c.start_date <= periods.c.b,
                  or_(spell.c.end_date.is_(None), spell.c.end_date >= periods.c.a),
                  _working_age_at_end(spell, periods, policy)]
    approved = _approved(spell.c.household_id, periods, division, policy, spans)
    if approved is not None:
        conditions.append(approved)
    return and_(*conditions)


def _transfer(division, periods, policy, spans):
    """Rules 9 and 10 per period: the persons with a spell overlapping the period, counted
    once per period, and those born on or after the policy's date."""
    spell = _rural_spells(division, policy, spans)
    rows = (select(periods.c.k, spell.c.person_id, spell.c.birth_date)
            .select_from(spell.join(periods, _in_period(spell, periods, division, policy,
                                                        spans)))
            .subquery("trend_transfer"))
    return _by_period(rows, rows.c.k, rows.c.person_id,
                      rows.c.birth_date >= policy.new_generation_born_from)


# --- rules 9 and 10 over a run of consecutive months or quarters: a sweep ----------------
# A spell overlaps a run of consecutive periods k..k' and its person is of working age at
# the end of the periods k0..k1 (one or, under a reform, two runs): each spell gives at most
# two runs of periods. A person's runs, sorted, each keep the periods past the furthest one
# before it (as rule 11 keeps days), so every person counts once per period; each kept run
# adds one at its first period and takes one away after its last. The work grows with the
# spells, not with spells times periods.


def _steady(spans: Sequence[Span]) -> int | None:
    """The months in each period if ``spans`` are consecutive whole months or quarters."""
    first = spans[0][0]
    start = first.year * 12 + first.month - 1
    for months in (1, 3):
        if all(span == _span_at(start + i * months, months) for i, span in enumerate(spans)):
            return months
    return None


def _month_index(key):
    """The months since year 0 of a ``yyyymmdd`` key."""
    return key // 10000 * 12 + key // 100 % 100 - 1


def _anniversary_index(birth_key, years: int):
    """The month of the day ``years`` are completed (29 February: 1 March in a common
    year), as ``working_age`` and ``core.sql.date_key`` count it."""
    year = birth_key // 10000 + years
    leap = or_(and_(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    month = _month_index(birth_key + years * 10000)
    return case((and_(birth_key % 10000 == 229, not_(leap)), month + 1), else_=month)


def _transfer_sweep(division, policy, spans, months):
    s_first = spans[0][0]
    first = s_first.year * 12 + s_first.month - 1
    n = len(spans)

    def index(month):  # the period holding a month (may lie outside 0..n-1)
        return (month - first) // months

    rural = _rural_spells(division, policy, spans)
    # The dates as month numbers first, once per spell (materialised: the databases would
    # otherwise repeat the date arithmetic in every expression below).
    keys = [rural.c.person_id,
            case((rural.c.birth_date >= policy.new_generation_born_from, 1),
                 else_=0).label("flag"),
            _month_index(date_key(rural.c.start_date)).label("start"),
            _month_index(date_key(rural.c.end_date)).label("end"),
            date_key(rural.c.birth_date).label("birth"), rural.c.sex]
    if policy.reform is not None:
        keys.append(_month_index(rules._retirement_key(rural, policy)).label("retire"))
    spell = select(*keys).cte("trend_spell_months").prefix_with("MATERIALIZED")
    start, end = index(spell.c.start), index(spell.c.end)
    birth = spell.c.birth
    columns = [spell.c.person_id, spell.c.flag,
               case((start < 0, 0), else_=start).label("first"),
               case((or_(spell.c.end.is_(None), end > n - 1), n - 1), else_=end).label("last"),
               index(_anniversary_index(birth, policy.min_age)).label("young"),
               case((spell.c.sex == Sex.MALE,
                     index(_anniversary_index(birth, policy.male_max_age))),
                    else_=index(_anniversary_index(birth, policy.female_max_age))).label("old")]
    if policy.reform is not None:
        columns.append(index(spell.c.retire).label("retire"))
    # The periods each spell overlaps and those its person is of working age in, once per
    # spell (materialised for the same reason).
    spell = select(*columns).cte("trend_spell_periods").prefix_with("MATERIALIZED")
    young, old = spell.c.young, spell.c.old
    if policy.reform is None:
        windows = [(young, old)]
    else:
        reformed = next((k for k, (_, b) in enumerate(spans) if b >= policy.reform.in_force), n)
        windows = [(young, case((old < reformed, old), else_=literal(reformed))),
                   (case((young > reformed, young), else_=literal(reformed)), spell.c.retire)]
    k_start, k_end = spell.c.first, spell.c.last
    pieces = []
    for low, high in windows:  # periods low..high-1 of working age
        lo = case((k_start > low, k_start), else_=low)
        hi = case((k_end < high - 1, k_end), else_=high - 1)
        pieces.append(select(spell.c.person_id, spell.c.flag, lo.label("lo"),
                             hi.label("hi")).where(lo <= hi))
    runs = (pieces[0] if len(pieces) == 1 else union_all(*pieces)).subquery("trend_runs")
    furthest = func.max(runs.c.hi).over(partition_by=runs.c.person_id,
                                        order_by=(runs.c.lo, runs.c.hi), rows=(None, -1))
    ordered = select(runs.c.person_id, runs.c.flag, runs.c.lo, runs.c.hi,
                     furthest.label("before")).subquery("trend_ordered_runs")
    kept_lo = case((ordered.c.before >= ordered.c.lo, ordered.c.before + 1),
                   else_=ordered.c.lo)
    kept = (select(ordered.c.flag, kept_lo.label("lo"), ordered.c.hi)
            .where(or_(ordered.c.before.is_(None), kept_lo <= ordered.c.hi))
            .cte("trend_kept").prefix_with("MATERIALIZED"))
    steps = union_all(
        select(kept.c.lo.label("k"), literal(1).label("step"), kept.c.flag),
        select((kept.c.hi + 1).label("k"), literal(-1).label("step"), kept.c.flag),
    ).subquery("trend_steps")
    return (select(steps.c.k, func.sum(steps.c.step), func.sum(steps.c.step * steps.c.flag))
            .group_by(steps.c.k))


def _swept(connection, statement, counted, *names) -> None:
    """The running sums of the sweep's steps, period by period."""
    steps = {int(k): values for k, *values in connection.execute(statement)}
    totals = [0] * len(names)
    for k, values in enumerate(counted):
        for i, step in enumerate(steps.get(k, [0] * len(names))):
            totals[i] += int(step)
        for name, total in zip(names, totals):
            values[name] = total


def _stable(division, periods, policy, spans):
    """Rule 11 per period, as ``rules.stable_persons`` counts it: a person of rule 9 whose
    stable spells, clipped to the period, cover ``stable_days`` distinct days, each spell
    adding the days past the furthest end of the ones before it. (A stable spell that
    overlaps the period makes its person one of rule 9's for it.) Only periods at least
    ``stable_days`` long are looked at: no shorter one can hold that many days."""
    spell = _rural_spells(division, policy, spans, "stable_workplace", "stable_income")
    first, last = day_number(periods.c.a), day_number(periods.c.b)
    start, end = day_number(spell.c.start_date), day_number(spell.c.end_date)
    clipped = (
        select(periods.c.k, spell.c.person_id,
               case((start < first, first), else_=start).label("ds"),
               case((or_(spell.c.end_date.is_(None), end > last), last),
                    else_=end).label("de"))
        .select_from(spell.join(periods, _in_period(spell, periods, division, policy,
                                                    spans)))
        .where(last - first + 1 >= policy.stable_days)
        .subquery("trend_clipped"))
    previous_end = func.max(clipped.c.de).over(
        partition_by=(clipped.c.k, clipped.c.person_id),
        order_by=(clipped.c.ds, clipped.c.de), rows=(None, -1))
    ordered = select(clipped.c.k, clipped.c.person_id, clipped.c.ds, clipped.c.de,
                     previous_end.label("prev_end")).subquery("trend_ordered")
    new_start = case((ordered.c.prev_end >= ordered.c.ds, ordered.c.prev_end + 1),
                     else_=ordered.c.ds)
    new_days = case(
        (ordered.c.prev_end.is_(None), ordered.c.de - ordered.c.ds + 1),
        (ordered.c.de >= new_start, ordered.c.de - new_start + 1),
        else_=0)
    persons = (select(ordered.c.k, ordered.c.person_id)
               .group_by(ordered.c.k, ordered.c.person_id)
               .having(func.sum(new_days) >= policy.stable_days).subquery("trend_stable"))
    return _by_period(persons, persons.c.k, persons.c.person_id)


def _unemployed(division, periods, policy, spans):
    """Rule 6 per period: ``rules.registered_unemployed``'s conditions with the period's
    end, the working age the engine's predicate of that date."""
    u, p = rules.unemployment, rules.persons
    # D's registrations with their persons first, materialised: each is then compared with
    # the few periods, instead of the join running once per period.
    ends = [b for _, b in spans]
    registered = (select(u.c.person_id, u.c.registered_on, u.c.cancelled_on, p.c.birth_date,
                         p.c.sex)
                  .select_from(u.join(p, p.c.id == u.c.person_id))
                  .where(u.c.valid, rules.in_division(u.c.division_code, division),
                         u.c.registered_on <= max(ends),
                         or_(u.c.cancelled_on.is_(None), u.c.cancelled_on > min(ends)))
                  .cte("trend_registered").prefix_with("MATERIALIZED"))
    rows = (select(periods.c.k, registered.c.person_id)
            .select_from(registered.join(periods, and_(
                registered.c.registered_on <= periods.c.b,
                or_(registered.c.cancelled_on.is_(None),
                    registered.c.cancelled_on > periods.c.b))))
            .where(_working_age_at_end(registered, periods, policy))
            .subquery("trend_unemployed"))
    return _by_period(rows, rows.c.k, rows.c.person_id)


def _employed_totals(connection, division, periods) -> dict[int, int]:
    """Rule 7 at every period's end, in one statement (``rules.employed_total_values_keyed``):
    D's value per ``k``, the periods without one left out."""
    values = rules.employed_total_values_keyed(division, periods).subquery("trend_employed")
    rows = connection.execute(select(values.c.k, values.c.value)
                              .where(values.c.code == division, values.c.value.is_not(None)))
    return {int(k): int(value) for k, value in rows}


@contextlib.contextmanager
def _mapped(connection: Connection):
    """On SQLite, the database file mapped in memory for the statements of a series, the
    connection's setting given back after. The sweep finds the person and household of
    every spell of the run, all over the file: read through SQLite's 2 MiB page cache,
    each page is a system call and a copy; mapped, a page is read where it lies (8
    quarters at a million persons: 2.1 s of CPU instead of 2.8 s). Only reading: writes
    go through the write-ahead log as before."""
    previous = (connection.exec_driver_sql("PRAGMA mmap_size").scalar()
                if connection.dialect.name == "sqlite" else None)
    if previous is None:  # PostgreSQL, or an in-memory database: nothing to map
        yield
        return
    previous = int(previous)
    connection.exec_driver_sql(f"PRAGMA mmap_size = {max(previous, SQLITE_MMAP_BYTES)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA mmap_size = {previous}")


def _run(connection, statement, spans, counted, *names) -> None:
    for k, *values in connection.execute(statement):
        for name, value in zip(names, values):
            counted[int(k)][name] = int(value)


def compute_series(connection: Connection, division: str, spans: Sequence[Span],
                   policy: Policy | None = None) -> list[dict[str, Value]]:
    """The twelve indicators of ``division`` for each period of ``spans`` (inclusive
    ``(a, b)`` pairs), in their order, each equal to ``compute_indicators`` of that period.

    Seven or eight statements whatever the number of periods (rules 1 and 4; 2; 5; 6; 7; 9
    and 10; 11 when a period is long enough; 12).
    """
    spans = list(spans)
    if not spans:
        return []
    for a, b in spans:
        if a > b:
            raise ValueError(f"period start {a} is after its end {b}")
    policy = policy or Policy()
    with _mapped(connection):
        return _count_series(connection, division, spans, policy)


def _count_series(connection, division, spans, policy) -> list[dict[str, Value]]:
    periods = _periods_table(spans, policy)
    counted: list[dict[str, Value]] = [dict.fromkeys(INDICATOR_KEYS, 0) for _ in spans]
    _run(connection, _employment(division, periods, policy), spans, counted,
         "new_employment_gross", "reemployment_of_unemployed")
    for rule, table, name, key in (
            (rules.natural_attrition, rules.attrition, "trend_attrition", "natural_attrition"),
            (rules.hard_to_employ_employed, rules.aid, "trend_aid", "hard_to_employ_employed")):
        _run(connection, _counted(rule, table, division, periods, policy, name), spans,
             counted, key)
    _run(connection, _unemployed(division, periods, policy, spans), spans, counted,
         "registered_unemployed")
    months = _steady(spans)
    if months is not None and policy.survey_basis != APPROVED:
        _swept(connection, _transfer_sweep(division, policy, spans, months), counted,
               "rural_transfer", "new_generation_transfer")
    else:  # any periods, or a survey basis that changes with the year: period by person
        _run(connection, _transfer(division, periods, policy, spans), spans, counted,
             "rural_transfer", "new_generation_transfer")
    if any((b - a).days + 1 >= policy.stable_days for a, b in spans):
        _run(connection, _stable(division, periods, policy, spans), spans, counted,
             "stable_transfer_180d")
    _run(connection, _training(division, periods, policy, spans), spans, counted,
         "rural_training")
    employed = _employed_totals(connection, division, periods)
    for k, values in enumerate(counted):
        values["employed_total"] = employed.get(k)
        values["urban_new_employment"] = (values["new_employment_gross"]
                                          - values["natural_attrition"])
        values[RATE] = unemployment_rate(values["registered_unemployed"],
                                         values["employed_total"])
    return counted


# --- the trend ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Change:
    """A figure against an earlier one: the difference, and the percent change (one
    decimal, half-up) where the earlier figure is not zero. The rate's difference is in
    percentage points and has no percent."""

    difference: int | Decimal
    percent: Decimal | None


def change(value: Value, earlier: Value, *, points: bool = False) -> Change | None:
    """``value`` against ``earlier``; None when either is missing."""
    if value is None or earlier is None:
        return None
    difference = value - earlier
    if points or earlier == 0:
        return Change(difference, None)
    percent = Decimal(difference) * 100 / Decimal(earlier)
    return Change(difference, percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclasses.dataclass(frozen=True)
class Trend:
    """A division's twelve figures over ``spans`` (oldest first), with the same periods a
    year earlier and the periods before each, for 同比 and 环比."""

    division: str
    kind: str
    spans: tuple[Span, ...]
    values: dict[str, list[Value]]
    year_earlier: dict[str, list[Value]]
    previous: dict[str, list[Value]]

    def yoy(self, key: str) -> list[Change | None]:
        """同比: each period against the same period a year earlier."""
        return [change(v, e, points=key == RATE)
                for v, e in zip(self.values[key], self.year_earlier[key])]

    def mom(self, key: str) -> list[Change | None]:
        """环比: each period against the one before it."""
        return [change(v, e, points=key == RATE)
                for v, e in zip(self.values[key], self.previous[key])]


def compute_trend(connection: Connection, division: str, *, kind: str, count: int,
                  end: dt.date, policy: Policy | None = None) -> Trend:
    """The last ``count`` months or quarters of ``division`` up to the one holding ``end``,
    with 同比 and 环比: one ``compute_series`` over the run that starts a year before the
    first period shown (which holds every period compared with)."""
    if not 1 <= count <= MAX_PERIODS:
        raise ValueError(f"count must lie between 1 and {MAX_PERIODS}, not {count}")
    year = 12 // _months(kind)
    run = consecutive_periods(kind, count + year, end)
    series = compute_series(connection, division, run, policy)

    def column(key: str, offset: int) -> list[Value]:
        return [series[year + i - offset][key] for i in range(count)]

    return Trend(division, kind, tuple(run[year:]),
                 {key: column(key, 0) for key in INDICATOR_KEYS},
                 {key: column(key, year) for key in INDICATOR_KEYS},
                 {key: column(key, 1) for key in INDICATOR_KEYS})
