"""The importer's rules, applied to one record entered at the desk or on the survey page.

What the desk accepts must be exactly what an import accepts, so a desk record is written as
the interchange row it would be and run through that file's column converters
(``exchange.files``) and row checks (``exchange.reader.ROW_CHECKS``). Nothing here restates
a rule; only the messages are made readable (column names become their labels).
"""
from __future__ import annotations

import re
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, select

from field_app.core.errors import ValidationFailed
from field_app.core.i18n import both
from field_app.exchange.columns import CellError
from field_app.exchange.exporter import cell_text
from field_app.exchange.files import FileSpec
from field_app.exchange.labels import COLUMNS
from field_app.exchange.lookups import rows_with_keys
from field_app.exchange.reader import ROW_CHECKS, Dataset, RowError
from field_app.households.models import Household, HouseholdMember, Person, Relation


# A column name standing alone in a message (not part of a longer identifier).
_COLUMN_NAME = re.compile(r"(?<![A-Za-z0-9_])(%s)(?![A-Za-z0-9_])" % "|".join(COLUMNS))


def readable(message, labels: dict | None = None) -> str:
    """An importer message (lazy) in the page's language, column names
    (``end_date早于start_date``) read as the labels of the form the record was entered on
    (``labels``; the desk's by default). The desk's English keeps the interchange names."""
    text = str(message)
    if labels is None and has_request_context() and str(get_locale()) == "en":
        return text
    labels = labels or COLUMNS
    return _COLUMN_NAME.sub(lambda match: str(labels.get(match.group(1), match.group(1))), text)


def check_row(spec: FileSpec, values: dict[str, Any], labels: dict | None = None
              ) -> dict[str, Any]:
    """``values`` as the importer would read them from ``spec``'s file, or ValidationFailed.

    ``values`` holds Python values (dates, booleans, enum members, strings; ``None`` or an
    empty string for no value) by interchange column name; a column left out is empty.
    Returns the converted row. The failure's ``errors`` map column names to messages, which
    name columns by ``labels`` (the desk's by default).
    """
    errors: dict[str, list] = {}
    row: dict[str, Any] = {}
    for column in spec.columns:
        cell = cell_text(values.get(column.name)).strip()
        if not cell:
            if column.required:
                errors[column.name] = [_l("必填")]
            row[column.name] = column.default
            continue
        try:
            row[column.name] = column.convert(cell)
        except CellError as error:
            errors[column.name] = [readable(error.message, labels)]
    if not errors:
        for check in ROW_CHECKS.get(spec.filename, ()):
            for column, message in check(row):
                errors.setdefault(column, []).append(readable(message, labels))
    if errors:
        raise ValidationFailed(str(next(iter(errors.values()))[0]), errors)
    return row


def head_faults(conn: Connection, dataset: Dataset) -> list[RowError]:
    """A household has one head (户主): every ``head`` row of ``household_members.csv``
    whose household would end up with two or more, counting the stored members the data
    set does not place elsewhere. Set-based: one look-up of the stored heads.

    A household left with no head is not refused here: the interchange allows it (the
    example data set has one, a household of 18 with none), and the survey requires a head
    before the household can be submitted."""
    members = dataset.files.get("household_members.csv")
    if members is None:
        return []
    given = {row["id_number"] for row in members.rows}
    rows = [(row, line) for row, line in zip(members.rows, members.lines)
            if row["relation"] == Relation.HEAD]
    heads: dict[str, int] = {}
    for row, _line in rows:
        heads[row["household_code"]] = heads.get(row["household_code"], 0) + 1
    query = (select(Household.code, Person.id_number)
             .join(HouseholdMember, HouseholdMember.household_id == Household.id)
             .join(Person, Person.id == HouseholdMember.person_id)
             .where(HouseholdMember.relation == Relation.HEAD))
    for code, id_number in rows_with_keys(conn, Household.__table__, query, "code", set(heads)):
        if id_number not in given:  # a stored head the data set leaves where they are
            heads[code] += 1
    return [RowError(members.spec.filename, line, "relation", str(row["relation"]),
                     both(_l("每户只能有一名户主，该户有%(n)d名", n=heads[row["household_code"]])))
            for row, line in rows if heads[row["household_code"]] > 1]
