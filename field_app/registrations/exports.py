"""A desk list as XLSX (Chinese headers, masked numbers) or as an interchange data set."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from field_app.core.text import spreadsheet_cell
from field_app.exchange.exporter import interchange_field
from field_app.exchange.files import PERSONS
from field_app.registrations import labels
from field_app.registrations.lists import ListKind, display_value, interchange_value

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


DATE_FORMAT = "yyyy-mm-dd"


def to_xlsx(kind: ListKind, records: Iterable, names: dict[str, str], *, title: str) -> bytes:
    """One sheet: ``title`` (the list, division, filters and export time) in the first row,
    Chinese column names in the second with a filter on them, frozen above the records;
    dates are date cells, shown as ``yyyy-mm-dd``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(kind.title))
    for index, column in enumerate(kind.columns, start=1):
        width = 20 if column in ("id_number", "employer_uscc", "employer_name") else 12
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    heading = _xlsx_cell(sheet, title)
    heading.font = Font(bold=True, size=13)
    sheet.append([heading])
    sheet.append([_xlsx_cell(sheet, str(labels.COLUMNS[column]), bold=True)
                  for column in kind.columns])
    count = 0
    for record in records:
        sheet.append([_xlsx_cell(sheet, display_value(kind, record, column, names))
                      for column in kind.columns])
        count += 1
    last = get_column_letter(len(kind.columns))
    sheet.auto_filter.ref = f"A2:{last}{2 + count}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value, *, bold: bool = False):
    """Text as a string cell, never a formula or an error code (openpyxl makes a formula of
    any string starting with ``=``), cleaned by ``spreadsheet_cell``: a stored control
    character would otherwise make openpyxl refuse the whole file. A date as a date cell."""
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
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
