"""The twelve indicators of a division and period, grouped by one dimension, in one
statement per rule (issue 14).

Each rule's own statement (``rules``) gives the counted rows with the record's division
and, where a dimension is a record's attribute, that attribute (``with_only_columns`` and
``add_columns`` keep every FROM and WHERE clause, so a group cannot drift from the
engine); the grouping only adds a key and a ``GROUP BY``.

Dimensions:

- ``child``: the child divisions of D (``parent_code = D``). A record counts in the child
  whose subtree holds its division (its household's village for rules 9 to 12), exactly
  as "in D" of the spec, so each group equals ``compute_indicators`` for that child; a
  person with records in two children counts in both, and the groups need not add up to
  D's total. Rule 7 is ``rules.employed_total_values`` of each child, rule 8 follows.
- Person attributes, one group per person: ``sex``, ``age_band`` (age at the period's
  end: ``0-15``, ``16-24``, ``25-34``, ``35-44``, ``45-54``, ``55+``), ``hukou`` (``None``:
  not recorded), ``new_generation`` (born on or after the policy's date: ``True``). Each
  person-count indicator's groups add up to its total; rules 7 and 8 are not counts of
  persons and are ``None`` in every group.
- Record attributes, a person in every group of one of their counted records:
  ``destination`` and ``industry`` of the transfer spells (rules 9 and 10: the spells
  overlapping the period; rule 11: the stable spells overlapping it), ``employment_type``
  and ``person_category`` of the qualifying employment registrations (rules 1 and 4).
  The groups may add up to more than the total. Every other indicator is ``None``: the
  records it counts do not carry the attribute.

``compute_with_children`` (the division pages) counts each rule's rows by child and in
total from one statement: the division's own figures and its children's in one pass.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, case, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement, Select

from field_app.core.codes import PREFIX_LENGTH, level_of
from field_app.households.models import Hukou, Sex
from field_app.indicators import rules
from field_app.indicators.engine import INDICATOR_KEYS, unemployment_rate
from field_app.indicators.policy import Policy
from field_app.registrations.models import EmploymentType, PersonCategory
from field_app.surveys.models import Destination, INDUSTRY_SECTIONS

PERSON_DIMENSIONS = ("sex", "age_band", "hukou", "new_generation")
RECORD_DIMENSIONS = ("destination", "industry", "employment_type", "person_category")
DIMENSIONS = ("child", *PERSON_DIMENSIONS, *RECORD_DIMENSIONS)
# Lower bounds of the age bands, in years completed at the period's end.
AGE_BANDS = ((55, "55+"), (45, "45-54"), (35, "35-44"), (25, "25-34"), (16, "16-24"),
             (0, "0-15"))
# The groups listed even when empty, in order; a value found outside them (a hukou not
# recorded, a spell without destination) is listed after them.
DECLARED_KEYS: dict[str, tuple] = {
    "sex": tuple(Sex),
    "age_band": tuple(label for _, label in reversed(AGE_BANDS)),
    "hukou": tuple(Hukou),
    "new_generation": (True, False),
    "destination": tuple(Destination),
    "industry": tuple(INDUSTRY_SECTIONS),
    "employment_type": tuple(EmploymentType),
    "person_category": tuple(PersonCategory),
}
# Which indicators a record attribute applies to.
RECORD_INDICATORS = {
    "destination": ("rural_transfer", "new_generation_transfer", "stable_transfer_180d"),
    "industry": ("rural_transfer", "new_generation_transfer", "stable_transfer_180d"),
    "employment_type": ("new_employment_gross", "reemployment_of_unemployed"),
    "person_category": ("new_employment_gross", "reemployment_of_unemployed"),
}

Key = str | bool | None
Group = tuple[Key, dict[str, int | Decimal | None]]


def applies(indicator: str, by: str) -> bool:
    """Whether ``indicator`` has a value in the groups of dimension ``by``."""
    if by == "child":
        return True
    if by in PERSON_DIMENSIONS:
        return indicator not in ("employed_total", "registered_unemployment_rate")
    if indicator == "urban_new_employment":
        return False
    return indicator in RECORD_INDICATORS[by]


# --- the rows each rule counts: person_id, code (the record's division), and maybe ------
# --- attr (the record attribute grouped by) and flag (1 when counted in the second figure)


def _employment_rows(division, a, b, policy, by):
    statement = rules.qualifying_employment(division, a, b, policy)
    r = statement.selected_columns.person_id.table
    columns = [r.c.person_id, r.c.division_code.label("code"),
               case((r.c.person_category == PersonCategory.UNEMPLOYED_REEMPLOYED, 1),
                    else_=0).label("flag")]
    if by in ("employment_type", "person_category"):
        columns.append(r.c[by].label("attr"))
    return statement.with_only_columns(*columns)


def _attrition_rows(division, a, b, policy, by):
    n = rules.attrition
    return rules.natural_attrition(division, a, b, policy).with_only_columns(
        n.c.person_id, n.c.division_code.label("code"))


def _aid_rows(division, a, b, policy, by):
    e = rules.aid
    return rules.hard_to_employ_employed(division, a, b, policy).with_only_columns(
        e.c.person_id, e.c.division_code.label("code"))


def _unemployed_rows(division, a, b, policy, by):
    u = rules.unemployment
    return rules.registered_unemployed(division, a, b, policy).with_only_columns(
        u.c.person_id, u.c.division_code.label("code"))


def _training_rows(division, a, b, policy, by):
    return rules.rural_training(division, a, b, policy).with_only_columns(
        rules.persons.c.id.label("person_id"), rules.households.c.village_code.label("code"))


def _transfer(division, a, b, policy):
    """Rule 9's persons with their household's village (``person_id`` is unique)."""
    return (rules.transfer_persons(division, a, b, policy)
            .add_columns(rules.households.c.village_code.label("code"))
            .cte("grouped_transfer"))


def _spells_of(rows, a, b, by, *stable):
    """``rows`` (person_id, code, flag) joined to the person's spells overlapping the
    period (only the stable ones with ``stable``), with the spell's ``by`` as attr."""
    s = rules.spells.alias("grouped_spell")
    return (select(rows.c.person_id, rows.c.code, rows.c.flag, s.c[by].label("attr"))
            .select_from(rows.join(s, s.c.person_id == rows.c.person_id))
            .where(s.c.start_date <= b, (s.c.end_date.is_(None)) | (s.c.end_date >= a),
                   *[s.c[name] for name in stable]))


