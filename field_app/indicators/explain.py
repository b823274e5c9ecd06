"""Explain a figure: the persons an indicator counts, each with the record and the rule
clause that made it count, and the difference between two figures.

Built from the rules' own statements (``rules.*_records``, ``rules.transfer_persons``,
``rules.stable_persons``), so that an explanation lists exactly the persons its figure
counts. Reasons are codes of ``labels.REASON_NAMES``; records are ``(record_kind,
record_id)`` pairs: ``employment``, ``unemployment``, ``aid``, ``attrition`` (the desk's
records), ``spell`` and ``training`` (the household survey's). Set-based throughout: the
count and one page are two statements, whatever the size of the figure.

Two figures count no persons: ``employed_total`` (units' figures entered by division) and
``registered_unemployment_rate`` (a ratio); ``figure_explanation`` names the figures and
dates they are made of. ``urban_new_employment`` is a difference: its rows carry a
``sign`` (+1 for new employment, -1 for natural attrition) whose sum is the figure.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select

from field_app.indicators import rules
from field_app.indicators.engine import compute_indicators
from field_app.indicators.policy import Policy
from field_app.registrations.models import (
    AidExitReason,
    AttritionReason,
    EmploymentType,
    PersonCategory,
)
from field_app.surveys.models import Funding

# Indicators whose value is the number of persons listed.
PERSON_INDICATORS = (
    "new_employment_gross",
    "natural_attrition",
    "reemployment_of_unemployed",
    "hard_to_employ_employed",
    "registered_unemployed",
    "rural_transfer",
    "new_generation_transfer",
    "stable_transfer_180d",
    "rural_training",
)
# A difference of two person indicators: the sum of the rows' signs is the figure.
SIGNED_INDICATORS = ("urban_new_employment",)
# Figures of units and ratios: explained by the figures they are made of.
FIGURE_INDICATORS = ("employed_total", "registered_unemployment_rate")
EXPLAINED = PERSON_INDICATORS + SIGNED_INDICATORS + FIGURE_INDICATORS
RURAL = ("rural_transfer", "new_generation_transfer", "stable_transfer_180d")


@dataclasses.dataclass(frozen=True)
class Scope:
    """One figure's division and inclusive period."""

    division: str
    start: dt.date
    end: dt.date


def _code(column, codes: dict) -> ColumnElement[str]:
    """The reason code for an enum column's value (``codes``: value -> code)."""
    return case(*((column == value, literal(code)) for value, code in codes.items()),
                else_=literal(next(iter(codes.values()))))


def _rows(kind: str, person_id, reason, record_id, sign: int = 1) -> list:
    return [person_id.label("person_id"), reason.label("reason"),
            literal(kind).label("record_kind"), record_id.label("record_id"),
            literal(sign).label("sign")]


def _employment_rows(scope: Scope, policy: Policy, *, reemployed: bool = False) -> Select:
    q = rules.qualifying_employment_records(scope.division, scope.start, scope.end,
                                            policy).subquery("qualifying")
    if reemployed:  # rule 4: as the engine filters rule 1's rows
        reason = literal("reemployed_unemployed")
    else:
        reason = _code(q.c.employment_type, {t: f"employment_{t.value}" for t in EmploymentType})
    statement = select(*_rows("employment", q.c.person_id, reason, q.c.record_id))
    if reemployed:
        statement = statement.where(q.c.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED)
    return statement


def _attrition_rows(scope: Scope, policy: Policy, *, subtracted: bool = False) -> Select:
    n = rules.natural_attrition_records(scope.division, scope.start, scope.end,
                                        policy).subquery("attrition")
    if subtracted:
        return select(*_rows("attrition", n.c.person_id, literal("attrition_subtracted"),
                             n.c.record_id, sign=-1))
    reason = _code(n.c.reason, {r: f"attrition_{r.value}" for r in AttritionReason})
    return select(*_rows("attrition", n.c.person_id, reason, n.c.record_id))


