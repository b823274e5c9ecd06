"""One function per statutory rule, each returning a Core statement (no session, no Flask).

Every rule takes the division code, the inclusive period ``[a, b]`` and the ``Policy``;
"in D" is a range on the 12-digit code (``core.codes.subtree_bounds``). Clause numbers
in comments refer to ``shared/spec/indicators.md``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    and_,
    case,
    column,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.sql import ColumnElement, Select

from field_app.core.sql import date_key, day_number
from field_app.core.codes import Level, level_of, subtree_bounds
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, LabourCapacity, Person, Sex
from field_app.indicators.policy import APPROVED, Policy
from field_app.registrations.models import (
    AidExitReason,
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    EmploymentType,
    NaturalAttrition,
    UnemploymentRegistration,
)
from field_app.surveys.models import Funding, SurveyRound, TransferSpell, Training

persons = Person.__table__
divisions = Division.__table__
households = Household.__table__
members = HouseholdMember.__table__
spells = TransferSpell.__table__
trainings = Training.__table__
employment = EmploymentRegistration.__table__
unemployment = UnemploymentRegistration.__table__
aid = EmploymentAid.__table__
attrition = NaturalAttrition.__table__
employed_totals = EmployedTotal.__table__


def in_division(code_column: ColumnElement, division: str) -> ColumnElement[bool]:
    """The record's division is ``division`` or below it."""
    low, high = subtree_bounds(division)
    return code_column.between(low, high)


