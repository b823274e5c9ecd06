"""A channel's files: the templates (CSV and XLSX), reading an upload into checked rows, and
the XLSX of the bad rows with their cells marked.

Reading never raises on what a user can upload: a file that cannot be read at all, a
missing, unknown or repeated column and too many rows are whole-file faults (line 0); a bad
cell is a fault on its line and key. Cells are checked with the interchange importer's
converters (``exchange.columns``: GB 11643 ID numbers, GB 32100 codes including those of
authority ``Y``, text safety), so a row that passes here fails the import only on what
needs the database (references, jurisdiction, duplicates).

Every cell written to a spreadsheet goes through ``core.text.spreadsheet_cell`` and is
stored as a string cell: a value read from an upload is never written back as a formula.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from field_app.channels.catalogue import DEFAULT_FROM, ChannelSpec, Field
from field_app.core.text import spreadsheet_cell, unquote_formula
from field_app.exchange import columns as c

MAX_ROWS = 200_000
DATA_SHEET = "数据"
HELP_SHEET = "填写说明"
BAD_ROWS_SHEET = "错误行"
FILE_FAULTS_SHEET = "文件错误"
# The bad-rows file's last column. An upload may carry it (a user corrects the bad-rows
# file and uploads it again): it is not data and is skipped.
ERRORS_HEADER = "错误说明"
# A workbook's parts unpacked, as its ZIP directory declares them (zipfile reads no more
# than declared): a template of MAX_ROWS rows is about a third of this; a ZIP bomb is far more.
MAX_UNPACKED = 256 * 1024 * 1024
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
# Longest text a column stores (the interchange's persons.name and employer_name).
_TEXT_MAX = {"name": 100, "employer_name": 200}
_TEXT_MAX_DEFAULT = 200

_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
_BAD_FONT = Font(color="9C0006")
_AUTHOR = "兴安就业采集"
# Bad cells that get a comment: each costs as much to write as a row, and past a few
# thousand nobody reads them one by one (the cells are still filled, '错误说明' complete).
MAX_COMMENTS = 5000


@dataclasses.dataclass
class SheetRow:
    line: int  # the row's line/row number in the uploaded file (header = 1)
    cells: dict[str, str]  # the cells as written, by field key (for the bad-rows file)
    values: dict[str, Any]  # converted: str, date, int, choice codes; blanks -> default or None


@dataclasses.dataclass
class SheetFault:
    line: int  # 0 = the whole file
    key: str | None  # field key, None for the whole row or file
    value: str
    message: str  # in the locale of the moment: Chinese in a job or a command


# --- messages ----------------------------------------------------------------------------

_REQUIRED = _l("必填项为空")
_NOT_CSV_OR_XLSX = _l("只能上传CSV或XLSX文件（扩展名.csv或.xlsx）")
_OLD_EXCEL = _l("不支持旧版Excel（.xls）文件，请另存为.xlsx或CSV UTF-8格式")
_NOT_XLSX = _l("文件不是有效的XLSX工作簿，请使用下载的模板")
_XLSX_AS_CSV = _l("文件内容是Excel工作簿而不是CSV，请将扩展名改为.xlsx，或另存为CSV UTF-8格式")
_NOT_TEXT = _l("文件不是文本格式的CSV，请另存为“CSV UTF-8”格式")
_ENCODING = _l("文件编码无法识别，请另存为“CSV UTF-8”格式")
_NO_HEADER = _l("文件为空，没有表头行")
_NO_ROWS = _l("文件中没有数据行")
_EXTRA_CELLS = _l("本行的单元格多于表头的列数")
_ID_AS_NUMBER = _l("身份证号码被存成了数字，末几位已丢失；请将该列设为文本格式后重新填写")
_CODE_AS_NUMBER = _l("代码被存成了数字，位数可能已丢失；请将该列设为文本格式后重新填写")
_NOT_DATE = _l("日期格式应为YYYY-MM-DD")
_NO_SUCH_DATE = _l("日期不存在")
_MONTH_SHAPE = _l("月份格式应为YYYY-MM，如2026-03")
_NO_SUCH_MONTH = _l("月份应在01至12之间")
_NON_NEGATIVE = _l("应为非负整数")


class _Fault(Exception):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


# --- templates ---------------------------------------------------------------------------

def template_csv(spec: ChannelSpec) -> bytes:
    """The CSV template: UTF-8 with a BOM (so that Excel reads the Chinese), the Chinese
    headers and the example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(f.header) for f in spec.fields])
    writer.writerow([spreadsheet_cell(f.example) for f in spec.fields])
    return buffer.getvalue().encode("utf-8-sig")