def _aid_rows(scope: Scope, policy: Policy) -> Select:
    e = rules.hard_to_employ_records(scope.division, scope.start, scope.end,
                                     policy).subquery("aid")
    counted = [r for r in AidExitReason if r is not AidExitReason.OTHER]
    reason = _code(e.c.exit_reason, {r: f"aid_{r.value}" for r in counted})
    return select(*_rows("aid", e.c.person_id, reason, e.c.record_id))


def _unemployed_rows(scope: Scope, policy: Policy) -> Select:
    u = rules.registered_unemployed_records(scope.division, scope.start, scope.end,
                                            policy).subquery("unemployed")
    return select(*_rows("unemployment", u.c.person_id, literal("registered_unemployed"),
                         u.c.record_id))


def _training_rows(scope: Scope, policy: Policy) -> Select:
    t = rules.rural_training_records(scope.division, scope.start, scope.end,
                                     policy).subquery("training")
    reason = _code(t.c.funding, {Funding.EMPLOYMENT_FUND: "training_employment_fund",
                                 Funding.OTHER_FISCAL: "training_other_fiscal"})
    return select(*_rows("training", t.c.person_id, reason, t.c.record_id))


def _rural_rows(indicator: str, scope: Scope, policy: Policy) -> Select:
    """Rules 9-11, one row per person (``transfer_persons`` is unique by person); the spell
    is looked up for a page only (``explain_page``)."""
    no_record = cast(null(), Integer)
    if indicator == "stable_transfer_180d" and not _can_hold(scope, policy.stable_days):
        # No one's spells cover more days of a period than it has: a month or a quarter
        # counts nobody, and a difference against one costs only its other side.
        return select(*_rows("spell", cast(null(), Integer), literal("stable_transfer"),
                             no_record)).where(false())
    args = (scope.division, scope.start, scope.end, policy)
    transfer = rules.transfer_persons(*args).cte()  # anonymous: a difference holds two
    if indicator == "stable_transfer_180d":
        stable = rules.stable_persons(transfer, scope.start, scope.end, policy).subquery("stable")
        return select(*_rows("spell", stable.c.person_id, literal("stable_transfer"), no_record))
    statement = select(*_rows("spell", transfer.c.person_id,
                              literal("rural_transfer" if indicator == "rural_transfer"
                                      else "new_generation"), no_record))
    if indicator == "new_generation_transfer":  # rule 10, as the engine filters rule 9's rows
        statement = statement.where(transfer.c.birth_date >= policy.new_generation_born_from)
    return statement


def _can_hold(scope: Scope, days: int) -> bool:
    """The period has at least ``days`` days."""
    return (scope.end - scope.start).days + 1 >= days


def record_rows(indicator: str, scope: Scope, policy: Policy) -> Select:
    """``(person_id, reason, record_kind, record_id, sign)``: one row per counted record
    (a person may have several)."""
    builders = {
        "new_employment_gross": lambda: _employment_rows(scope, policy),
        "reemployment_of_unemployed": lambda: _employment_rows(scope, policy, reemployed=True),
        "natural_attrition": lambda: _attrition_rows(scope, policy),
        "hard_to_employ_employed": lambda: _aid_rows(scope, policy),
        "registered_unemployed": lambda: _unemployed_rows(scope, policy),
        "rural_training": lambda: _training_rows(scope, policy),
    }
    if indicator in RURAL:
        return _rural_rows(indicator, scope, policy)
    if indicator in builders:
        return builders[indicator]()
    if indicator == "urban_new_employment":
        return union_all(_employment_rows(scope, policy),
                         _attrition_rows(scope, policy, subtracted=True))
    raise ValueError(f"{indicator!r} counts no persons")


def explain_statement(indicator: str, scope: Scope, policy: Policy) -> Select:
    """``(person_id, reason, record_kind, record_id, sign)``, one row per person counted (per
    person and sign for ``urban_new_employment``): the record with the lowest id where a
    person has several. Unordered; ``explain_page`` orders and pages it."""
    rows = record_rows(indicator, scope, policy).subquery("counted")
    if indicator in RURAL:  # already one row per person
        return select(rows)
    first = func.row_number().over(partition_by=(rows.c.person_id, rows.c.sign),
                                   order_by=rows.c.record_id).label("rank")
    ranked = select(rows, first).subquery("ranked")
    return select(ranked.c.person_id, ranked.c.reason, ranked.c.record_kind,
                  ranked.c.record_id, ranked.c.sign).where(ranked.c.rank == 1)


