"""Channel files: the templates read back, every kind of bad cell and bad file reported on
the right line and column in Chinese, and the bad-rows workbook."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from field_app.channels import sheets
from field_app.channels.catalogue import CHANNELS, DEFAULT_FROM
from field_app.channels.models import Channel
from field_app.channels.sheets import (
    ERRORS_HEADER,
    SheetFault,
    bad_rows_xlsx,
    read_upload,
    template_csv,
    template_xlsx,
)

pytestmark = pytest.mark.usefixtures("app_ctx")

ALL = list(Channel)
MARKET = CHANNELS[Channel.MARKET]
STATS = CHANNELS[Channel.STATISTICS]
PAYEES = CHANNELS[Channel.SI_PAYEES]
ATTRITION = CHANNELS[Channel.SI_ATTRITION]
CIVIL = CHANNELS[Channel.CIVIL_SERVICE]
GOOD_ID = "152201198503151221"
OTHER_ID = "15220119900101001X"


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def example(spec, **changes) -> list[str]:
    return [changes.get(f.key, f.example) for f in spec.fields]


def headers(spec) -> list[str]:
    return [f.header for f in spec.fields]


def upload(spec, *rows, fmt="csv", head=None):
    data = [head or headers(spec), *rows]
    raw = csv_bytes(data) if fmt == "csv" else xlsx_bytes(data)
    return read_upload(spec, f"upload.{fmt}", raw)


def expected_values(spec) -> dict:
    """The example row converted by hand from the catalogue's texts."""
    out = {}
    for field in spec.fields:
        text = field.example or field.default
        if not text:
            out[field.key] = None
        elif field.kind == "date":
            out[field.key] = dt.date.fromisoformat(text)
        elif field.kind == "month":
            out[field.key] = dt.date.fromisoformat(text + "-01")
        elif field.kind == "int":
            out[field.key] = int(text)
        elif field.kind == "choice":
            out[field.key] = {label: code for code, label in field.choices}.get(text, text)
        else:
            out[field.key] = text
    for key, source in DEFAULT_FROM.items():
        if key in out and out[key] is None:
            out[key] = out[source]
    return out


# --- templates ---------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ALL)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_template_reads_back_as_its_example_row(channel, fmt):
    spec = CHANNELS[channel]
    data = template_csv(spec) if fmt == "csv" else template_xlsx(spec)
    rows, faults = read_upload(spec, f"模板.{fmt}", data)
    assert faults == []
    assert len(rows) == 1
    assert rows[0].line == 2
    assert rows[0].values == expected_values(spec)
    assert rows[0].cells == {f.key: f.example for f in spec.fields}


def test_the_csv_template_is_utf8_with_a_bom_and_chinese_headers():
    data = template_csv(MARKET)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == headers(MARKET)
    assert lines[1].split(",")[0] == GOOD_ID


def test_the_xlsx_template_has_lists_formats_a_frozen_header_and_a_help_sheet():
    book = load_workbook(io.BytesIO(template_xlsx(MARKET)))
    sheet, help_sheet = book.worksheets
    assert sheet.title == "数据" and help_sheet.title == "填写说明"
    assert [cell.value for cell in sheet[1]] == headers(MARKET)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    column = {f.key: index for index, f in enumerate(MARKET.fields)}
    head = sheet[1][column["id_number"]]
    assert "必填" in head.comment.text and "18位" in head.comment.text
    assert sheet[2][column["start_date"]].value == dt.datetime(2026, 3, 1)
    assert sheet[2][column["start_date"]].number_format == "yyyy-mm-dd"
    assert sheet[2][column["id_number"]].data_type == "s"
    assert sheet[2][column["id_number"]].number_format == "@"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists == {"C2": '"城镇,农村"', "J2": '"新成长劳动力,就业转失业,其他"'}
    described = {row[0]: row for row in help_sheet.iter_rows(min_row=6, values_only=True)}
    assert set(described) == set(headers(MARKET))
    assert described["户籍类型"][1] == "是" and described["户籍类型"][2] == "城镇、农村"
    assert described["人员类别"][1] == "否" and described["人员类别"][3] == "其他"
    assert described["登记日期"][3] == "同成立日期"


# --- cells -------------------------------------------------------------------------------

