"""The catalogue of quality rules (数据质量规则): one ``Rule`` each, with its code, severity,
description and one set-based statement that finds the offending records of a division's
subtree for a period, on SQLite+SpatiaLite and PostgreSQL+PostGIS alike.

Every statement returns the same columns (``COLUMNS``), one row per record involved:
``subject`` names the finding within its rule and period (rows with the same subject are one
finding); ``ord`` is 0 for the record the finding is first about; ``division_code`` is where
that record lies; ``file``, ``record_id`` and ``record_key`` name the record (interchange file
stem, primary key, natural key joined by ``|`` in the order of ``shared/spec/interchange.md``);
``n1``, ``n2`` and ``label`` are the figures and text the message names.

Severity: an error blocks a submission until it is corrected; a warning needs a written
explanation. Codes are stable: stored findings and documentation refer to them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement

from field_app.core.sql import date_key, day_number
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, Person, Relation
from field_app.indicators.policy import Policy
from field_app.indicators.rules import (
    approved_households,
    in_division,
    rural_training_records,
    transfer_persons,
)
from field_app.quality.models import Severity
from field_app.registrations.models import EmploymentRegistration, UnemploymentRegistration
from field_app.surveys.models import Training, TransferSpell

persons = Person.__table__
households = Household.__table__
members = HouseholdMember.__table__
divisions = Division.__table__
spells = TransferSpell.__table__
trainings = Training.__table__
employment = EmploymentRegistration.__table__
unemployment = UnemploymentRegistration.__table__

COLUMNS = ("subject", "ord", "division_code", "file", "record_id", "record_key", "n1", "n2",
           "label")
FAR_DAY = 10 ** 7  # a day number after any date: an open end
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The thresholds of the rules (config keys ``QUALITY_*``) and the working-age policy."""

    policy: Policy
    late_entry_days: int = 60
    location_mad_factor: float = 5.0
    location_min_metres: float = 2000.0
    location_min_households: int = 5
    surge_factor: float = 3.0
    surge_min: int = 10
    surge_baseline_weeks: int = 12
    employer_month_factor: float = 3.0
    employer_month_min: int = 20

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> Settings:
        return cls(
            policy=policy,
            late_entry_days=int(config["QUALITY_LATE_ENTRY_DAYS"]),
            location_mad_factor=float(config["QUALITY_LOCATION_MAD_FACTOR"]),
            location_min_metres=float(config["QUALITY_LOCATION_MIN_METRES"]),
            location_min_households=int(config["QUALITY_LOCATION_MIN_HOUSEHOLDS"]),
            surge_factor=float(config["QUALITY_SURGE_FACTOR"]),
            surge_min=int(config["QUALITY_SURGE_MIN"]),
            surge_baseline_weeks=int(config["QUALITY_SURGE_BASELINE_WEEKS"]),
            employer_month_factor=float(config["QUALITY_EMPLOYER_MONTH_FACTOR"]),
            employer_month_min=int(config["QUALITY_EMPLOYER_MONTH_MIN"]),
        )


Build = Callable[[str, dt.date, dt.date, Settings], Select]


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    description: Any  # lazy: the catalogue's sentence
    message: Callable[[dict[str, Any]], Any]  # params → lazy message of one finding
    build: Build


# --- building blocks ---------------------------------------------------------------------

class unindexed(FunctionElement):
    """A column whose index SQLite must not start from (its unary ``+``).

    The rules on spells, trainings and members reach the household's village through the
    person. SQLite, seeing a range on ``households.village_code``, starts from the households
    of the range and probes members, persons and spells for each: at a million persons that
    took 8 s for 10,000 blank spells, against well under a second from the spells. PostgreSQL
    plans by its statistics and gets the column as it is."""

    inherit_cache = True
    name = "unindexed"

    @property
    def type(self):
        return self.clauses.clauses[0].type


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return "+%s" % compiler.process(element.clauses, **kw)


@compiles(unindexed)
def _unindexed_other(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)



def _text(value) -> ColumnElement[str]:
    return cast(value, String)


def natural_key(*parts) -> ColumnElement[str]:
    """The parts as text joined by ``|`` (dates come out as ``YYYY-MM-DD`` on both)."""
    joined = _text(parts[0])
    for part in parts[1:]:
        joined = joined + literal("|") + _text(part)
    return joined