def person_ids_statement(indicator: str, division: str, start: dt.date, end: dt.date,
                         policy: Policy) -> Select:
    """The ``person_id`` of each person the figure counts, once each: what a submission
    stores (``INSERT ... SELECT``) to compare two versions later (``set_difference``).
    ``ValueError`` for the indicators that count no persons."""
    if indicator not in PERSON_INDICATORS:
        raise ValueError(f"{indicator!r} counts no persons")
    rows = record_rows(indicator, Scope(division, start, end), policy).subquery("counted")
    statement = select(rows.c.person_id)
    return statement if indicator in RURAL else statement.distinct()


def count_statement(indicator: str, scope: Scope, policy: Policy) -> Select:
    """The figure as the explanation makes it: the number of persons listed (the sum of the
    signs for ``urban_new_employment``)."""
    listed = explain_statement(indicator, scope, policy).subquery("listed")
    return select(func.coalesce(func.sum(listed.c.sign), 0))


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of an explanation or a difference: ``rows`` are rows with
    ``person_id, id_number, name, reason, record_kind, record_id, sign`` (a difference's
    also ``side`` and ``why_not``)."""

    total: int
    page: int
    per_page: int
    rows: list

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _first_spell(person_id, scope: Scope) -> ColumnElement[int]:
    """The first spell of the person overlapping the period: the record behind rules 9-11."""
    s = rules.spells
    return (select(func.min(s.c.id))
            .where(s.c.person_id == person_id, s.c.start_date <= scope.end,
                   or_(s.c.end_date.is_(None), s.c.end_date >= scope.start))
            .scalar_subquery())


def _with_persons(listed, scope: Scope, page: int, per_page: int, *extra: str) -> Select:
    """Page ``page`` of ``listed`` (ordered by person id) joined to the persons, each row
    with the ``total`` of ``listed`` and, for a difference, the ``first_total``: one pass
    over the statement for the count and the page. Correlated look-ups (the spell of a
    rural row) run on the page's rows only."""
    totals = [func.count().over().label("total")]
    if "side" in extra:
        totals.append(func.sum(case((listed.c.side == "first", 1), else_=0)).over()
                      .label("first_total"))
    paged = (select(listed, *totals).order_by(listed.c.person_id, listed.c.sign.desc())
             .limit(per_page).offset((page - 1) * per_page).subquery("paged"))
    p = rules.persons
    record_id = case((and_(paged.c.record_kind == "spell", paged.c.record_id.is_(None)),
                      _first_spell(paged.c.person_id, scope)), else_=paged.c.record_id)
    return (select(paged.c.person_id, p.c.id_number, p.c.name, paged.c.reason,
                   paged.c.record_kind, record_id.label("record_id"), paged.c.sign,
                   *(paged.c[name] for name in extra), *(paged.c[t.name] for t in totals))
            .select_from(paged.join(p, p.c.id == paged.c.person_id))
            .order_by(paged.c.person_id, paged.c.sign.desc()))


def _materialized(statement: Select):
    """``statement`` computed once for both the count and the page: left inline, SQLite
    plans the ordered page of a rural rule by walking persons in id order, twice as slow
    as computing the set and sorting it."""
    return statement.cte("listed").prefix_with("MATERIALIZED")