def _example_value(field: Field) -> Any:
    if not field.example:
        return None
    if field.kind == "date":
        return dt.date.fromisoformat(field.example)
    if field.kind == "int":
        return int(field.example)
    return field.example


_KIND_FORMATS = {
    "text": _l("文本"),
    "id_number": _l("18位身份证号码"),
    "division": _l("12位数字"),
    "date": "YYYY-MM-DD",
    "month": "YYYY-MM",
    "int": _l("非负整数"),
    "uscc": _l("18位统一社会信用代码"),
}


def _allowed(field: Field) -> str:
    """The values a column takes; a choice column's labels stay Chinese (they are what
    the file must hold)."""
    if field.kind == "choice":
        return "、".join(label for _code, label in field.choices)
    return str(_KIND_FORMATS[field.kind])


def template_xlsx(spec: ChannelSpec) -> bytes:
    """The XLSX template: a data sheet (header bold and frozen, required headers shaded,
    each header commented with its help, the example row, drop-down lists on the choice
    columns, text format on code columns so that Excel keeps every digit, date format on
    date columns) and a sheet '填写说明' describing each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    last_row = MAX_ROWS + 1
    for index, field in enumerate(spec.fields, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=spreadsheet_cell(field.header))
        head.data_type = "s"
        head.font = Font(bold=True)
        if field.required:
            head.fill = _REQUIRED_FILL
        note = (_("必填。%(hint)s", hint=_(field.hint)) if field.required
                else _("选填。%(hint)s", hint=_(field.hint)))
        head.comment = Comment(note, _AUTHOR, width=240, height=90)
        example = _example_value(field)
        cell = sheet.cell(row=2, column=index, value=spreadsheet_cell(example))
        if isinstance(example, str):
            cell.data_type = "s"
        column = sheet.column_dimensions[letter]
        if field.kind == "date":
            column.number_format = DATE_FORMAT
            cell.number_format = DATE_FORMAT
        elif field.kind != "int":
            column.number_format = TEXT_FORMAT
            cell.number_format = TEXT_FORMAT
        # Chinese characters take about two widths of a Latin one.
        column.width = max(12, 2 * len(field.header) + 4,
                           (2 if field.kind == "text" else 1) * len(field.example) + 4)
        if field.kind == "choice":
            labels = ",".join(label for _code, label in field.choices)
            rule = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=field.header,
                                  error=_("请从列表中选择：%(choices)s", choices=_allowed(field)))
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{last_row}")
    sheet.freeze_panes = "A2"

    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.append([spreadsheet_cell(_(spec.title))])
    help_sheet["A1"].font = Font(bold=True, size=13)
    help_sheet.append([spreadsheet_cell(_(spec.description))])
    help_sheet.append([spreadsheet_cell(_(
        "在“%(sheet)s”表第一行（列名）下逐行填写，第2行为示例，上传前请删除。"
        "每个文件至多%(max)s行；有任何一行出错时整个文件都不导入。",
        sheet=DATA_SHEET, max=MAX_ROWS))])
    help_sheet.append([])
    help_sheet.append([_("列名"), _("必填"), _("格式或可选值"), _("留空时"), _("示例"),
                       _("说明")])
    for cell in help_sheet[5]:
        cell.font = Font(bold=True)
    for field in spec.fields:
        if field.default is not None:
            blank = field.label_of(field.default)
        elif field.key in DEFAULT_FROM:
            blank = _("同%(column)s", column=spec.field(DEFAULT_FROM[field.key]).header)
        else:
            blank = ""
        help_sheet.append([spreadsheet_cell(text) for text in (
            field.header, _("是") if field.required else _("否"), _allowed(field), blank,
            field.example, _(field.hint))])
    for letter, width in zip("ABCDEF", (26, 6, 30, 16, 22, 50)):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=6):
        for cell in row:
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- cells -------------------------------------------------------------------------------

def _as_text(raw: Any) -> str:
    """A cell as written: the text a user sees (dates as YYYY-MM-DD, whole numbers without
    a decimal point)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def _cell_error(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def run(text: str) -> Any:
        try:
            return convert(text)
        except c.CellError as error:
            raise _Fault(error.message) from None
    return run


_id_number = _cell_error(c.id_number)
_uscc = _cell_error(c.uscc)
_division = _cell_error(c.division_code)
_DATE_TEXT = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+\d+")
_MONTH_TEXT = re.compile(r"(\d{4})[-/](\d{1,2})|(\d{4})年(\d{1,2})月")


def _date(raw: Any, text: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    # YYYY-MM-DD, and YYYY/M/D as Excel writes a date back into a CSV it saved.
    match = _DATE_TEXT.fullmatch(text)
    if not match:
        raise _Fault(_NOT_DATE)
    try:
        return dt.date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        raise _Fault(_NO_SUCH_DATE) from None


def _month(raw: Any, text: str) -> dt.date:
    if isinstance(raw, dt.date):  # Excel turns a typed 2026-03 into a date
        return dt.date(raw.year, raw.month, 1)
    match = _MONTH_TEXT.fullmatch(text)
    if not match:
        raise _Fault(_MONTH_SHAPE)
    year, month = (match[1], match[2]) if match[1] else (match[3], match[4])
    if not 1 <= int(month) <= 12:
        raise _Fault(_NO_SUCH_MONTH)
    return dt.date(int(year), int(month), 1)


def _int(raw: Any, text: str) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise _Fault(_NON_NEGATIVE)
    if isinstance(raw, (int, float)) and raw < 0:
        raise _Fault(_NON_NEGATIVE)
    return _cell_error(c.non_negative_int)(text)


def _memoised(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``convert`` remembering its answers for the texts of one upload: an employer's code
    or a division repeats on thousands of rows, and checking one costs a check character."""
    memo: dict[str, tuple[bool, Any]] = {}

    def run(text: str) -> Any:
        known = memo.get(text)
        if known is None:
            try:
                known = (True, convert(text))
            except _Fault as fault:
                known = (False, fault.message)
            memo[text] = known
        if known[0]:
            return known[1]
        raise _Fault(known[1])

    return run


def _code(convert: Callable[[str], Any], as_number) -> Callable[[Any, str], Any]:
    convert = _memoised(convert)

    def run(raw: Any, text: str) -> Any:
        # A code typed into a number cell: an integer keeps its digits up to 15 of them, a
        # float has lost the last ones (an 18-digit ID number).
        # In a CSV that Excel saved again, the same number is written as it was shown.
        if isinstance(raw, float) and (not raw.is_integer() or abs(raw) >= 1e15) \
                or _SCIENTIFIC.fullmatch(text):
            raise _Fault(as_number)
        return convert(text)

    return run


def _converter(spec: ChannelSpec, field: Field) -> Callable[[Any, str], Any]:
    """The converter of one column for one upload (it may remember the texts it saw)."""
    kind = field.kind
    if kind == "text":
        text = _cell_error(c.text(_TEXT_MAX.get(field.key, _TEXT_MAX_DEFAULT)))
        return lambda raw, value: text(value)
    if kind == "id_number":
        return _code(_id_number, _ID_AS_NUMBER)
    if kind == "uscc":
        return _code(_uscc, _CODE_AS_NUMBER)
    if kind == "division":
        return _code(_division, _CODE_AS_NUMBER)
    if kind == "date":
        return _date
    if kind == "month":
        return _month
    if kind == "int":
        return _int
    # choice: the Chinese label as the template lists it, or the code itself.
    by_text = {label: code for code, label in field.choices}
    by_text.update({code.lower(): code for code, _label in field.choices})
    # The interchange's message, listing the labels.
    message = _l("取值应为 %(listing)s 之一",
                 listing="/".join(label for _code, label in field.choices))

    def choice(raw: Any, value: str) -> str:
        code = by_text.get(unquote_formula(value)) or by_text.get(value.lower())
        if code is None:
            raise _Fault(message)
        return code

    return choice


# --- reading -----------------------------------------------------------------------------

class _Unreadable(Exception):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Unreadable(_XLSX_AS_CSV)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _Unreadable(_ENCODING) from None
    if b"\0" in data:  # UTF-16 without a mark, or a binary file
        raise _Unreadable(_NOT_TEXT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a Chinese Windows saves "CSV (comma delimited)" in GB18030 (GBK).
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _Unreadable(_ENCODING) from None


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    text = _decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # Strict: an unclosed quote would otherwise swallow the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # The record's number, as a spreadsheet numbers the rows of a CSV it opens.
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, tuple(record)
    except csv.Error:
        raise _Unreadable(_l("CSV格式有误（第%(line)s行附近），请检查引号是否成对",
                              line=number + 1)) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Unreadable(_OLD_EXCEL)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The template's data sheet, or the first (a bad-rows file, a partner's own export).
        sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
    except Exception:  # openpyxl raises many types (zipfile, KeyError, XML) for a non-XLSX
        raise _Unreadable(_NOT_XLSX) from None
    try:
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet inside a valid ZIP
                raise _Unreadable(_NOT_XLSX) from None
            number += 1
            yield number, values
    finally:
        book.close()


def _check_zip(data: bytes) -> None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Unreadable(_OLD_EXCEL)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _Unreadable(_NOT_XLSX) from None
    if unpacked > MAX_UNPACKED:
        raise _Unreadable(_l("工作簿解压后超过%(mb)s MB，请分批上传", mb=MAX_UNPACKED >> 20))


def _records(filename: str, data: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    name = filename.lower().strip()
    if name.endswith(".csv"):
        return _csv_rows(data)
    if name.endswith(".xlsx"):
        _check_zip(data)
        return _xlsx_rows(data)
    if name.endswith(".xls"):
        raise _Unreadable(_OLD_EXCEL)
    raise _Unreadable(_NOT_CSV_OR_XLSX)


def _header_name(raw: Any) -> str:
    text = unquote_formula(_as_text(raw)).lstrip("\ufeff").strip()
    return text.rstrip("*＊").strip()


def _listing(names: list[str], most: int = 8) -> str:
    """Column names for a message: a binary file read as text has thousands of long ones."""
    shown = [name if len(name) <= 30 else name[:30] + "…" for name in names[:most]]
    if len(names) > most:
        shown.append(str(_l("等%(n)s列", n=len(names))))
    return "、".join(shown)


def _match_header(spec: ChannelSpec, header: tuple[Any, ...]
                  ) -> tuple[list[tuple[int, Field]], list[SheetFault]]:
    """The columns' fields by position, or whole-file faults."""
    by_name: dict[str, Field] = {}
    for field in spec.fields:
        by_name[field.header] = field
        by_name[field.key] = field
    found: list[tuple[int, Field]] = []
    seen: dict[str, str] = {}
    unknown, repeated = [], []
    for position, raw in enumerate(header):
        name = _header_name(raw)
        if not name or name == ERRORS_HEADER:
            continue
        field = by_name.get(name)
        if field is None:
            unknown.append(name)
        elif field.key in seen:
            repeated.append(name)
        else:
            seen[field.key] = name
            found.append((position, field))
    faults = []
    if unknown:
        names = _listing(unknown)
        faults.append(SheetFault(0, None, names, str(_l(
            "无法识别的列：%(columns)s（请使用下载的模板的列名）", columns=names))))
    if repeated:
        names = _listing(repeated)
        faults.append(SheetFault(0, None, names, str(_l("列名重复：%(columns)s", columns=names))))
    missing = [f.header for f in spec.fields if f.required and f.key not in seen]
    if missing:
        faults.append(SheetFault(0, None, "", str(_l("缺少必填列：%(columns)s",
                                                      columns="、".join(missing)))))
    return found, faults


def read_upload(spec: ChannelSpec, filename: str, data: bytes
                ) -> tuple[list[SheetRow], list[SheetFault]]:
    """The rows of an uploaded CSV or XLSX file of ``spec``'s channel, and every fault.

    The format comes from the name (.csv, .xlsx) and is checked against the content. A CSV
    is UTF-8 (with or without a BOM), GB18030 or UTF-16 with a BOM. The first non-blank row
    is the header: columns by Chinese header or key, in any order; the bad-rows file's
    '错误说明' column is skipped. Rows are every non-blank row after it, bad ones included
    (their bad cells' values are None). Whole-file faults (line 0) come with no rows.
    """
    try:
        # openpyxl warns of what it does not support (extensions that WPS and Excel add,
        # unknown styles): noise about a user's file, which is read all the same.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(spec, _records(filename, data))
    except _Unreadable as error:
        return [], [SheetFault(0, None, "", str(error.message))]


def _read(spec: ChannelSpec, records: Iterable[tuple[int, tuple[Any, ...]]]
          ) -> tuple[list[SheetRow], list[SheetFault]]:
    records = iter(records)
    for line, header in records:
        if any(_as_text(raw) for raw in header):
            break
    else:
        return [], [SheetFault(0, None, "", str(_NO_HEADER))]
    found, faults = _match_header(spec, header)
    if faults:
        return [], faults
    width = len(header)
    plan = [(position, field, _converter(spec, field)) for position, field in found]
    absent = [field for field in spec.fields if all(field is not f for _, f in found)]
    defaults = _defaults(spec)
    rows: list[SheetRow] = []
    for line, record in records:
        texts = [_as_text(raw) for raw in record]
        if not any(texts):
            continue
        if len(rows) == MAX_ROWS:
            return [], [SheetFault(0, None, "", str(_l("数据超过%(max)s行，请分批上传",
                                                       max=MAX_ROWS)))]
        cells: dict[str, str] = {}
        values: dict[str, Any] = {}
        for position, field, convert in plan:
            text = texts[position] if position < len(texts) else ""
            cells[field.key] = text
            if not text:
                values[field.key] = defaults[field.key]
                if field.required:
                    faults.append(SheetFault(line, field.key, "", str(_REQUIRED)))
                continue
            try:
                values[field.key] = convert(record[position], text)
            except _Fault as fault:
                values[field.key] = None
                faults.append(SheetFault(line, field.key, text, str(fault.message)))
        for field in absent:
            values[field.key] = defaults[field.key]
        for key, source in DEFAULT_FROM.items():
            if key in values and values[key] is None and not cells.get(key):
                values[key] = values.get(source)
        if any(texts[width:]):
            faults.append(SheetFault(line, None, "", str(_EXTRA_CELLS)))
        rows.append(SheetRow(line, cells, values))
    if not rows:
        faults.append(SheetFault(0, None, "", str(_NO_ROWS)))
    return rows, faults


def _defaults(spec: ChannelSpec) -> dict[str, Any]:
    """Each field's value for a blank cell: its default converted like a cell, or None."""
    out = {}
    for field in spec.fields:
        if field.default is None:
            out[field.key] = None
        else:
            out[field.key] = _converter(spec, field)(field.default, field.default)
    return out


# --- the bad rows ------------------------------------------------------------------------

def _text_cell(sheet, value: Any, *, font: Font | None = None,
               fill: PatternFill | None = None, comment: str | None = None) -> Any:
    """``value`` as a text cell that is never a formula or an error code, whatever the
    upload held. A plain string where openpyxl would store it as text anyway (most cells:
    a styled cell costs several times more to write)."""
    text = spreadsheet_cell(str(value)) if value else None
    if font is None and fill is None and not comment and (
            text is None or (not text.startswith("=") and text not in ERROR_CODES)):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    if text is not None:
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if comment:
        cell.comment = Comment(spreadsheet_cell(comment), _AUTHOR, width=240, height=80)
    return cell


def bad_rows_xlsx(spec: ChannelSpec, rows: list[SheetRow], faults: list[SheetFault]) -> bytes:
    """The rows that have faults, in file order, under the template's headers: each bad cell
    filled red with a comment holding its message(s) (the first MAX_COMMENTS cells), and a
    last column '错误说明' listing every message of the row with its line in the upload.
    Whole-file faults, if any, on a second sheet '文件错误'. Corrected, the file can be
    uploaded again as it is ('错误说明' is skipped on reading)."""
    by_line: dict[int, list[SheetFault]] = {}
    file_faults = []
    for fault in faults:
        if fault.line == 0:
            file_faults.append(fault)
        else:
            by_line.setdefault(fault.line, []).append(fault)
    cells_by_line = {row.line: row.cells for row in rows if row.line in by_line}
    headers = {f.key: f.header for f in spec.fields}

    book = Workbook(write_only=True)
    sheet = book.create_sheet(BAD_ROWS_SHEET)
    sheet.freeze_panes = "A2"
    for index, field in enumerate(spec.fields, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(field.header) + 4)
    sheet.column_dimensions[get_column_letter(len(spec.fields) + 1)].width = 60
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, f.header, font=bold) for f in spec.fields]
                 + [_text_cell(sheet, ERRORS_HEADER, font=bold)])
    comments = MAX_COMMENTS
    for line in sorted(by_line):
        row_faults = by_line[line]
        cells = cells_by_line.get(line, {})
        messages: dict[str | None, list[str]] = {}
        for fault in row_faults:
            messages.setdefault(fault.key, []).append(fault.message)
        out = []
        for field in spec.fields:
            bad = messages.get(field.key)
            if bad:
                out.append(_text_cell(sheet, cells.get(field.key, ""), fill=_BAD_FILL,
                                      font=_BAD_FONT,
                                      comment="；".join(bad) if comments > 0 else None))
                comments -= 1
            else:
                out.append(_text_cell(sheet, cells.get(field.key, "")))
        described = []
        for fault in row_faults:
            where = headers.get(fault.key) if fault.key else None
            described.append(f"{where}：{fault.message}" if where else fault.message)
        out.append(_text_cell(sheet, _("第%(line)s行：%(faults)s", line=line,
                                        faults="；".join(described))))
        sheet.append(out)
    if file_faults:
        extra = book.create_sheet(FILE_FAULTS_SHEET)
        extra.column_dimensions["A"].width = 80
        extra.column_dimensions["B"].width = 30
        extra.append([_text_cell(extra, ERRORS_HEADER, font=bold),
                      _text_cell(extra, _("内容"), font=bold)])
        for fault in file_faults:
            extra.append([_text_cell(extra, fault.message), _text_cell(extra, fault.value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
