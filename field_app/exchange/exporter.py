"""Write the database, or what one division's figures rest on, as an interchange data set.

A division export is self-contained: it carries the division's ancestors, and for persons
with employment records in the division, their employment registrations elsewhere too,
because the continuation rule and the hard-to-employ rule look at them. Importing it into
an empty database gives the same indicators for the division and everything below it.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Connection, func, select, true, union

from field_app.core.text import spreadsheet_cell
from field_app.core.codes import PREFIX_LENGTH, Level, level_of
from field_app.exchange.files import FILES
from field_app.indicators.rules import (
    aid,
    attrition,
    divisions,
    employed_totals,
    employment,
    households,
    in_division,
    members,
    persons,
    spells,
    trainings,
    unemployment,
)


def cell_text(value) -> str:
    """A Python value as the interchange files write it (dates ISO, booleans 1/0, enums by
    value); the importer reads this text back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, float):
        return repr(value)
    return str(value)


def interchange_field(value) -> str:
    """One cell of an exported interchange file: ``cell_text``, and for text values
    ``core.text.spreadsheet_cell`` (unsafe characters stripped, formulas quoted with a
    ``'`` that the importer's text and phone converters remove again). Numbers, dates and
    codes are left as they are: a negative number is no formula, and the importer reads
    them as written."""
    if isinstance(value, str) and not hasattr(value, "value"):
        return spreadsheet_cell(value)
    return cell_text(value)


def _ancestors(code: str) -> list[str]:
    level = level_of(code)
    return [code[: PREFIX_LENGTH[lv]].ljust(12, "0") for lv in Level if lv < level]


def export_dataset(conn: Connection, directory: Path, division: str | None = None) -> dict[str, int]:
    """Write every file of the format into ``directory``; returns rows written per file.
    ``LookupError(division)`` if the code is unknown (the caller words the message)."""
    if division is not None and conn.execute(
        select(divisions.c.code).where(divisions.c.code == division)
    ).first() is None:
        raise LookupError(division)

    def within(column):
        return in_division(column, division) if division else true()

    p, e, u, a, n, m, h = persons, employment, unemployment, aid, attrition, members, households
    t = employed_totals
    # The format has no column to mark an aid, attrition or total record invalid (作废), and
    # imported they would count again: such records are left out, with what only they need.
    live_aid, live_attrition, live_total = (
        table.c.invalidated_at.is_(None) for table in (a, n, t))
    local_employment = select(e.c.person_id).where(within(e.c.division_code))
    local_aid = select(a.c.person_id).where(within(a.c.division_code), live_aid)
    employment_rows = e.c.person_id.in_(union(local_employment, local_aid)) if division else true()
    household_ids = select(h.c.id).where(within(h.c.village_code))
    person_ids = union(
        select(m.c.person_id).where(m.c.household_id.in_(household_ids)),
        select(e.c.person_id).where(employment_rows),
        select(u.c.person_id).where(within(u.c.division_code)),
        local_aid,
        select(n.c.person_id).where(within(n.c.division_code), live_attrition),
    )
    person_filter = p.c.id.in_(person_ids) if division else true()
    idn = p.c.id_number

    queries = {
        "persons.csv": select(idn, p.c.name, p.c.hukou, p.c.phone).where(person_filter)
        .order_by(idn),
        "households.csv": select(
            h.c.code.label("household_code"), h.c.village_code, h.c.address,
            func.ST_X(h.c.location).label("longitude"), func.ST_Y(h.c.location).label("latitude"),
        ).where(within(h.c.village_code)).order_by(h.c.code),
        "household_members.csv": select(
            h.c.code.label("household_code"), idn, m.c.relation, m.c.labour_capacity
        ).select_from(m.join(h, h.c.id == m.c.household_id).join(p, p.c.id == m.c.person_id))
        .where(within(h.c.village_code)).order_by(idn),
        "transfer_spells.csv": select(
            idn, *[spells.c[k] for k in ("kind", "start_date", "end_date", "destination",
                                          "industry", "stable_workplace", "stable_income")]
        ).join_from(spells, p, p.c.id == spells.c.person_id).where(person_filter)
        .order_by(idn, spells.c.start_date, spells.c.kind),
        "trainings.csv": select(
            idn, *[trainings.c[k] for k in ("course", "institution", "institution_certified",
                                             "funding", "start_date", "end_date", "completed")]
        ).join_from(trainings, p, p.c.id == trainings.c.person_id).where(person_filter)
        .order_by(idn, trainings.c.course, trainings.c.start_date),
        "employment_registrations.csv": select(
            e.c.registration_no.label("registration_id"), idn,
            *[e.c[k] for k in ("division_code", "employment_type", "employer_uscc",
                               "employer_name", "start_date", "end_date", "registered_on",
                               "person_category", "formal_transfer", "valid")]
        ).join_from(e, p, p.c.id == e.c.person_id).where(employment_rows)
        .order_by(e.c.registration_no),
        "unemployment_registrations.csv": select(
            u.c.registration_no.label("registration_id"), idn,
            *[u.c[k] for k in ("division_code", "registered_on", "cancelled_on", "valid",
                               "receives_benefit")]
        ).join_from(u, p, p.c.id == u.c.person_id).where(within(u.c.division_code))
        .order_by(u.c.registration_no),
        "employment_aid.csv": select(
            idn, a.c.division_code, a.c.recognized_on, a.c.exited_on, a.c.exit_reason
        ).join_from(a, p, p.c.id == a.c.person_id).where(within(a.c.division_code), live_aid)
        .order_by(idn, a.c.recognized_on),
        "natural_attrition.csv": select(
            idn, n.c.division_code, n.c.occurred_on, n.c.reason
        ).join_from(n, p, p.c.id == n.c.person_id)
        .where(within(n.c.division_code), live_attrition)
        .order_by(idn, n.c.occurred_on),
        "employed_totals.csv": select(
            t.c.division_code, t.c.as_of, t.c.employed_total, t.c.deduction,
        ).where(within(t.c.division_code), live_total)
        .order_by(t.c.division_code, t.c.as_of),
    }

    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    referenced_divisions: set[str] = set()
    for spec in FILES[1:]:
        result = conn.execute(queries[spec.filename])
        counts[spec.filename] = _write(directory / spec.filename, spec.column_names, result,
                                       referenced_divisions)
    # Divisions last: a division export also needs every division its records name, and
    # their ancestors, so that the parent references resolve in an empty database.
    wanted = set(referenced_divisions)
    for code in list(wanted):
        wanted.update(_ancestors(code))
    division_query = select(divisions.c.code, divisions.c.name, divisions.c.parent_code)
    if division:
        wanted.update(_ancestors(division))
        division_query = division_query.where(
            within(divisions.c.code) | divisions.c.code.in_(sorted(wanted)))
    result = conn.execute(division_query.order_by(divisions.c.level, divisions.c.code))
    counts["divisions.csv"] = _write(directory / "divisions.csv", FILES[0].column_names,
                                     result, set())
    return {spec.filename: counts[spec.filename] for spec in FILES}


_DIVISION_COLUMNS = {"village_code", "division_code"}


def _write(path: Path, header, result, referenced_divisions: set[str]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        keys = list(result.keys())
        division_positions = [i for i, k in enumerate(keys) if k in _DIVISION_COLUMNS]
        order = [keys.index(name) for name in header]
        for row in result:
            for i in division_positions:
                referenced_divisions.add(row[i])
            writer.writerow([interchange_field(row[i]) for i in order])
            count += 1
    return count
