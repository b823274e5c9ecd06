"""The XLSX templates of targets and reported figures: written with Chinese headers, a
drop-down of the indicators and an example row; read back as plain rows.

Every text cell written goes through ``core.text.spreadsheet_cell`` (no formula injection);
text read back is un-neutralised with ``unquote_formula``.
"""
from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from field_app.core.text import spreadsheet_cell, unquote_formula
from field_app.indicators.labels import INDICATOR_NAMES

MAX_ROWS = 5000  # far more than a region's leagues or a county's townships times indicators
LIST_SHEET = "指标"
HELP_SHEET = "说明"


@dataclasses.dataclass(frozen=True)
class SheetRow:
    line: int  # the row number the spreadsheet shows
    cells: dict[str, Any]  # header → value


class UnreadableSheet(ValueError):
    """The upload is not an XLSX file of the template's shape; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def build_template(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                   example: Sequence[Any], indicators: Sequence[str], notes: Sequence[str],
                   indicator_column: str = "指标") -> bytes:
    """The template: sheet ``title`` with ``headers`` and ``rows``; a drop-down list of the
    ``indicators``' names on the indicator column; a help sheet with the ``example`` row and
    the ``notes``; the names on a hidden sheet the drop-down reads."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([spreadsheet_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_cell(value) for value in row])
    names = book.create_sheet(LIST_SHEET)
    for key in indicators:
        names.append([spreadsheet_cell(INDICATOR_NAMES[key])])
    names.sheet_state = "hidden"
    letter = chr(ord("A") + list(headers).index(indicator_column))
    choice = DataValidation(type="list", formula1=f"'{LIST_SHEET}'!$A$1:$A${len(indicators)}",
                            allow_blank=True, showErrorMessage=True,
                            errorTitle="指标", error="请从列表中选择指标")
    sheet.add_data_validation(choice)
    choice.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    for index, header in enumerate(headers):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(12, len(header) * 3)
    sheet.column_dimensions[letter].width = 34
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.append([spreadsheet_cell("示例（本行不导入）")])
    help_sheet.append([spreadsheet_cell(h) for h in headers])
    help_sheet.append([spreadsheet_cell(value) for value in example])
    help_sheet.append([])
    for note in notes:
        help_sheet.append([spreadsheet_cell(str(note))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = unquote_formula(value.strip())
        return value or None
    return value


def read_rows(data: bytes, headers: Sequence[str]) -> list[SheetRow]:
    """The first sheet's rows under ``headers`` (matched by name in the first row), blank
    rows skipped. ``UnreadableSheet`` if the file is not an XLSX workbook, a header is
    missing or there are more than MAX_ROWS rows. Formulas count by their cached value."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not XLSX
        raise UnreadableSheet(_l("文件不是XLSX工作簿，请使用下载的模板")) from error
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None) or ()
        found = {str(_cell(value)): index for index, value in enumerate(first)
                 if _cell(value) is not None}
        missing = [h for h in headers if h not in found]
        if missing:
            raise UnreadableSheet(_l("第一行缺少列：%(columns)s", columns="、".join(missing)))
        out = []
        for line, values in enumerate(rows, start=2):
            if line > MAX_ROWS + 1:
                raise UnreadableSheet(_l("行数超过%(n)s行，请分批导入", n=MAX_ROWS))
            cells = {h: _cell(values[found[h]]) if found[h] < len(values) else None
                     for h in headers}
            if all(value is None for value in cells.values()):
                continue
            out.append(SheetRow(line, cells))
        return out
    finally:
        book.close()