def _row(subject, division, file: str, record_id, key, *, ord_: int = 0, n1=None, n2=None,
         label=None) -> list[ColumnElement]:
    return [
        _text(subject).label("subject"),
        cast(literal(ord_), Integer).label("ord"),
        division.label("division_code"),
        cast(literal(file), String).label("file"),
        cast(record_id, Integer).label("record_id"),
        key.label("record_key"),
        cast(n1 if n1 is not None else null(), Float).label("n1"),
        cast(n2 if n2 is not None else null(), Float).label("n2"),
        _text(label if label is not None else null()).label("label"),
    ]


def _day(day: dt.date) -> int:
    """``core.sql.day_number`` of a Python date."""
    return (day - dt.date(1970, 1, 1)).days


def _greatest(*values) -> ColumnElement:
    result = values[0]
    for value in values[1:]:
        result = case((value > result, value), else_=result)
    return result


def _least(*values) -> ColumnElement:
    result = values[0]
    for value in values[1:]:
        result = case((value < result, value), else_=result)
    return result


def _rural(table):
    """``table`` (rows with ``person_id``) joined to the person, member and household, and
    ``h.village`` the household's village for the subtree condition (``unindexed``)."""
    m, h, p = members.alias("m"), households.alias("h"), persons.alias("p")
    joined = (table.join(m, m.c.person_id == table.c.person_id)
              .join(h, h.c.id == m.c.household_id)
              .join(p, p.c.id == table.c.person_id))
    return joined, _Village(h), p


class _Village:
    """A household alias whose ``village`` is the unindexed village code."""

    def __init__(self, h) -> None:
        self.c = h.c
        self.village = unindexed(h.c.village_code)


def _spell_key(s, p):
    return natural_key(p.c.id_number, s.c.start_date, s.c.kind)


def _training_key(t, p):
    return natural_key(p.c.id_number, t.c.course, t.c.start_date)


def _blank(column) -> ColumnElement[bool]:
    return or_(column.is_(None), func.trim(column) == "")


def _spells_in(division: str, a: dt.date, b: dt.date, where) -> Select:
    s = spells.alias("s")
    joined, h, p = _rural(s)
    return (select(*_row(s.c.id, h.c.village_code, "transfer_spells", s.c.id, _spell_key(s, p)))
            .select_from(joined)
            .where(in_division(h.village, division), s.c.start_date <= b,
                   or_(s.c.end_date.is_(None), s.c.end_date >= a), *where(s)))


# --- blanks (空项) -------------------------------------------------------------------------

def blank_spell_destination(division, a, b, settings) -> Select:
    """Transfer spells overlapping the period without a destination (就业去向)."""
    return _spells_in(division, a, b, lambda s: (s.c.destination.is_(None),))


def blank_spell_industry(division, a, b, settings) -> Select:
    """Transfer spells overlapping the period without an industry section (行业)."""
    return _spells_in(division, a, b, lambda s: (_blank(s.c.industry),))


def blank_training_institution(division, a, b, settings) -> Select:
    """Trainings overlapping the period without an institution (培训机构)."""
    t = trainings.alias("t")
    joined, h, p = _rural(t)
    return (select(*_row(t.c.id, h.c.village_code, "trainings", t.c.id, _training_key(t, p)))
            .select_from(joined)
            .where(in_division(h.village, division), t.c.start_date <= b,
                   t.c.end_date >= a, _blank(t.c.institution)))


def blank_household_location(division, a, b, settings) -> Select:
    """Households of the subtree without a location (户的位置)."""
    h = households.alias("h")
    return (select(*_row(h.c.id, h.c.village_code, "households", h.c.id,
                         natural_key(h.c.code)))
            .where(in_division(unindexed(h.c.village_code), division), h.c.location.is_(None)))


# --- household structure -------------------------------------------------------------------

def household_without_head(division, a, b, settings) -> Select:
    """Households with no member whose relation is head (户主)."""
    h, m, head = households.alias("h"), members.alias("m"), members.alias("head")
    count = (select(func.count()).where(m.c.household_id == h.c.id).scalar_subquery())
    # NOT EXISTS, not NOT IN: PostgreSQL runs a NOT IN whose set outgrows work_mem as a
    # scan of the set per household (minutes at 330,000 households); an anti-join either way.
    has_head = select(head.c.id).where(head.c.household_id == h.c.id,
                                       head.c.relation == Relation.HEAD).exists()
    return (select(*_row(h.c.id, h.c.village_code, "households", h.c.id, natural_key(h.c.code),
                         n1=count))
            .where(in_division(unindexed(h.c.village_code), division), ~has_head))