def _anniversary_cutoff(day: dt.date, years: int) -> dt.date:
    """Latest birth date that has completed ``years`` on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year: the anniversary is 1 March
        return dt.date(day.year - years, 2, 28)


def working_age(person, on, policy: Policy) -> ColumnElement[bool]:
    """working_age(p, d): ``min_age <= age(p, d) < max_age(sex)``, or under policy
    ``reform-2025`` from its date in force, ``min_age <= age(p, d)`` and ``d < retire(p)``.

    ``on`` is a Python date (comparisons on the indexed birth date) or a date column
    (comparisons on ``yyyymmdd`` keys, see ``core.sql.date_key``).
    """
    reform = policy.reform
    if isinstance(on, dt.date):
        if reform is not None and on >= reform.in_force:
            on_key = on.year * 10000 + on.month * 100 + on.day
            birth = person.c.birth_date
            return and_(birth <= _anniversary_cutoff(on, policy.min_age),
                        literal(on_key) < _retirement_key(person, policy))
        return _working_age_on_date(person, on, policy)
    birth_key = date_key(person.c.birth_date)
    on_key = date_key(on)
    max_years = case(
        (person.c.sex == Sex.MALE, policy.male_max_age * 10000),
        else_=policy.female_max_age * 10000,
    )
    upper = birth_key + max_years > on_key
    if reform is not None:
        in_force = reform.in_force
        in_force_key = in_force.year * 10000 + in_force.month * 100 + in_force.day
        upper = case((on_key < in_force_key, upper),
                     else_=on_key < _retirement_key(person, policy))
    return and_(birth_key + policy.min_age * 10000 <= on_key, upper)


def _working_age_on_date(person, on: dt.date, policy: Policy) -> ColumnElement[bool]:
    sex = person.c.sex
    birth = person.c.birth_date
    return and_(
        birth <= _anniversary_cutoff(on, policy.min_age),
        or_(
            and_(sex == Sex.MALE, birth > _anniversary_cutoff(on, policy.male_max_age)),
            and_(sex == Sex.FEMALE, birth > _anniversary_cutoff(on, policy.female_max_age)),
        ),
    )


def _retirement_key(person, policy: Policy) -> ColumnElement[int]:
    """``retire(p)`` of policy ``reform-2025`` as a ``yyyymmdd`` key: the birth date plus
    the old age and ``min(cap, k // step + 1)`` months (``k``: whole months from the
    cohort's base month; none before it), a day the target month lacks giving its last
    day. Integer arithmetic only, so both databases compute it alike
    (``Policy.retirement_date`` is the same rule in Python)."""
    reform = policy.reform
    birth_key = date_key(person.c.birth_date)
    year, month, day = birth_key // 10000, (birth_key // 100) % 100, birth_key % 100
    male = person.c.sex == Sex.MALE
    month_index = year * 12 + month - 1
    base = case((male, reform.male_base.year * 12 + reform.male_base.month - 1),
                else_=reform.female_base.year * 12 + reform.female_base.month - 1)
    k = month_index - base
    extra = case((k < 0, 0), (k // reform.step_months + 1 > reform.cap_months, reform.cap_months),
                 else_=k // reform.step_months + 1)
    years = case((male, policy.male_max_age), else_=policy.female_max_age)
    target = month_index + years * 12 + extra
    t_year, t_month = target // 12, target % 12 + 1
    leap = or_(and_(t_year % 4 == 0, t_year % 100 != 0), t_year % 400 == 0)
    month_days = case((t_month.in_([4, 6, 9, 11]), 30),
                      (t_month == 2, case((leap, 29), else_=28)), else_=31)
    t_day = case((day > month_days, month_days), else_=day)
    return t_year * 10000 + t_month * 100 + t_day


# --- urban -----------------------------------------------------------------------------

def continuation(r, r2) -> ColumnElement[bool]:
    """Rule 1, clause 6: registration ``r`` continues an earlier registration of the person.

    ``r`` is anything with the columns ``person_id``, ``employment_type``, ``employer_uscc``
    and ``start_date`` (an alias of the registrations table, or a one-row subquery of values
    not yet saved); ``r2`` is an alias of the registrations table. True when, with Y the year
    of ``r.start_date``, a valid ``r2`` of the same person and type began before Y-01-01 and
    still ran on (Y-1)-12-31, with the same employer for unit and individual-business
    employment; never for public-welfare posts.
    """
    year = date_key(r.c.start_date) // 10000
    return (
        exists()
        .where(
            r2.c.person_id == r.c.person_id,
            r2.c.valid,
            r2.c.employment_type == r.c.employment_type,
            date_key(r2.c.start_date) < year * 10000 + 101,
            or_(r2.c.end_date.is_(None), date_key(r2.c.end_date) >= (year - 1) * 10000 + 1231),
            or_(
                r.c.employment_type == EmploymentType.FLEXIBLE,
                and_(
                    r.c.employment_type.in_(
                        [EmploymentType.UNIT, EmploymentType.INDIVIDUAL_BUSINESS]
                    ),
                    r2.c.employer_uscc == r.c.employer_uscc,
                ),
            ),
        )
    )


def qualifying_employment(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 1: valid employment registrations that count as new employment.

    Returns ``(person_id, person_category)`` rows, one per qualifying registration.
    """
    r = employment.alias("r")
    r2 = employment.alias("r2")
    p = persons.alias("p")
    return (
        select(r.c.person_id, r.c.person_category)
        .select_from(r.join(p, p.c.id == r.c.person_id))
        .where(
            r.c.valid,  # clause 1
            r.c.start_date.between(a, b),  # clause 2
            in_division(r.c.division_code, division),  # clause 3
            working_age(p, r.c.start_date, policy),  # clause 4
            not_(r.c.formal_transfer),  # clause 5
            not_(continuation(r, r2)),  # clause 6
        )
    )


def natural_attrition(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 2: persons with a natural-attrition record in D during the period."""
    n = attrition
    return select(func.count(n.c.person_id.distinct())).where(
        in_division(n.c.division_code, division), n.c.occurred_on.between(a, b),
        n.c.invalidated_at.is_(None),  # an invalidated (作废) record does not count
    )


def hard_to_employ_employed(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 5: aid exits into employment during the period, backed by a later registration."""
    e = aid
    r = employment
    return select(func.count(e.c.person_id.distinct())).where(
        in_division(e.c.division_code, division),
        e.c.invalidated_at.is_(None),  # an invalidated (作废) aid record does not count
        e.c.exited_on.between(a, b),
        e.c.exit_reason.in_(
            [
                AidExitReason.UNIT_EMPLOYMENT,
                AidExitReason.SELF_EMPLOYMENT,
                AidExitReason.FLEXIBLE_EMPLOYMENT,
            ]
        ),
        exists().where(
            r.c.person_id == e.c.person_id, r.c.valid, r.c.registered_on >= e.c.exited_on
        ),
    )


def registered_unemployed(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 6: persons still registered unemployed at the end of the period."""
    u = unemployment
    p = persons
    return (
        select(func.count(u.c.person_id.distinct()))
        .select_from(u.join(p, p.c.id == u.c.person_id))
        .where(
            u.c.valid,
            in_division(u.c.division_code, division),
            u.c.registered_on <= b,
            or_(u.c.cancelled_on.is_(None), u.c.cancelled_on > b),
            working_age(p, b, policy),
        )
    )


def year_before(day: dt.date) -> dt.date:
    """The same month and day one year earlier; 29 February gives 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def employed_total_values(division: str, b: dt.date) -> Select:
    """Rule 7 (rev. 2) for every division of D's subtree: ``(code, parent_code, value,
    as_of)``, where ``as_of`` is the date of the figure used and NULL for a children's sum.

    The recursion runs bottom-up, one CTE per level: level L's values read the values of
    the levels below it, which every CTE carries along, so a child that skips a level is
    still found by its ``parent_code``. At most five levels; no recursive CTE, which would
    not allow the sum.
    """
    f = employed_totals.alias("f")
    n = divisions.alias("n")
    c = divisions.alias("c")
    valid = f.c.invalidated_at.is_(None)
    figure = f.c.employed_total - f.c.deduction
    lower = year_before(b)

    def own(column, *window):
        return (select(column).where(f.c.division_code == n.c.code, valid, *window)
                .order_by(f.c.as_of.desc()).limit(1).scalar_subquery())

    at_b = (f.c.as_of == b,)
    recent = (f.c.as_of > lower, f.c.as_of < b)
    deeper = None
    root_level = level_of(division)
    for level in range(int(Level.VILLAGE), int(root_level) - 1, -1):
        own_value, own_as_of = own(figure, *at_b), own(f.c.as_of, *at_b)
        recent_value, recent_as_of = own(figure, *recent), own(f.c.as_of, *recent)
        if deeper is None:
            summed = None
        else:
            d = deeper.alias(f"d{level}")
            has_children = exists().where(c.c.parent_code == n.c.code)
            all_valued = not_(exists().where(
                c.c.parent_code == n.c.code,
                not_(exists().where(d.c.code == c.c.code, d.c.value.is_not(None)))))
            children_sum = (select(func.sum(d.c.value)).where(d.c.parent_code == n.c.code)
                            .scalar_subquery())
            summed = and_(has_children, all_valued)
        whens = [(own_value.is_not(None), own_value)]
        as_of_whens = [(own_value.is_not(None), own_as_of)]
        if summed is not None:
            whens.append((summed, children_sum))
            as_of_whens.append((summed, literal(None, type_=f.c.as_of.type)))
        current = select(
            n.c.code, n.c.parent_code,
            case(*whens, else_=recent_value).label("value"),
            case(*as_of_whens, else_=recent_as_of).label("as_of"),
        ).where(in_division(n.c.code, division), n.c.level == level)
        if deeper is not None:
            current = current.union_all(select(deeper.c.code, deeper.c.parent_code,
                                               deeper.c.value, deeper.c.as_of))
        deeper = current.cte(f"employed_total_level_{level}")
    return select(deeper.c.code, deeper.c.parent_code, deeper.c.value, deeper.c.as_of)


def employed_total_values_keyed(division: str, periods) -> Select:
    """Rule 7 (rev. 2) for every division of D's subtree at the end of every period of
    ``periods``, in one statement: ``(k, code, parent_code, value, as_of)``, each ``k``'s
    rows equal to ``employed_total_values(division, b)`` of that period's end.

    ``periods`` is a selectable (a CTE) with a row per period: its index ``k``, its end
    ``b`` and ``year_ago``, ``year_before(b)``. The levels run bottom-up as in
    ``employed_total_values``, with joins in place of its correlated subqueries: each
    division and period gets its latest valid figure of ``(year_ago, b]`` (step 1 when it
    is as of ``b``, step 3 otherwise; a division has at most one figure per date), and the
    values of the level below are summed per parent and period (step 2 when every child,
    counted in the division table, has one).
    """
    f = employed_totals.alias("f")
    n = divisions.alias("n")
    c = divisions.alias("c")
    low, high = subtree_bounds(division)
    ranked = (
        select(periods.c.k, f.c.division_code.label("code"), f.c.as_of,
               (f.c.employed_total - f.c.deduction).label("value"),
               func.row_number().over(partition_by=(periods.c.k, f.c.division_code),
                                      order_by=f.c.as_of.desc()).label("rank"))
        .select_from(f.join(periods, and_(f.c.as_of > periods.c.year_ago,
                                          f.c.as_of <= periods.c.b)))
        .where(f.c.invalidated_at.is_(None), f.c.division_code.between(low, high))
        .subquery("employed_total_ranked"))
    latest = (select(ranked.c.k, ranked.c.code, ranked.c.as_of, ranked.c.value)
              .where(ranked.c.rank == 1).cte("employed_total_latest"))
    children = (select(c.c.parent_code, func.count().label("children"))
                .where(c.c.parent_code.between(low, high)).group_by(c.c.parent_code)
                .cte("employed_total_children"))
    deeper = None
    for level in range(int(Level.VILLAGE), int(level_of(division)) - 1, -1):
        own = latest.alias(f"own{level}")
        at_b = own.c.as_of == periods.c.b
        joined = (n.join(periods, true())
                  .outerjoin(own, and_(own.c.k == periods.c.k, own.c.code == n.c.code)))
        whens = [(at_b, own.c.value)]
        as_of_whens = [(at_b, own.c.as_of)]
        if deeper is not None:
            sums = (select(deeper.c.k, deeper.c.parent_code,
                           func.count(deeper.c.value).label("valued"),
                           func.sum(deeper.c.value).label("total"))
                    .group_by(deeper.c.k, deeper.c.parent_code).subquery(f"sums{level}"))
            kids = children.alias(f"kids{level}")
            joined = (joined.outerjoin(kids, kids.c.parent_code == n.c.code)
                      .outerjoin(sums, and_(sums.c.k == periods.c.k,
                                            sums.c.parent_code == n.c.code)))
            summed = sums.c.valued == kids.c.children
            whens.append((summed, sums.c.total))
            as_of_whens.append((summed, literal(None, type_=f.c.as_of.type)))
        current = (select(periods.c.k, n.c.code, n.c.parent_code,
                          case(*whens, else_=own.c.value).label("value"),
                          case(*as_of_whens, else_=own.c.as_of).label("as_of"))
                   .select_from(joined)
                   .where(n.c.code.between(low, high), n.c.level == level))
        if deeper is not None:
            current = current.union_all(select(deeper.c.k, deeper.c.code,
                                               deeper.c.parent_code, deeper.c.value,
                                               deeper.c.as_of))
        deeper = current.cte(f"employed_total_keyed_{level}")
    return select(deeper.c.k, deeper.c.code, deeper.c.parent_code, deeper.c.value,
                  deeper.c.as_of)


def employed_total(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 7 (rev. 2): D's figure at ``b``, else the sum of its children's values when
    every child has one, else D's latest figure of the year before ``b``, else empty. An
    invalidated (作废) figure counts as no figure; an unknown division has no value."""
    values = employed_total_values(division, b).subquery("employed_total_values")
    return select(values.c.value).where(values.c.code == division)


# --- rural and pastoral ----------------------------------------------------------------

# The review status of a household in a survey round, by name: the review package's table
# module imports Flask-Babel for its labels, which the engine may not.
household_surveys = table("household_surveys", column("household_id"), column("round_id"),
                          column("village_code"), column("status"))
survey_rounds = SurveyRound.__table__
APPROVED_STATUS = "approved"  # review.states.SurveyStatus.APPROVED (a test holds them equal)


def approved_households(division: str, b: dt.date) -> Select:
    """Ids of D's households approved in review (已审核) in their latest survey round of
    ``b``'s year or before."""
    hs, r = household_surveys, survey_rounds
    latest = (select(hs.c.household_id, func.max(r.c.year).label("year"))
              .select_from(hs.join(r, r.c.id == hs.c.round_id))
              .where(in_division(hs.c.village_code, division), r.c.year <= b.year)
              .group_by(hs.c.household_id).subquery("latest_round"))
    return (select(hs.c.household_id)
            .select_from(hs.join(r, r.c.id == hs.c.round_id)
                         .join(latest, and_(latest.c.household_id == hs.c.household_id,
                                            latest.c.year == r.c.year)))
            .where(hs.c.status == APPROVED_STATUS))


def rural_persons(division: str, policy: Policy | None = None, b: dt.date | None = None):
    """(member, household, person) joined for persons whose household's village is in D;
    under the ``approved`` survey basis, only households approved in review by ``b``."""
    m, h, p = members, households, persons
    joined = m.join(h, h.c.id == m.c.household_id).join(p, p.c.id == m.c.person_id)
    condition = in_division(h.c.village_code, division)
    if policy is not None and policy.survey_basis == APPROVED and b is not None:
        condition = and_(condition, h.c.id.in_(approved_households(division, b)))
    return joined, condition


def transfer_persons(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 9: rural persons with labour capacity, of working age at ``b``, with a spell
    overlapping the period. ``person_id`` is unique in household members, so each row is
    one person."""
    joined, in_d = rural_persons(division, policy, b)
    m, p, s = members, persons, spells
    # IN rather than a correlated EXISTS: the same semi-join (person_id is never null), but
    # SQLite then starts from the few persons with a spell in the period instead of probing
    # the spells once per household member of D (0.9 s instead of 7 s at 780,000 members).
    with_spell = select(s.c.person_id).where(
        s.c.start_date <= b,
        or_(s.c.end_date.is_(None), s.c.end_date >= a),
    )
    return (
        select(p.c.id.label("person_id"), p.c.birth_date)
        .select_from(joined)
        .where(
            in_d,
            m.c.labour_capacity.in_([LabourCapacity.FULL, LabourCapacity.PARTIAL]),
            working_age(p, b, policy),
            p.c.id.in_(with_spell),
        )
    )


def stable_persons(transfer, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 11: of the persons in ``transfer`` (a CTE of rule 9), those whose stable spells
    cover at least ``policy.stable_days`` distinct days of the period.

    Spells are clipped to the period and sorted by start; each adds the days it covers past
    the furthest end of the spells before it, so overlapping days count once.
    """
    s = spells
    epoch = dt.date(1970, 1, 1)
    first, last = literal((a - epoch).days), literal((b - epoch).days)
    start = day_number(s.c.start_date)
    end = day_number(s.c.end_date)
    clipped_start = case((start < first, first), else_=start)
    clipped_end = case((or_(s.c.end_date.is_(None), end > last), last), else_=end)
    clipped = (
        select(
            s.c.person_id,
            clipped_start.label("ds"),
            clipped_end.label("de"),
        )
        .select_from(s.join(transfer, transfer.c.person_id == s.c.person_id))
        .where(
            s.c.stable_workplace,
            s.c.stable_income,
            s.c.start_date <= b,
            or_(s.c.end_date.is_(None), s.c.end_date >= a),
        )
        .subquery("clipped")
    )
    previous_end = func.max(clipped.c.de).over(
        partition_by=clipped.c.person_id,
        order_by=(clipped.c.ds, clipped.c.de),
        rows=(None, -1),
    )
    ordered = select(
        clipped.c.person_id, clipped.c.ds, clipped.c.de, previous_end.label("prev_end")
    ).subquery("ordered")
    new_start = case((ordered.c.prev_end >= ordered.c.ds, ordered.c.prev_end + 1), else_=ordered.c.ds)
    new_days = case(
        (ordered.c.prev_end.is_(None), ordered.c.de - ordered.c.ds + 1),
        (ordered.c.de >= new_start, ordered.c.de - new_start + 1),
        else_=0,
    )
    return (
        select(ordered.c.person_id)
        .group_by(ordered.c.person_id)
        .having(func.sum(new_days) >= policy.stable_days)
    )


def rural_training(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 12: rural persons in D who completed a recognised training in the period."""
    joined, in_d = rural_persons(division, policy, b)
    p, t = persons, trainings
    return (
        select(func.count(p.c.id.distinct()))
        .select_from(joined.join(t, t.c.person_id == p.c.id))
        .where(
            in_d,
            t.c.completed,
            t.c.end_date.between(a, b),
            working_age(p, t.c.end_date, policy),
            or_(
                and_(t.c.institution_certified, t.c.funding == Funding.EMPLOYMENT_FUND),
                t.c.funding == Funding.OTHER_FISCAL,
            ),
        )
    )


# --- the rows behind the counts (for explanations) -------------------------------------
# Each is the rule's own statement above with its columns replaced (``with_only_columns``
# keeps the FROM, the joins and every WHERE clause), so an explanation cannot drift from
# the figure: one row per counted record, ``person_id`` and ``record_id`` first.

def qualifying_employment_records(division: str, a: dt.date, b: dt.date,
                                  policy: Policy) -> Select:
    """Rule 1's statement with each registration's ``record_id``, ``employment_type`` and
    ``person_category``."""
    statement = qualifying_employment(division, a, b, policy)
    r = statement.selected_columns.person_id.table
    return statement.with_only_columns(r.c.person_id, r.c.id.label("record_id"),
                                       r.c.employment_type, r.c.person_category)


def natural_attrition_records(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 2's statement as ``(person_id, record_id, reason)`` rows."""
    n = attrition
    return natural_attrition(division, a, b, policy).with_only_columns(
        n.c.person_id, n.c.id.label("record_id"), n.c.reason)


def hard_to_employ_records(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 5's statement as ``(person_id, record_id, exit_reason)`` rows (aid records)."""
    e = aid
    return hard_to_employ_employed(division, a, b, policy).with_only_columns(
        e.c.person_id, e.c.id.label("record_id"), e.c.exit_reason)


def registered_unemployed_records(division: str, a: dt.date, b: dt.date,
                                  policy: Policy) -> Select:
    """Rule 6's statement as ``(person_id, record_id)`` rows (unemployment registrations)."""
    u = unemployment
    return registered_unemployed(division, a, b, policy).with_only_columns(
        u.c.person_id, u.c.id.label("record_id"))


def rural_training_records(division: str, a: dt.date, b: dt.date, policy: Policy) -> Select:
    """Rule 12's statement as ``(person_id, record_id, funding)`` rows (trainings)."""
    p, t = persons, trainings
    return rural_training(division, a, b, policy).with_only_columns(
        p.c.id.label("person_id"), t.c.id.label("record_id"), t.c.funding)