def _transfer_rows(division, a, b, policy, by):
    transfer = _transfer(division, a, b, policy)
    rows = select(transfer.c.person_id, transfer.c.code,
                  case((transfer.c.birth_date >= policy.new_generation_born_from, 1),
                       else_=0).label("flag"))
    if by in ("destination", "industry"):
        return _spells_of(rows.subquery("grouped_transfer_rows"), a, b, by)
    return rows


def _stable_rows(division, a, b, policy, by):
    transfer = _transfer(division, a, b, policy)
    stable = rules.stable_persons(transfer, a, b, policy).subquery("grouped_stable")
    rows = (select(transfer.c.person_id, transfer.c.code, literal(0).label("flag"))
            .select_from(transfer.join(stable, stable.c.person_id == transfer.c.person_id)))
    if by in ("destination", "industry"):
        return _spells_of(rows.subquery("grouped_stable_rows"), a, b, by,
                          "stable_workplace", "stable_income")
    return rows


# (rule rows, the indicator counted, the indicator counted where flag = 1)
RULES = (
    (_employment_rows, "new_employment_gross", "reemployment_of_unemployed"),
    (_attrition_rows, "natural_attrition", None),
    (_aid_rows, "hard_to_employ_employed", None),
    (_unemployed_rows, "registered_unemployed", None),
    (_transfer_rows, "rural_transfer", "new_generation_transfer"),
    (_stable_rows, "stable_transfer_180d", None),
    (_training_rows, "rural_training", None),
)