def household_with_several_heads(division, a, b, settings) -> Select:
    """Households with more than one head; the household and each head are named."""
    h, m, p = households.alias("h"), members.alias("m"), persons.alias("p")
    heads = (select(m.c.household_id, func.count().label("n"))
             .where(m.c.relation == Relation.HEAD)
             .group_by(m.c.household_id).having(func.count() > 1).subquery("heads"))
    household_rows = (select(*_row(h.c.id, h.c.village_code, "households", h.c.id,
                                   natural_key(h.c.code), n1=heads.c.n))
                      .select_from(h.join(heads, heads.c.household_id == h.c.id))
                      .where(in_division(unindexed(h.c.village_code), division)))
    m2 = members.alias("m2")
    head_rows = (select(*_row(h.c.id, h.c.village_code, "household_members", m2.c.id,
                              natural_key(p.c.id_number), ord_=1, n1=heads.c.n))
                 .select_from(h.join(heads, heads.c.household_id == h.c.id)
                              .join(m2, m2.c.household_id == h.c.id)
                              .join(p, p.c.id == m2.c.person_id))
                 .where(in_division(unindexed(h.c.village_code), division),
                        m2.c.relation == Relation.HEAD))
    return union_all(household_rows, head_rows)


# --- time ----------------------------------------------------------------------------------

def overlapping_spells(division, a, b, settings) -> Select:
    """Pairs of one person's transfer spells that share a day, where that day range touches
    the period (an end date is the spell's last day)."""
    s1, s2 = spells.alias("s1"), spells.alias("s2")
    joined, h, p = _rural(s1)
    later_start = _greatest(s1.c.start_date, s2.c.start_date)
    end1 = func.coalesce(day_number(s1.c.end_date), FAR_DAY)
    end2 = func.coalesce(day_number(s2.c.end_date), FAR_DAY)
    pairs = (select(s1.c.id.label("id1"), s2.c.id.label("id2"),
                    h.c.village_code.label("village"), p.c.id_number)
             .select_from(joined.join(s2, and_(s2.c.person_id == s1.c.person_id,
                                               s2.c.id > s1.c.id)))
             .where(in_division(h.village, division),
                    s2.c.start_date <= func.coalesce(s1.c.end_date, dt.date(9999, 12, 31)),
                    s1.c.start_date <= func.coalesce(s2.c.end_date, dt.date(9999, 12, 31)),
                    later_start <= b,
                    _least(end1, end2) >= _day(a))
             .cte("pairs").prefix_with("MATERIALIZED"))  # read by both halves below
    subject = _text(pairs.c.id1) + literal("-") + _text(pairs.c.id2)
    rows = []
    for ord_, column in enumerate((pairs.c.id1, pairs.c.id2)):
        s = spells.alias(f"o{ord_}")
        rows.append(select(*_row(subject, pairs.c.village, "transfer_spells", s.c.id,
                                 natural_key(pairs.c.id_number, s.c.start_date, s.c.kind),
                                 ord_=ord_))
                    .select_from(pairs.join(s, s.c.id == column)))
    return union_all(*rows)


def _age_at(p, day) -> ColumnElement[int]:
    return (date_key(day) - date_key(p.c.birth_date)) // 10000