BAD_CELLS = [
    # (spec, key, value, part of the message)
    (MARKET, "id_number", GOOD_ID[:-1] + "2", "校验码"),
    (MARKET, "id_number", "15220119850315", "18位"),
    (ATTRITION, "id_number", "152201208502301239", "出生日期"),
    (MARKET, "id_number", "1.52201E+17", "文本格式"),  # a CSV Excel saved again
    (MARKET, "employer_uscc", "92152201MA0N123455", "统一社会信用代码校验码错误"),
    (MARKET, "employer_uscc", "92152201MA0N1234", "18位"),
    (CIVIL, "employer_uscc", "I2152200MB12345674", "18位"),
    (MARKET, "hukou", "城市", "城镇/农村"),
    (MARKET, "person_category", "下岗", "新成长劳动力/就业转失业/其他"),
    (CIVIL, "hire_kind", "参公", "公务员/事业单位人员"),
    (ATTRITION, "reason", "辞职", "退休/死亡/其他"),
    (MARKET, "start_date", "2026-02-30", "日期不存在"),
    (MARKET, "start_date", "2026.3.1", "日期格式应为YYYY-MM-DD"),
    (MARKET, "end_date", "明天", "日期格式应为YYYY-MM-DD"),
    (ATTRITION, "occurred_on", "20260331", "日期格式应为YYYY-MM-DD"),
    (PAYEES, "month", "2026-13", "月份应在01至12之间"),
    (PAYEES, "month", "2026-03-01", "月份格式应为YYYY-MM"),
    (STATS, "employed_total", "-5", "非负整数"),
    (STATS, "deduction", "3.5", "非负整数"),
    (STATS, "employed_total", "1000000000", "数值过大"),
    (STATS, "division_code", "15220100", "12位数字"),
    (MARKET, "name", "张\u202e三", "U+202E"),
    (MARKET, "employer_name", "店" * 201, "200"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("spec", "key", "value", "part"), BAD_CELLS,
                         ids=[f"{s.channel.value}-{k}-{v[:20]}" for s, k, v, _ in BAD_CELLS])
def test_a_bad_cell_is_a_chinese_fault_on_its_line_and_column(spec, key, value, part, fmt):
    good = example(spec)
    rows, faults = upload(spec, good, example(spec, **{key: value}), good, fmt=fmt)
    assert [(f.line, f.key, f.value) for f in faults] == [(3, key, value)]
    assert part in faults[0].message and chinese(faults[0].message)
    assert [row.line for row in rows] == [2, 3, 4]
    assert rows[1].values[key] is None and rows[1].cells[key] == value
    assert rows[0].values == rows[2].values == expected_values(spec)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("spec", [MARKET, ATTRITION, STATS, CIVIL, PAYEES],
                         ids=lambda s: s.channel.value)
def test_a_blank_required_cell_is_a_fault(spec, fmt):
    key = spec.fields[0].key
    rows, faults = upload(spec, example(spec, **{key: ""}), fmt=fmt)
    assert [(f.line, f.key, f.message) for f in faults] == [(2, key, "必填项为空")]


def test_a_uscc_of_registration_authority_y_is_valid():
    rows, faults = upload(MARKET, example(MARKET, employer_uscc="y1152201ma1234567m"))
    assert faults == []
    assert rows[0].values["employer_uscc"] == "Y1152201MA1234567M"


def test_blank_optional_cells_take_their_defaults():
    rows, faults = upload(MARKET, example(MARKET, registered_on="", person_category="",
                                          employer_name="", end_date=""))
    assert faults == []
    values = rows[0].values
    assert values["registered_on"] == values["start_date"] == dt.date(2026, 3, 1)
    assert values["person_category"] == "other"
    assert values["employer_name"] is None and values["end_date"] is None
    assert rows[0].cells["person_category"] == ""
    rows, faults = upload(STATS, example(STATS, deduction=""))
    assert faults == [] and rows[0].values["deduction"] == 0


def test_optional_columns_may_be_left_out_and_headers_come_in_any_order():
    keep = [f for f in reversed(MARKET.fields) if f.required]
    rows, faults = upload(MARKET, [f.example for f in keep], head=[f.header for f in keep])
    assert faults == []
    assert rows[0].values["registered_on"] == dt.date(2026, 3, 1)
    assert rows[0].values["person_category"] == "other"
    assert rows[0].values["employer_uscc"] == "92152201MA0N123454"


def test_headers_may_be_the_interchange_keys_and_choices_the_codes():
    rows, faults = upload(ATTRITION, example(ATTRITION, hukou="rural", reason="DEATH"),
                          head=[f.key for f in ATTRITION.fields])
    assert faults == []
    assert rows[0].values["hukou"] == "rural" and rows[0].values["reason"] == "death"


def test_dates_as_excel_writes_them_into_a_csv_are_read():
    rows, faults = upload(MARKET, example(MARKET, start_date="2026/3/1", end_date="2026/12/31"))
    assert faults == []
    assert rows[0].values["start_date"] == dt.date(2026, 3, 1)
    assert rows[0].values["end_date"] == dt.date(2026, 12, 31)


def test_typed_xlsx_cells_are_converted():
    row = example(STATS)
    row[0], row[1], row[2], row[3] = 152201000000, dt.datetime(2025, 12, 31), 7972, 145.0
    rows, faults = upload(STATS, row, fmt="xlsx")
    assert faults == []
    assert rows[0].values == expected_values(STATS)
    assert rows[0].cells == {"division_code": "152201000000", "as_of": "2025-12-31",
                             "employed_total": "7972", "deduction": "145"}
    payee = example(PAYEES)
    payee[4] = dt.datetime(2026, 3, 1)  # Excel makes a date of a typed 2026-03
    rows, faults = upload(PAYEES, payee, fmt="xlsx")
    assert faults == [] and rows[0].values["month"] == dt.date(2026, 3, 1)


def test_a_negative_number_cell_and_an_id_number_stored_as_a_number_are_faults():
    row = example(STATS)
    row[2] = -3
    rows, faults = upload(STATS, row, fmt="xlsx")
    assert [(f.line, f.key, f.message) for f in faults] == [(2, "employed_total", "应为非负整数")]
    person = example(ATTRITION)
    person[0] = float(GOOD_ID)
    rows, faults = upload(ATTRITION, person, fmt="xlsx")
    assert [(f.line, f.key) for f in faults] == [(2, "id_number")]
    assert "文本格式" in faults[0].message


def test_blank_rows_are_skipped_and_lines_are_the_files():
    good = example(MARKET)
    rows, faults = upload(MARKET, good, [""] * len(good), [], example(MARKET, hukou="?"))
    assert [row.line for row in rows] == [2, 5]
    assert [(f.line, f.key) for f in faults] == [(5, "hukou")]
    rows, faults = upload(MARKET, good, [None] * len(good), [], example(MARKET, hukou="?"),
                          fmt="xlsx")
    assert [row.line for row in rows] == [2, 5]
    assert [(f.line, f.key) for f in faults] == [(5, "hukou")]


def test_cells_beyond_the_header_are_a_row_fault():
    rows, faults = upload(STATS, example(STATS) + ["", "多余"])
    assert [(f.line, f.key) for f in faults] == [(2, None)]
    assert "多于表头" in faults[0].message


# --- whole files -------------------------------------------------------------------------

def file_faults(faults: list[SheetFault]) -> list[str]:
    assert all(f.line == 0 and f.key is None for f in faults)
    assert all(chinese(f.message) for f in faults)
    return [f.message for f in faults]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_missing_required_column_is_a_whole_file_fault_naming_it(fmt):
    head = [h for h in headers(ATTRITION) if h != "减员原因"]
    rows, faults = upload(ATTRITION, example(ATTRITION)[:-1], head=head, fmt=fmt)
    assert rows == []
    assert file_faults(faults) == ["缺少必填列：减员原因"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unknown_and_repeated_columns_are_whole_file_faults(fmt):
    rows, faults = upload(STATS, example(STATS) + ["x", "7"], fmt=fmt,
                          head=headers(STATS) + ["备注", "employed_total"])
    assert rows == []
    messages = file_faults(faults)
    assert len(messages) == 2
    assert "无法识别的列：备注" in messages[0]
    assert messages[1] == "列名重复：employed_total"


def test_required_marks_and_the_bad_rows_error_column_in_a_header_are_accepted():
    head = [h + "*" for h in headers(STATS)] + [ERRORS_HEADER]
    rows, faults = upload(STATS, example(STATS) + ["第2行：旧的说明"], head=head)
    assert faults == [] and len(rows) == 1


def test_a_gb18030_csv_reads():
    data = csv_bytes([headers(ATTRITION), example(ATTRITION, name="乌云其木格")],
                     encoding="gb18030")
    rows, faults = read_upload(ATTRITION, "减员.CSV", data)
    assert faults == []
    assert rows[0].values["name"] == "乌云其木格" and rows[0].values["hukou"] == "urban"


def test_a_utf16_tab_separated_file_from_excel_reads():
    text = "\r\n".join("\t".join(row) for row in [headers(STATS), example(STATS)])
    rows, faults = read_upload(STATS, "统计.csv", text.encode("utf-16"))
    assert faults == [] and rows[0].values == expected_values(STATS)


@pytest.mark.parametrize(("filename", "data", "part"), [
    ("upload.xlsx", os.urandom(4096), "XLSX"),
    ("upload.xlsx", b"PK\x03\x04" + os.urandom(2000), "XLSX"),
    ("upload.xlsx", b"", "XLSX"),
    ("upload.csv", b"PK\x03\x04" + os.urandom(200), ".xlsx"),
    ("upload.csv", b"\xd0\xcf\x11\xe0" + os.urandom(200), ".xlsx"),
    ("upload.xls", b"\xd0\xcf\x11\xe0" + os.urandom(200), ".xls"),
    ("upload.csv", "名\0字".encode("utf-16-le"), "CSV"),
    ("upload.csv", b"\xff" * 3 + b"\x81\x30", "编码"),
    ("upload.pdf", b"%PDF-1.4", "CSV或XLSX"),
    ("upload", b"a,b", "CSV或XLSX"),
    ("upload.csv", b"", "没有表头"),
    ("upload.csv", b"\xef\xbb\xbf\r\n,,\r\n", "没有表头"),
    ("upload.csv", '行政区划代码,"统计日期\n'.encode(), "引号"),
])
def test_a_file_that_cannot_be_read_is_one_whole_file_fault(filename, data, part):
    rows, faults = read_upload(STATS, filename, data)
    assert rows == []
    messages = file_faults(faults)
    assert len(messages) == 1 and part in messages[0], messages


def test_a_zip_that_is_not_a_workbook_is_one_fault():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    rows, faults = read_upload(STATS, "upload.xlsx", buffer.getvalue())
    assert rows == [] and len(file_faults(faults)) == 1


def test_a_header_without_rows_is_a_fault():
    rows, faults = upload(STATS)
    assert rows == [] and file_faults(faults) == ["文件中没有数据行"]


def test_more_rows_than_allowed_is_a_whole_file_fault(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    rows, faults = upload(STATS, *[example(STATS)] * 3)
    assert len(rows) == 3 and faults == []
    rows, faults = upload(STATS, *[example(STATS)] * 4, fmt="xlsx")
    assert rows == []
    assert file_faults(faults) == ["数据超过3行，请分批上传"]


# --- the bad rows ------------------------------------------------------------------------

FORMULA = "=HYPERLINK(\"http://x\",\"点我\")"


def bad_upload():
    good = example(MARKET)
    return upload(MARKET, good,
                  example(MARKET, id_number=GOOD_ID[:-1] + "2", name=FORMULA, hukou="城市"),
                  example(MARKET, id_number=OTHER_ID),
                  example(MARKET, start_date="2026-02-30", name="-2+3"))


def test_the_bad_rows_workbook_holds_only_the_bad_rows_with_their_cells_marked():
    rows, faults = bad_upload()
    assert [(f.line, f.key) for f in faults] == [(3, "id_number"), (3, "hukou"),
                                                 (5, "start_date")]
    book = load_workbook(io.BytesIO(bad_rows_xlsx(MARKET, rows, faults)))
    assert book.sheetnames == ["错误行"]
    sheet = book.active
    table = [[cell for cell in row] for row in sheet.iter_rows()]
    assert [c.value for c in table[0]] == headers(MARKET) + ["错误说明"]
    assert len(table) == 3  # the header and the two bad rows
    column = {f.key: index for index, f in enumerate(MARKET.fields)}
    first, second = table[1], table[2]
    assert first[column["id_number"]].value == GOOD_ID[:-1] + "2"
    marked = [f.key for f in MARKET.fields if first[column[f.key]].fill.fgColor.rgb == "00FFC7CE"]
    assert marked == ["id_number", "hukou"]
    assert first[column["id_number"]].comment.text == "身份证号码校验码错误"
    assert "城镇/农村" in first[column["hukou"]].comment.text
    assert first[column["name"]].comment is None
    # A formula-looking cell comes back as text, neutralised.
    assert first[column["name"]].value == "'" + FORMULA
    assert first[column["name"]].data_type == "s"
    assert second[column["name"]].value == "'-2+3"
    errors = first[-1].value
    assert errors.startswith("第3行：") and "公民身份号码：身份证号码校验码错误" in errors
    assert "户籍类型：" in errors
    assert second[-1].value.startswith("第5行：成立日期：日期不存在")
    assert sheet.freeze_panes == "A2"


def test_a_corrected_bad_rows_workbook_uploads_again():
    rows, faults = bad_upload()
    book = load_workbook(io.BytesIO(bad_rows_xlsx(MARKET, rows, faults)))
    sheet = book.active
    column = {f.key: index + 1 for index, f in enumerate(MARKET.fields)}
    sheet.cell(row=2, column=column["id_number"], value=GOOD_ID)
    sheet.cell(row=2, column=column["hukou"], value="农村")
    sheet.cell(row=3, column=column["start_date"], value="2026-02-28")
    buffer = io.BytesIO()
    book.save(buffer)
    rows, faults = read_upload(MARKET, "改正.xlsx", buffer.getvalue())
    assert faults == []
    assert [row.values["name"] for row in rows] == [FORMULA, "-2+3"]  # apostrophe removed
    assert rows[0].values["hukou"] == "rural"


def test_whole_file_faults_get_a_sheet_of_their_own():
    rows, faults = upload(STATS, example(STATS), head=headers(STATS)[:2])
    data = bad_rows_xlsx(STATS, rows, faults)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["错误行", "文件错误"]
    assert book["错误行"].max_row == 1
    values = list(book["文件错误"].iter_rows(values_only=True))
    assert values[0] == ("错误说明", "内容")
    assert values[1][0] == "缺少必填列：期末从业人员数"


def test_a_fault_on_a_line_without_a_row_still_appears():
    rows, faults = upload(STATS, example(STATS))
    faults = [SheetFault(2, "deduction", "145", "扣除人数大于期末从业人员数"),
              SheetFault(9, None, "", "=1+1")]
    sheet = load_workbook(io.BytesIO(bad_rows_xlsx(STATS, rows, faults))).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3
    assert values[1][3] == "145" and values[1][-1] == "第2行：扣除人数：扣除人数大于期末从业人员数"
    assert values[2][:4] == (None, None, None, None)
    assert values[2][-1] == "第9行：=1+1"


def test_past_the_comment_limit_bad_cells_are_still_filled(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_COMMENTS", 1)
    rows, faults = bad_upload()
    sheet = load_workbook(io.BytesIO(bad_rows_xlsx(MARKET, rows, faults))).active
    bad = [cell for row in sheet.iter_rows(min_row=2) for cell in row
           if cell.fill.fgColor.rgb == "00FFC7CE"]
    assert len(bad) == 3
    assert [cell.comment is not None for cell in bad] == [True, False, False]


def test_a_workbook_that_unpacks_too_large_is_refused_unread(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 1 << 20)
    book = load_workbook(io.BytesIO(template_xlsx(STATS)))
    for row in range(3, 103):  # 3 MB of sheet XML, a few kB packed
        book.active.cell(row=row, column=5, value="0" * 30_000)
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 100_000
    rows, faults = read_upload(STATS, "统计.xlsx", buffer.getvalue())
    assert rows == [] and file_faults(faults) == ["工作簿解压后超过1 MB，请分批上传"]


def test_the_data_sheet_is_read_wherever_it_stands():
    book = load_workbook(io.BytesIO(template_xlsx(STATS)))
    book.move_sheet("数据", offset=1)  # now after 填写说明
    book["数据"].append(example(STATS, as_of="2026-03-31"))
    buffer = io.BytesIO()
    book.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue())).sheetnames == ["填写说明", "数据"]
    rows, faults = read_upload(STATS, "统计.xlsx", buffer.getvalue())
    assert faults == [] and [row.values["as_of"] for row in rows] == [
        dt.date(2025, 12, 31), dt.date(2026, 3, 31)]


def test_a_binary_file_named_csv_gets_a_short_message():
    head = [f"列{n}" * 20 for n in range(50)]
    rows, faults = upload(STATS, ["1"] * 50, head=head)
    messages = file_faults(faults)
    assert len(messages) == 2  # unknown columns, and the required ones missing
    assert len(messages[0]) < 400 and "等50列" in messages[0] and "…" in messages[0]