# --- the key of a row --------------------------------------------------------------------

def _person_key(by: str, person, b: dt.date, policy: Policy) -> ColumnElement:
    if by == "sex":
        return person.c.sex
    if by == "hukou":
        return person.c.hukou
    if by == "new_generation":
        return case((person.c.birth_date >= policy.new_generation_born_from, 1), else_=0)
    birth = person.c.birth_date
    return case(*[(birth <= rules._anniversary_cutoff(b, years), label)
                  for years, label in AGE_BANDS[:-1]], else_=AGE_BANDS[-1][1])


# The key of the row that counts every row of the statement (``grouped_statement(...,
# total=True)``): the division's own figure. No division code or dimension value is empty.
TOTAL = ""


def grouped_statement(rows: Select, by: str, b: dt.date, policy: Policy, first: str,
                      second: str | None, prefix_length: int | None = None,
                      total: bool = False) -> Select:
    """``(key, first[, second])`` rows: distinct persons of ``rows`` by key. By child, the
    key is the first ``prefix_length`` characters of the record's division code. With
    ``total``, one more row keyed ``TOTAL`` counts the distinct persons of all the rows
    (the rule's own count for the division), from the same rows read once."""
    rows = rows.cte("grouped_rows") if total else rows.subquery("grouped_rows")
    source = rows
    if by == "child":
        key = func.substr(rows.c.code, 1, prefix_length)
    elif by in RECORD_DIMENSIONS:
        key = rows.c.attr
    else:
        person = rules.persons.alias("grouped_person")
        source = rows.join(person, person.c.id == rows.c.person_id)
        key = _person_key(by, person, b, policy)
    measures = [func.count(rows.c.person_id.distinct()).label(first)]
    if second is not None:
        measures.append(func.count(case((rows.c.flag == 1, rows.c.person_id)).distinct())
                        .label(second))
    statement = select(key.label("key"), *measures).select_from(source).group_by(key)
    if total:
        statement = union_all(statement, select(literal(TOTAL).label("key"), *measures)
                              .select_from(source))
    return statement


def _children(connection: Connection, division: str) -> list[str]:
    d = rules.divisions
    return list(connection.scalars(
        select(d.c.code).where(d.c.parent_code == division).order_by(d.c.code)))


# What each figure is computed from, for ``compute_grouped(..., indicators=...)``.
NEEDS = {"urban_new_employment": ("new_employment_gross", "natural_attrition"),
         "registered_unemployment_rate": ("registered_unemployed", "employed_total")}


def compute_grouped(connection: Connection, division: str, a: dt.date, b: dt.date,
                    policy: Policy | None = None, by: str = "child",
                    indicators: Iterable[str] | None = None) -> list[Group]:
    """The twelve indicators of ``division`` and ``[a, b]`` by dimension ``by`` (see the
    module's docstring): ``(key, {indicator: value})`` for every group, in order; ``None``
    where the dimension does not apply to an indicator. By child the key is the child's
    code, every child listed, and each group is ``compute_indicators`` of that child.
    ``indicators`` limits the work to the rules those figures need (the others are
    ``None``).

    One statement per rule that the dimension applies to (by child: per rule and level of
    the children, one level in a regular tree), plus one for the children and one for rule
    7 by child.
    """
    return _compute(connection, division, a, b, policy, by, indicators, False)[1]


def compute_with_children(connection: Connection, division: str, a: dt.date, b: dt.date,
                          policy: Policy | None = None
                          ) -> tuple[dict[str, int | Decimal | None], list[Group]]:
    """``compute_indicators`` of ``division`` and ``compute_grouped`` of it by child, from
    the same statements: each rule's rows are read once and counted both by child and in
    total (``grouped_statement(..., total=True)``), rule 7 of the division comes with its
    children's. The division's figures equal the engine's: the total counts the rows of
    the rule's own statement, records of the division itself included."""
    return _compute(connection, division, a, b, policy, "child", None, True)