def under_age(division, a, b, settings) -> Select:
    """Transfer spells, trainings and employment registrations overlapping the period that
    began before the person was 16 (the policy's minimum age)."""
    years = settings.policy.min_age * 10000
    s = spells.alias("s")
    joined, h, p = _rural(s)
    spell_rows = (select(*_row(literal("transfer_spells:") + _text(s.c.id), h.c.village_code,
                               "transfer_spells", s.c.id, _spell_key(s, p),
                               n1=_age_at(p, s.c.start_date)))
                  .select_from(joined)
                  .where(in_division(h.village, division), s.c.start_date <= b,
                         or_(s.c.end_date.is_(None), s.c.end_date >= a),
                         date_key(p.c.birth_date) + years > date_key(s.c.start_date)))
    t = trainings.alias("t")
    joined, h, p = _rural(t)
    training_rows = (select(*_row(literal("trainings:") + _text(t.c.id), h.c.village_code,
                                  "trainings", t.c.id, _training_key(t, p),
                                  n1=_age_at(p, t.c.start_date)))
                     .select_from(joined)
                     .where(in_division(h.village, division), t.c.start_date <= b,
                            t.c.end_date >= a,
                            date_key(p.c.birth_date) + years > date_key(t.c.start_date)))
    r, p = employment.alias("r"), persons.alias("pe")
    employment_rows = (select(*_row(literal("employment_registrations:") + _text(r.c.id),
                                    r.c.division_code, "employment_registrations", r.c.id,
                                    natural_key(r.c.registration_no),
                                    n1=_age_at(p, r.c.start_date)))
                       .select_from(r.join(p, p.c.id == r.c.person_id))
                       .where(in_division(r.c.division_code, division), r.c.start_date <= b,
                              or_(r.c.end_date.is_(None), r.c.end_date >= a),
                              date_key(p.c.birth_date) + years > date_key(r.c.start_date)))
    return union_all(spell_rows, training_rows, employment_rows)


# --- registrations -------------------------------------------------------------------------

def employed_while_unemployed(division, a, b, settings) -> Select:
    """A valid employment registration and a valid unemployment registration of one person
    both open on a day of the period (employment open from its start until the day before
    its end; unemployment from registration until the day before its cancellation)."""
    e, u = employment.alias("e"), unemployment.alias("u")
    first = _greatest(day_number(e.c.start_date), day_number(u.c.registered_on),
                      literal(_day(a)))
    last = _least(func.coalesce(day_number(e.c.end_date), FAR_DAY) - 1,
                  func.coalesce(day_number(u.c.cancelled_on), FAR_DAY) - 1,
                  literal(_day(b)))
    pairs = (select(e.c.id.label("eid"), u.c.id.label("uid"), e.c.division_code.label("ed"),
                    u.c.division_code.label("ud"), e.c.registration_no.label("eno"),
                    u.c.registration_no.label("uno"))
             .select_from(e.join(u, u.c.person_id == e.c.person_id))
             .where(e.c.valid, u.c.valid, in_division(e.c.division_code, division),
                    in_division(u.c.division_code, division), e.c.start_date <= b,
                    u.c.registered_on <= b, first <= last)
             .cte("pairs").prefix_with("MATERIALIZED"))
    subject = _text(pairs.c.eid) + literal("-") + _text(pairs.c.uid)
    return union_all(
        select(*_row(subject, pairs.c.ed, "employment_registrations", pairs.c.eid,
                     natural_key(pairs.c.eno))),
        select(*_row(subject, pairs.c.ud, "unemployment_registrations", pairs.c.uid,
                     natural_key(pairs.c.uno), ord_=1)),
    )


def benefit_without_open_registration(division, a, b, settings) -> Select:
    """Unemployment registrations marked as drawing unemployment insurance
    (``receives_benefit``) that are invalid or cancelled by the period's end."""
    u = unemployment.alias("u")
    return (select(*_row(u.c.id, u.c.division_code, "unemployment_registrations", u.c.id,
                         natural_key(u.c.registration_no)))
            .where(in_division(u.c.division_code, division), u.c.registered_on <= b,
                   u.c.receives_benefit.is_(True),
                   or_(not_(u.c.valid), u.c.cancelled_on <= b)))