def _paged(connection: Connection, listed, scope: Scope, page: int, per_page: int,
           *extra: str) -> tuple[list, int, int]:
    """``(rows, page, first_total)`` of page ``page``; a page past the last gives the last
    (found with one more count)."""
    page = max(page, 1)
    rows = connection.execute(_with_persons(listed, scope, page, per_page, *extra)).all()
    if not rows and page > 1:
        total = connection.execute(select(func.count()).select_from(listed)).scalar_one()
        page = max(1, -(-total // per_page))
        if total:
            rows = connection.execute(_with_persons(listed, scope, page, per_page,
                                                    *extra)).all()
    return rows, page, (rows[0].first_total if rows and "side" in extra else 0)


def explain_page(connection: Connection, indicator: str, scope: Scope, policy: Policy, *,
                 page: int = 1, per_page: int = 50) -> Page:
    """The number of persons counted and page ``page`` of them (by person id); a page past
    the last gives the last."""
    listed = _materialized(explain_statement(indicator, scope, policy))
    rows, page, _ = _paged(connection, listed, scope, page, per_page)
    return Page(rows[0].total if rows else 0, page, per_page, rows)


def explain_all(connection: Connection, indicator: str, scope: Scope, policy: Policy) -> list:
    """Every person counted, ordered by person id, with full ID numbers (the operator's
    command line)."""
    listed = explain_statement(indicator, scope, policy).subquery("listed")
    p = rules.persons
    return list(connection.execute(
        select(listed.c.person_id, p.c.id_number, p.c.name, listed.c.reason,
               listed.c.record_kind, listed.c.record_id, listed.c.sign)
        .select_from(listed.join(p, p.c.id == listed.c.person_id))
        .order_by(listed.c.person_id, listed.c.sign.desc())).all())


# --- differences -------------------------------------------------------------------------

def _one_side_only(first_rows: Select, second_rows: Select) -> Select:
    """The rows of persons found on one side only: both sides' rows (one per person each,
    tagged ``side``) grouped by person, keeping the groups of one row. One pass over each
    side, no correlated look-up."""
    both = union_all(first_rows, second_rows).subquery("both_sides")
    columns = [c for c in both.c if c.name != "person_id"]
    return (select(both.c.person_id, *(func.min(c).label(c.name) for c in columns))
            .group_by(both.c.person_id).having(func.count() == 1))


def set_difference(first_ids: Select, second_ids: Select) -> Select:
    """``(person_id, side)``: side ``first`` for the persons in ``first_ids`` and not in
    ``second_ids``, ``second`` for the converse. Each argument is any statement whose first
    column is a person id (two periods' ``person_ids_statement``, or the persons stored
    with two submitted versions)."""
    first, second = first_ids.subquery("first_ids"), second_ids.subquery("second_ids")
    return _one_side_only(
        select(first.c[0].label("person_id"), literal("first").label("side")).distinct(),
        select(second.c[0].label("person_id"), literal("second").label("side")).distinct())


def _side_rows(side: str, indicator: str, scope: Scope, policy: Policy,
               ids: Select | None) -> Select:
    """A side's persons with their reason and record: the figure's own, or the persons
    ``ids`` (a stored version) with the reason the scope gives them today, if any."""
    listed = explain_statement(indicator, scope, policy).subquery(f"{side}_listed")
    columns = (listed.c.reason, listed.c.record_kind, listed.c.record_id)
    if ids is None:
        return select(listed.c.person_id, literal(side).label("side"), *columns)
    stored = ids.subquery(f"{side}_ids")
    return (select(stored.c[0].label("person_id"), literal(side).label("side"), *columns)
            .select_from(stored.outerjoin(listed, listed.c.person_id == stored.c[0]))
            .distinct())


def difference_statement(indicator: str, first: Scope, second: Scope, policy: Policy,
                         first_ids: Select | None = None,
                         second_ids: Select | None = None) -> Select:
    """``(person_id, side, reason, record_kind, record_id, sign, why_not)`` for the persons
    counted on one side only: the reason and record on the side that counts them; why not
    on the other (``not_in_period``, or ``not_in_division_or_period`` when the divisions
    differ). ``first_ids``/``second_ids`` replace a side's persons (stored versions); the
    reasons are still those of the side's scope today."""
    if indicator not in PERSON_INDICATORS:
        raise ValueError(f"{indicator!r} counts no persons")
    only = _one_side_only(_side_rows("first", indicator, first, policy, first_ids),
                          _side_rows("second", indicator, second, policy, second_ids)
                          ).subquery("one_side_only")
    why_not = ("not_in_period" if first.division == second.division
               else "not_in_division_or_period")
    return select(only.c.person_id, only.c.side, only.c.reason, only.c.record_kind,
                  only.c.record_id, literal(1).label("sign"), literal(why_not).label("why_not"))


def difference_page(connection: Connection, indicator: str, first: Scope, second: Scope,
                    policy: Policy, *, page: int = 1, per_page: int = 50,
                    first_ids: Select | None = None,
                    second_ids: Select | None = None) -> tuple[dict[str, int], Page]:
    """How many persons are on each side only, and page ``page`` of them (by person id;
    a spell is looked up in the span of both periods)."""
    listed = _materialized(difference_statement(indicator, first, second, policy, first_ids,
                                                second_ids))
    scope = Scope(first.division, min(first.start, second.start), max(first.end, second.end))
    rows, page, first_total = _paged(connection, listed, scope, page, per_page, "side",
                                     "why_not")
    total = rows[0].total if rows else 0
    counts = {"first": int(first_total or 0), "second": total - int(first_total or 0)}
    return counts, Page(total, page, per_page, rows)


def difference_all(connection: Connection, indicator: str, first: Scope, second: Scope,
                   policy: Policy) -> list:
    """Every person of the difference with full ID numbers, side by side, by person id
    (the operator's command line)."""
    listed = difference_statement(indicator, first, second, policy).subquery("listed")
    p = rules.persons
    return list(connection.execute(
        select(listed.c.person_id, p.c.id_number, p.c.name, listed.c.side, listed.c.reason,
               listed.c.why_not, listed.c.record_kind, listed.c.record_id)
        .select_from(listed.join(p, p.c.id == listed.c.person_id))
        .order_by(listed.c.side, listed.c.person_id)).all())


# --- figures that count no persons ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class FigureRow:
    """One division's employed-total value at the period's end: ``as_of`` the date of the
    figure used (``None``: the sum of its children), ``record_id`` that figure's row."""

    code: str
    value: int | None
    as_of: dt.date | None
    record_id: int | None


@dataclasses.dataclass(frozen=True)
class FigureExplanation:
    indicator: str
    value: object
    as_of: dt.date
    own: FigureRow | None  # the division's own value (rule 7)
    children: list[FigureRow]  # the children's values, when the value is their sum
    parts: dict[str, object]  # rule 8: registered_unemployed and employed_total


def _employed_total_rows(connection: Connection, division: str, b: dt.date) -> list[FigureRow]:
    values = rules.employed_total_values(division, b).subquery("values")
    f = rules.employed_totals
    record = (select(func.max(f.c.id))
              .where(f.c.division_code == values.c.code, f.c.as_of == values.c.as_of,
                     f.c.invalidated_at.is_(None))
              .scalar_subquery())
    rows = connection.execute(
        select(values.c.code, values.c.value, values.c.as_of, record.label("record_id"))
        .where(or_(values.c.code == division, values.c.parent_code == division))
        .order_by(values.c.code))
    # PostgreSQL sums to numeric
    return [FigureRow(r.code, None if r.value is None else int(r.value), _date(r.as_of),
                      r.record_id) for r in rows]


def _date(value) -> dt.date | None:
    # SQLite hands a CASE over dates back as text
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def figure_explanation(connection: Connection, indicator: str, scope: Scope,
                       policy: Policy) -> FigureExplanation:
    """Rule 7: the division's figure and its date, or its children's values when it is their
    sum. Rule 8: the two figures the rate divides."""
    if indicator not in FIGURE_INDICATORS:
        raise ValueError(f"{indicator!r} is not a figure of units or a ratio")
    values = compute_indicators(connection, scope.division, scope.start, scope.end, policy)
    rows = _employed_total_rows(connection, scope.division, scope.end)
    own = next((row for row in rows if row.code == scope.division), None)
    summed = own is not None and own.value is not None and own.as_of is None
    children = [row for row in rows if row.code != scope.division] if summed else []
    parts = {"registered_unemployed": values["registered_unemployed"],
             "employed_total": values["employed_total"]}
    return FigureExplanation(indicator, values[indicator], scope.end, own, children, parts)