def _compute(connection, division, a, b, policy, by, indicators, total):
    if a > b:
        raise ValueError(f"period start {a} is after its end {b}")
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    policy = policy or Policy()
    wanted = set(INDICATOR_KEYS if indicators is None else indicators)
    wanted |= {need for key in list(wanted) for need in NEEDS.get(key, ())}
    counted: dict[str, dict[Key, int]] = {}
    found: list[Key] = []

    def put(indicator: str, key: Key, value) -> None:
        counted.setdefault(indicator, {})[key] = int(value)
        if key not in found:
            found.append(key)

    if by == "child":
        children = _children(connection, division)
        by_length: dict[int, dict[str, str]] = {}
        for code in children:
            length = PREFIX_LENGTH[level_of(code)]
            by_length.setdefault(length, {})[code[:length]] = code
        keys: list[Key] = list(children)
        if total and not by_length:  # no children: the total alone
            by_length = {PREFIX_LENGTH[level_of(division)]: {}}
    else:
        by_length = {0: {}}
        keys = list(DECLARED_KEYS[by]) if by != "industry" else []
    own: dict[str, int] = {}
    for build, first, second in RULES:
        if not applies(first, by) or not {first, second} & wanted:
            continue
        rows = build(division, a, b, policy, by)
        for n, (length, prefixes) in enumerate(by_length.items()):
            statement = grouped_statement(rows, by, b, policy, first, second, length or None,
                                          total and n == 0)
            for key, *values in connection.execute(statement):
                if total and n == 0 and key == TOTAL:
                    own.update((i, int(v)) for i, v in zip((first, second), values)
                               if i is not None)
                    continue
                if by == "child":
                    key = prefixes.get(key)
                    if key is None:  # a record of D itself, or below no child
                        continue
                elif by == "new_generation":
                    key = bool(key)
                for indicator, value in zip((first, second), values):
                    if indicator is not None:
                        put(indicator, key, value)
    if by == "industry":
        keys = sorted((k for k in found if k is not None)) + ([None] if None in found else [])
    else:
        keys += [k for k in found if k not in keys]
    employed = (_employed_totals(connection, division, b)
                if by == "child" and "employed_total" in wanted else {})
    groups = [(key, {indicator: value if indicator in wanted else None for indicator, value
                     in _figures(key, by, counted, employed).items()}) for key in keys]
    if not total:
        return None, groups
    values: dict[str, int | Decimal | None] = {key: own.get(key, 0) for key in INDICATOR_KEYS}
    values["urban_new_employment"] = values["new_employment_gross"] - values["natural_attrition"]
    values["employed_total"] = employed.get(division)
    values["registered_unemployment_rate"] = unemployment_rate(
        values["registered_unemployed"], values["employed_total"])
    return values, groups


def _employed_totals(connection: Connection, division: str, b: dt.date) -> dict[str, int | None]:
    """Rule 7 of ``division`` and of every child of it at ``b``: one query."""
    values = rules.employed_total_values(division, b).subquery("employed_total_values")
    return {code: (None if value is None else int(value)) for code, value in connection.execute(
        select(values.c.code, values.c.value).where(
            (values.c.parent_code == division) | (values.c.code == division)))}


def _figures(key: Key, by: str, counted: dict[str, dict[Key, int]],
             employed: dict[str, int | None]) -> dict[str, int | Decimal | None]:
    values: dict[str, int | Decimal | None] = {}
    for indicator in INDICATOR_KEYS:
        values[indicator] = counted.get(indicator, {}).get(key, 0) if applies(indicator, by) \
            else None
    if applies("urban_new_employment", by):
        values["urban_new_employment"] = (values["new_employment_gross"]
                                          - values["natural_attrition"])
    if by == "child":
        values["employed_total"] = employed.get(key)
        values["registered_unemployment_rate"] = unemployment_rate(
            values["registered_unemployed"], values["employed_total"])
    return values