def employer_names_differ(division, a, b, settings) -> Select:
    """One unified social credit code written with different employer names on registrations
    open during the period (names compared without surrounding spaces); one registration
    named for each name."""
    r = employment.alias("r")
    name = func.trim(r.c.employer_name)
    scoped = and_(in_division(r.c.division_code, division), r.c.employer_uscc.is_not(None),
                  r.c.employer_name.is_not(None), func.trim(r.c.employer_name) != "",
                  r.c.start_date <= b, or_(r.c.end_date.is_(None), r.c.end_date >= a))
    named = (select(r.c.employer_uscc.label("uscc"), name.label("name"),
                    func.min(r.c.id).label("first_id"))
             .where(scoped).group_by(r.c.employer_uscc, name).subquery("named"))
    counted = (select(named.c.uscc, func.count().label("names"))
               .group_by(named.c.uscc).having(func.count() > 1).subquery("counted"))
    first = (select(counted.c.uscc, func.min(named.c.first_id).label("first_id"))
             .select_from(counted.join(named, named.c.uscc == counted.c.uscc))
             .group_by(counted.c.uscc).subquery("first"))
    r2 = employment.alias("r2")
    ord_ = case((r2.c.id == first.c.first_id, 0), else_=1)
    row = _row(counted.c.uscc, r2.c.division_code, "employment_registrations", r2.c.id,
               natural_key(r2.c.registration_no), n1=counted.c.names, label=counted.c.uscc)
    row[1] = ord_.label("ord")
    return (select(*row)
            .select_from(named.join(counted, counted.c.uscc == named.c.uscc)
                         .join(first, first.c.uscc == named.c.uscc)
                         .join(r2, r2.c.id == named.c.first_id)))


def late_entry(division, a, b, settings) -> Select:
    """Valid employment registrations beginning in the period that were entered more than
    ``late_entry_days`` days after the employment began (补录)."""
    r = employment.alias("r")
    days = day_number(r.c.registered_on) - day_number(r.c.start_date)
    return (select(*_row(r.c.id, r.c.division_code, "employment_registrations", r.c.id,
                         natural_key(r.c.registration_no), n1=days,
                         n2=literal(settings.late_entry_days)))
            .where(in_division(r.c.division_code, division), r.c.valid,
                   r.c.start_date.between(a, b), days > settings.late_entry_days))


# --- location ------------------------------------------------------------------------------

def _radians(value):
    return value * (3.141592653589793 / 180.0)


def distance_metres(lon1, lat1, lon2, lat2) -> ColumnElement[float]:
    """Great-circle distance by the haversine formula, in arithmetic both databases share
    (SpatiaLite and PostgreSQL both have sin, cos, asin and sqrt)."""
    half_dlat = _radians(lat2 - lat1) / 2
    half_dlon = _radians(lon2 - lon1) / 2
    h = (func.sin(half_dlat) * func.sin(half_dlat)
         + func.cos(_radians(lat1)) * func.cos(_radians(lat2))
         * func.sin(half_dlon) * func.sin(half_dlon))
    return 2 * EARTH_RADIUS_M * func.asin(func.sqrt(_least(h, literal(1.0))))


