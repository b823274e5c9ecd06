"""A desk list as XLSX (Chinese headers, masked numbers) or as an interchange data set."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from field_app.core.text import spreadsheet_cell
from field_app.exchange.exporter import interchange_field
from field_app.exchange.files import PERSONS
from field_app.registrations import labels
from field_app.registrations.lists import ListKind, display_value, interchange_value

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_xlsx(kind: ListKind, records: Iterable, names: dict[str, str]) -> bytes:
    """One sheet: a header row of Chinese column names, then one row per record."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(kind.title))
    for index, column in enumerate(kind.columns, start=1):
        width = 20 if column in ("id_number", "employer_uscc", "employer_name") else 12
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_xlsx_cell(sheet, str(labels.COLUMNS[column])) for column in kind.columns])
    for record in records:
        row = []
        for column in kind.columns:
            value = display_value(kind, record, column, names)
            # Dates as text, so every spreadsheet program shows them as written here.
            row.append(_xlsx_cell(sheet, value.isoformat() if isinstance(value, dt.date)
                                  else value))
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    """Text as a string cell, never a formula or an error code (openpyxl makes a formula of
    any string starting with ``=``), cleaned by ``spreadsheet_cell``: a stored control
    character would otherwise make openpyxl refuse the whole file."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
    cell.data_type = "s"
    return cell


def _csv(header: tuple[str, ...], rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([interchange_field(value) for value in row])
    return buffer.getvalue()


def to_interchange(kind: ListKind, records: list) -> bytes:
    """A ZIP holding the list's interchange file and ``persons.csv`` for the persons it
    names: a data set that imports into any database with the same division tree."""
    spec = kind.spec
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(spec.filename, _csv(spec.column_names, (
            [interchange_value(record, column) for column in spec.column_names]
            for record in records)))
        if kind.has_person:
            persons = sorted({record.person.id_number: record.person for record in records}
                             .items())
            archive.writestr(PERSONS.filename, _csv(PERSONS.column_names, (
                [getattr(person, column) for column in PERSONS.column_names]
                for _, person in persons)))
    return buffer.getvalue()