def _middle(rank, n) -> ColumnElement[bool]:
    """``rank`` (1-based, in value order) is the middle row of ``n``, or one of the two."""
    return rank.in_([(n + 1) // 2, (n + 2) // 2])


def _median(source, value, by: str, name: str):
    """``(by, median)`` of ``source.c[value]`` per ``source.c[by]``: the middle row, or the
    mean of the two middle rows, by window numbering (neither database's percentile
    functions exist on the other)."""
    # One window for both (the count's frame is the whole partition), so one sort.
    window = {"partition_by": source.c[by], "order_by": source.c[value]}
    numbered = select(
        source.c[by], source.c[value],
        func.row_number().over(**window).label("rn"),
        func.count().over(**window, range_=(None, None)).label("n"),
    ).subquery(f"{name}_numbered")
    return (select(numbered.c[by], func.avg(numbered.c[value]).label(name))
            .where(_middle(numbered.c.rn, numbered.c.n))
            .group_by(numbered.c[by]).cte(name).prefix_with("MATERIALIZED"))


def _median_point(located):
    """``(village, mx, my, n)``: each village's median longitude and latitude and its number
    of located households, in one pass over ``located`` (two window sorts; only the middle
    rows go on to the grouping)."""
    by_x = {"partition_by": located.c.village, "order_by": located.c.x}
    numbered = select(
        located.c.village, located.c.x, located.c.y,
        func.row_number().over(**by_x).label("rx"),
        func.row_number().over(partition_by=located.c.village, order_by=located.c.y)
        .label("ry"),
        func.count().over(**by_x, range_=(None, None)).label("n"),
    ).subquery("numbered")
    middle_x, middle_y = (_middle(numbered.c.rx, numbered.c.n),
                          _middle(numbered.c.ry, numbered.c.n))
    return (select(numbered.c.village,
                   func.avg(case((middle_x, numbered.c.x))).label("mx"),
                   func.avg(case((middle_y, numbered.c.y))).label("my"),
                   func.max(numbered.c.n).label("n"))
            .where(or_(middle_x, middle_y))
            .group_by(numbered.c.village).cte("median_point").prefix_with("MATERIALIZED"))


def location_outliers(division, a, b, settings) -> Select:
    """Households further from their village's median point than the median distance plus
    ``location_mad_factor`` times the median absolute deviation of the distances (a robust
    outlier test), and further than ``location_min_metres``; in villages with at least
    ``location_min_households`` located households."""
    h = households.alias("h")
    located = (select(h.c.id, h.c.code, h.c.village_code.label("village"),
                      func.ST_X(h.c.location).label("x"), func.ST_Y(h.c.location).label("y"))
               .where(in_division(unindexed(h.c.village_code), division), h.c.location.is_not(None))
               .cte("located").prefix_with("MATERIALIZED"))
    point = _median_point(located)
    distances = (select(located.c.id, located.c.code, located.c.village,
                        distance_metres(located.c.x, located.c.y, point.c.mx, point.c.my)
                        .label("d"))
                 .select_from(located.join(point, point.c.village == located.c.village))
                 .where(point.c.n >= settings.location_min_households)
                 .cte("distances").prefix_with("MATERIALIZED"))
    md = _median(distances, "d", "village", "md")
    deviations = (select(distances.c.village, func.abs(distances.c.d - md.c.md).label("dev"))
                  .select_from(distances.join(md, md.c.village == distances.c.village))
                  .subquery("deviations"))
    mad = _median(deviations, "dev", "village", "mad")
    limits = (select(md.c.village,
                     (md.c.md + settings.location_mad_factor * mad.c.mad).label("limit"))
              .select_from(md.join(mad, mad.c.village == md.c.village)).subquery("limits"))
    # From each household to its village's limit (SQLite would otherwise index the
    # distances of every household to probe them from the few villages).
    return (select(*_row(distances.c.id, distances.c.village, "households", distances.c.id,
                         natural_key(distances.c.code), n1=distances.c.d, n2=limits.c.limit))
            .select_from(distances.join(limits,
                                        limits.c.village == unindexed(distances.c.village)))
            .where(distances.c.d > limits.c.limit,
                   distances.c.d > settings.location_min_metres))


def outside_village_boundary(division, a, b, settings) -> Select:
    """Located households outside their village's boundary, where the boundary is loaded
    (a point on the boundary line is inside)."""
    h, d = households.alias("h"), divisions.alias("d")
    return (select(*_row(h.c.id, h.c.village_code, "households", h.c.id, natural_key(h.c.code)))
            .select_from(h.join(d, d.c.code == h.c.village_code))
            .where(in_division(h.c.village_code, division), h.c.location.is_not(None),
                   d.c.boundary.is_not(None),
                   h.c.village_code.in_(select(divisions.c.code).where(
                       divisions.c.boundary.is_not(None),
                       in_division(divisions.c.code, division))),
                   not_(func.ST_Intersects(d.c.boundary, h.c.location))))


# --- review --------------------------------------------------------------------------------

def unreviewed_counted(division, a, b, settings) -> Select:
    """Households whose members the period's rural figures count (rules 9 and 12) that the
    township has not approved in review (已审核) in their latest round."""
    policy = settings.policy
    transfer = transfer_persons(division, a, b, policy).subquery("transfer")
    trained = rural_training_records(division, a, b, policy).subquery("trained")
    counted = union_all(select(transfer.c.person_id), select(trained.c.person_id)).subquery(
        "counted")
    m, h = members.alias("m"), households.alias("h")
    per_household = (select(m.c.household_id, func.count(counted.c.person_id.distinct())
                            .label("n"))
                     .select_from(counted.join(m, m.c.person_id == counted.c.person_id))
                     .group_by(m.c.household_id).subquery("per_household"))
    return (select(*_row(h.c.id, h.c.village_code, "households", h.c.id, natural_key(h.c.code),
                         n1=per_household.c.n))
            .select_from(per_household.join(h, h.c.id == per_household.c.household_id))
            .where(in_division(unindexed(h.c.village_code), division),
                   h.c.id.not_in(approved_households(division, b))))


# --- signals of fabrication (通知 三(四)) ----------------------------------------------------

def _township(code) -> ColumnElement[str]:
    """The township of a code (the code itself above the township level)."""
    return func.substr(code, 1, 9, type_=String) + literal("000")


def last_week_surge(division, a, b, settings) -> Select:
    """A township's (or a higher office's own) new employment registrations beginning in the
    period's last seven days: at least ``surge_min`` and more than ``surge_factor`` times its
    weekly mean over the ``surge_baseline_weeks`` weeks before. The registrations of the last
    week are named."""
    weeks = settings.surge_baseline_weeks
    last_week = b - dt.timedelta(days=6)
    baseline_start = last_week - dt.timedelta(days=7 * weeks)
    r = employment.alias("r")
    group = _township(r.c.division_code)
    scoped = (r.c.valid, in_division(r.c.division_code, division), not_(r.c.formal_transfer))
    counts = (select(group.label("office"),
                     func.sum(case((r.c.start_date >= last_week, 1), else_=0)).label("last"),
                     func.sum(case((r.c.start_date < last_week, 1), else_=0)).label("base"))
              .where(*scoped, r.c.start_date.between(baseline_start, b))
              .group_by(group).subquery("counts"))
    mean = cast(counts.c.base, Float) / weeks
    surges = (select(counts.c.office, counts.c.last, mean.label("mean"))
              .where(counts.c.last >= settings.surge_min,
                     counts.c.last > settings.surge_factor * mean).subquery("surges"))
    r2 = employment.alias("r2")
    return (select(*_row(surges.c.office, r2.c.division_code, "employment_registrations", r2.c.id,
                         natural_key(r2.c.registration_no), n1=surges.c.last, n2=surges.c.mean,
                         label=surges.c.office))
            .select_from(r2.join(surges, surges.c.office == _township(r2.c.division_code)))
            .where(r2.c.valid, not_(r2.c.formal_transfer),
                   in_division(r2.c.division_code, division),
                   r2.c.start_date.between(last_week, b)))


def _month_index(day) -> ColumnElement[int]:
    key = date_key(day)
    return (key // 10000) * 12 + (key // 100) % 100 - 1


def employer_hiring_surge(division, a, b, settings) -> Select:
    """An employer's hires (valid registrations beginning in a month of the period): at least
    ``employer_month_min`` and more than ``employer_month_factor`` times its monthly mean over
    the twelve months before. The month's registrations are named."""
    r = employment.alias("r")
    first = dt.date(a.year - 1, a.month, 1)
    month = _month_index(r.c.start_date)
    monthly = (select(r.c.employer_uscc.label("uscc"), month.label("month"),
                      func.count().label("n"))
               .where(r.c.valid, in_division(r.c.division_code, division),
                      r.c.employer_uscc.is_not(None), r.c.start_date.between(first, b))
               .group_by(r.c.employer_uscc, month).cte("monthly"))
    before = monthly.alias("before")
    base = (select(func.coalesce(func.sum(before.c.n), 0))
            .where(before.c.uscc == monthly.c.uscc,
                   before.c.month.between(monthly.c.month - 12, monthly.c.month - 1))
            .scalar_subquery())
    a_month, b_month = a.year * 12 + a.month - 1, b.year * 12 + b.month - 1
    mean = cast(base, Float) / 12
    surges = (select(monthly.c.uscc, monthly.c.month, monthly.c.n, mean.label("mean"))
              .where(monthly.c.month.between(a_month, b_month),
                     monthly.c.n >= settings.employer_month_min,
                     monthly.c.n > settings.employer_month_factor * mean).subquery("surges"))
    r2 = employment.alias("r2")
    year, month_no = surges.c.month // 12, surges.c.month % 12 + 1
    label = surges.c.uscc + literal("|") + _text(year) + literal("-") + case(
        (month_no < 10, literal("0") + _text(month_no)), else_=_text(month_no))
    return (select(*_row(label, r2.c.division_code, "employment_registrations", r2.c.id,
                         natural_key(r2.c.registration_no), n1=surges.c.n, n2=surges.c.mean,
                         label=label))
            .select_from(r2.join(surges, and_(surges.c.uscc == r2.c.employer_uscc,
                                              surges.c.month == _month_index(r2.c.start_date))))
            .where(r2.c.valid, in_division(r2.c.division_code, division),
                   r2.c.start_date.between(a, b)))


# --- the catalogue -------------------------------------------------------------------------

E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    Rule("Q-BLANK-SPELL-DEST", E, _l("转移就业经历缺少就业去向"),
         lambda p: _l("转移就业经历缺少就业去向", **p), blank_spell_destination),
    Rule("Q-BLANK-SPELL-INDUSTRY", E, _l("转移就业经历缺少行业"),
         lambda p: _l("转移就业经历缺少行业", **p), blank_spell_industry),
    Rule("Q-BLANK-TRAINING-INST", E, _l("培训缺少培训机构"),
         lambda p: _l("培训缺少培训机构", **p), blank_training_institution),
    Rule("Q-BLANK-HOUSEHOLD-LOC", W, _l("户缺少位置"),
         lambda p: _l("户缺少位置", **p), blank_household_location),
    Rule("Q-HEAD-MISSING", E, _l("户无户主"),
         lambda p: _l("户无户主（共%(n1)s名成员）", **p), household_without_head),
    Rule("Q-HEAD-MULTIPLE", E, _l("户有多名户主"),
         lambda p: _l("户有%(n1)s名户主", **p), household_with_several_heads),
    Rule("Q-SPELL-OVERLAP", E, _l("同一人的转移就业经历时间重叠"),
         lambda p: _l("同一人的两段转移就业经历时间重叠", **p), overlapping_spells),
    Rule("Q-UNDER-16", E, _l("转移就业、培训或就业登记开始时未满16周岁"),
         lambda p: _l("开始时未满16周岁（%(n1)s周岁）", **p), under_age),
    Rule("Q-EMPLOYED-UNEMPLOYED", E, _l("就业登记与失业登记同时有效"),
         lambda p: _l("同一人的就业登记与失业登记在期内同时有效", **p),
         employed_while_unemployed),
    Rule("Q-BENEFIT-CLOSED", E, _l("失业登记已作废或已注销，仍标记为领取失业保险金"),
         lambda p: _l("失业登记已作废或已注销，仍标记为领取失业保险金", **p),
         benefit_without_open_registration),
    Rule("Q-EMPLOYER-NAMES", W, _l("同一统一社会信用代码对应不同单位名称"),
         lambda p: _l("统一社会信用代码%(label)s对应%(n1)s个不同的单位名称", **p),
         employer_names_differ),
    Rule("Q-LATE-ENTRY", W, _l("就业登记晚于就业开始超过规定天数（补录）"),
         lambda p: _l("登记日期晚于就业开始%(n1)s天（超过%(n2)s天）", **p), late_entry),
    Rule("Q-LOC-OUTLIER", W, _l("户的位置远离本村其他户"),
         lambda p: _l("户距本村中位点%(n1)s米，超过界限%(n2)s米", **p), location_outliers),
    Rule("Q-LOC-OUTSIDE", W, _l("户的位置在本村边界之外"),
         lambda p: _l("户的位置在本村边界之外", **p), outside_village_boundary),
    Rule("Q-UNREVIEWED", W, _l("计入本期数字的户尚未审核"),
         lambda p: _l("本户%(n1)s人计入本期数字，但本户尚未审核通过", **p), unreviewed_counted),
    Rule("Q-SURGE-LAST-WEEK", W, _l("期末最后一周新增就业远高于平时周水平"),
         lambda p: _l("%(label)s期末最后一周新增就业%(n1)s人，此前周均%(n2)s人", **p),
         last_week_surge),
    Rule("Q-SURGE-EMPLOYER", W, _l("同一单位某月招用人数异常"),
         lambda p: _l("单位及月份%(label)s招用%(n1)s人，此前12个月月均%(n2)s人", **p),
         employer_hiring_surge),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def message(rule: Rule, params: Mapping[str, Any]):
    """The finding's message (lazy) with its figures rounded for reading."""
    shown = {key: _shown(value) for key, value in params.items()}
    for key in ("n1", "n2", "label"):
        shown.setdefault(key, "")
    return rule.message(shown)


def _shown(value):
    if isinstance(value, float):
        return int(value) if value == int(value) else round(value, 1)
    return value if value is not None else ""
