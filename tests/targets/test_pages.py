"""Targets and reported figures on the web and by XLSX; what the division page, the
reconciliation page and the PDF tables show."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.reports.context import DivisionRef, build_table
from field_app.reports.models import ReportKind
from field_app.indicators import Policy
from field_app.targets.models import AnnualTarget, ReportedFigure

BANNER, TOWN_A, TOWN_B = "152201000000", "152201001000", "152201100000"
OTHER_BANNER = "152202000000"
TODAY = dt.datetime(2026, 9, 30, 10, 0)


@pytest.fixture(autouse=True)
def _today():
    clock.set(TODAY)


def _targets() -> dict:
    return {(t.division_code, t.indicator): t.value for t in db.session.scalars(select(AnnualTarget))}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _xlsx(rows, headers) -> bytes:
    book = Workbook()
    book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- annual targets -----------------------------------------------------------------------

def test_a_county_statistician_sets_its_townships_targets(client, login_as):
    login_as("county_statistician")
    page = client.get("/targets/annual?year=2026&indicator=rural_transfer")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "都林街道" in text and "义勒力特镇" in text
    response = client.post("/targets/annual?year=2026&indicator=rural_transfer",
                           data={TOWN_A: "1,200", TOWN_B: ""})
    assert response.status_code == 302
    assert _targets() == {(TOWN_A, "rural_transfer"): Decimal("1200")}
    # Blank removes it again.
    client.post("/targets/annual?year=2026&indicator=rural_transfer", data={TOWN_A: ""})
    assert _targets() == {}


def test_a_bad_target_saves_nothing_and_says_which(client, login_as):
    login_as("county_statistician")
    response = client.post("/targets/annual?year=2026&indicator=rural_transfer",
                           data={TOWN_A: "1200", TOWN_B: "十二"})
    assert response.status_code == 422
    assert "不是数字" in response.get_data(as_text=True)
    assert _targets() == {}


def test_a_division_not_directly_below_cannot_be_given_a_target(client, login_as, make):
    login_as("league_statistician")  # sets the counties' targets, not the townships'
    response = client.post("/targets/annual?year=2026&indicator=rural_transfer",
                           data={BANNER: "5000", TOWN_A: "100"})
    assert response.status_code in (302, 404)
    assert (TOWN_A, "rural_transfer") not in _targets()


def test_the_target_template_round_trips(client, login_as):
    login_as("county_statistician")
    response = client.get("/targets/annual/template.xlsx?year=2026")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["区划代码", "区划名称", "年度", "指标", "目标值"]
    assert sheet.data_validations.dataValidation  # the indicator drop-down
    assert book["说明"]["A3"].value == "152201100000"  # the example row, not imported
    assert book["指标"].sheet_state == "hidden"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == {TOWN_A, TOWN_B}
    sheet.cell(row=2, column=5, value=800)
    sheet.cell(row=3, column=5, value="1,000")
    filled = io.BytesIO()
    book.save(filled)
    answer = client.post("/targets/annual/import",
                         data={"file": (io.BytesIO(filled.getvalue()), "targets.xlsx")})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    first, second = rows[0], rows[1]
    key = {name: k for k, name in __import__("field_app.indicators.labels", fromlist=["x"]).INDICATOR_NAMES.items()}
    assert _targets() == {(first[0], key[first[3]]): Decimal("800"),
                          (second[0], key[second[3]]): Decimal("1000")}
    # Downloaded again, the template shows them.
    again = load_workbook(io.BytesIO(client.get("/targets/annual/template.xlsx?year=2026").data))
    assert list(again.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True))[0][4] == 800


def test_a_bad_upload_writes_nothing_and_names_every_bad_row(client, login_as):
    login_as("county_statistician")
    headers = ["区划代码", "区划名称", "年度", "指标", "目标值"]
    data = _xlsx([
        [TOWN_A, "都林街道", 2026, "农村牧区劳动力转移就业人数", 500],  # good
        [OTHER_BANNER, "阿尔山市", 2026, "农村牧区劳动力转移就业人数", 500],  # not below
        [TOWN_B, "义勒力特镇", 2026, "期末从业人员总数", 500],  # no target for it
        [TOWN_B, "义勒力特镇", "明年", "城镇新增就业人数", -3],  # two faults
    ], headers)
    response = client.post("/targets/annual/import", data={"file": (io.BytesIO(data), "t.xlsx")})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for line in ("第3行", "第4行", "第5行"):
        assert line in text
    assert "第2行" not in text
    assert "有 4 处错误，未导入任何数据" in text
    assert _count(AnnualTarget) == 0


def test_a_file_that_is_not_the_template_is_refused_clearly(client, login_as):
    login_as("county_statistician")
    response = client.post("/targets/annual/import",
                           data={"file": (io.BytesIO(b"not a workbook"), "t.xlsx")})
    assert response.status_code == 422
    assert "不是XLSX工作簿" in response.get_data(as_text=True)
    wrong = _xlsx([["x"]], ["甲", "乙"])
    response = client.post("/targets/annual/import", data={"file": (io.BytesIO(wrong), "t.xlsx")})
    assert response.status_code == 422
    assert "缺少列" in response.get_data(as_text=True)


def test_exported_text_cannot_carry_a_formula(client, login_as, make):
    make.division("152201002000", "=HYPERLINK(\"http://x\")", BANNER)
    db.session.commit()
    login_as("county_statistician")
    book = load_workbook(io.BytesIO(client.get("/targets/annual/template.xlsx?year=2026").data))
    names = [r[1] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)


# --- reported figures and the reconciliation ------------------------------------------------

def _reconcile_setup(make, login_as, role="county_statistician"):
    for _ in range(100):
        make.employment(make.person(), dt.date(2026, 3, 1), division="152201001001")
    db.session.commit()
    login_as(role)


def test_reported_figures_are_reconciled_with_the_flag_beyond_five_percent(client, make,
                                                                           login_as):
    _reconcile_setup(make, login_as)
    response = client.post(f"/targets/reported/{BANNER}?period=2026-01..2026-09",
                           data={"new_employment_gross": "105", "urban_new_employment": "106",
                                 "rural_transfer": "", "note": "纸质报表"})
    assert response.status_code == 302
    assert "/targets/reconciliation/" in response.headers["Location"]
    page = client.get(f"/targets/reconciliation/{BANNER}?period=2026-01..2026-09")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "5.00%" in text and "6.00%" in text
    assert "共 2 项，其中 1 项超出±5%" in text
    assert "纸质报表" in text
    # Each row opens the explanation of its figure for the period.
    assert f"/divisions/{BANNER}/explain/new_employment_gross?period=2026-01..2026-09" in text
    stored = {f.indicator: f.value for f in db.session.scalars(select(ReportedFigure))}
    assert stored == {"new_employment_gross": 105, "urban_new_employment": 106}


def test_a_bad_reported_figure_saves_nothing(client, make, login_as):
    _reconcile_setup(make, login_as)
    response = client.post(f"/targets/reported/{BANNER}?period=2026-01..2026-09",
                           data={"new_employment_gross": "105",
                                 "registered_unemployment_rate": "3.255"})
    assert response.status_code == 422
    assert "最多两位小数" in response.get_data(as_text=True)
    assert _count(ReportedFigure) == 0


def test_reported_figures_import_from_their_template(client, make, login_as):
    _reconcile_setup(make, login_as)
    template = client.get(f"/targets/reported/{BANNER}/template.xlsx?period=2026-01..2026-09")
    book = load_workbook(io.BytesIO(template.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["区划代码", "区划名称", "期间", "指标", "报表数", "说明"]
    assert sheet.cell(row=2, column=3).value == "2026-01..2026-09"
    sheet.cell(row=2, column=5, value=100)  # the banner's first indicator: 城镇累计新就业人数
    out = io.BytesIO()
    book.save(out)
    response = client.post("/targets/reported/import",
                           data={"file": (io.BytesIO(out.getvalue()), "r.xlsx")})
    assert response.status_code == 200, response.get_data(as_text=True)
    figure = db.session.scalar(select(ReportedFigure))
    assert (figure.division_code, figure.indicator, figure.value, figure.source) == (
        BANNER, "new_employment_gross", 100, "import")


def test_outside_the_jurisdiction_is_404(client, make, login_as):
    _reconcile_setup(make, login_as)
    for url in (f"/targets/reported/{OTHER_BANNER}", f"/targets/reconciliation/{OTHER_BANNER}",
                f"/targets/reported/{OTHER_BANNER}/template.xlsx", "/targets/reported/abc"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/targets/reported/{OTHER_BANNER}",
                           data={"new_employment_gross": "1"})
    assert response.status_code == 404
    headers = ["区划代码", "区划名称", "期间", "指标", "报表数", "说明"]
    data = _xlsx([[OTHER_BANNER, "", "2026-09", "城镇累计新就业人数", 5, ""]], headers)
    response = client.post("/targets/reported/import", data={"file": (io.BytesIO(data), "r.xlsx")})
    assert response.status_code == 422
    assert "不是您辖区内的区划代码" in response.get_data(as_text=True)
    assert "阿尔山市" not in response.get_data(as_text=True)
    assert _count(ReportedFigure) == 0


# --- the division page and the PDF tables ---------------------------------------------------

def _figures_everywhere(make):
    for _ in range(90):
        make.employment(make.person(), dt.date(2026, 3, 1), division="152201001001")
    make.employed_total(BANNER, dt.date(2026, 9, 30), 10000)
    make.employed_total(TOWN_A, dt.date(2026, 9, 30), 4000)
    make.employed_total(TOWN_B, dt.date(2026, 9, 30), 6000)
    db.session.add_all([
        AnnualTarget(division_code=BANNER, year=2026, indicator="urban_new_employment",
                     value=Decimal(120)),
        AnnualTarget(division_code=TOWN_A, year=2026, indicator="urban_new_employment",
                     value=Decimal(100)),
        ReportedFigure(division_code=BANNER, period_start=dt.date(2026, 1, 1),
                       period_end=dt.date(2026, 9, 30), indicator="new_employment_gross",
                       value=Decimal(100), source="web"),
    ])
    person = make.rural_person(village="152201100201")
    make.spell(person, dt.date(2026, 2, 1))
    db.session.commit()


def test_the_division_page_shows_targets_reconciliation_coverage_and_as_of(client, make,
                                                                           login_as):
    _figures_everywhere(make)
    login_as("county_statistician")
    text = client.get(f"/divisions/{BANNER}").get_data(as_text=True)
    assert "截至 2026-09-30" in text
    assert "2026年度目标任务" in text and "75.00%" in text  # 90 of 120
    assert "序时进度 <b>74.79%</b>" in text
    assert "11.11%" in text  # |100 - 90| / 90: beyond ±5%
    assert "以上数字涉及调查户 1 户，其中 0 户已审核，占 0.0%" in text


def test_a_sum_of_the_children_is_named_so(client, make, login_as):
    make.employed_total(TOWN_A, dt.date(2026, 9, 30), 4000)
    make.employed_total(TOWN_B, dt.date(2026, 9, 30), 6000)
    db.session.commit()
    login_as("county_statistician")
    assert "下级合计" in client.get(f"/divisions/{BANNER}").get_data(as_text=True)


def test_the_pdf_table_carries_targets_reconciliation_and_as_of(make, app_ctx):
    _figures_everywhere(make)
    division = DivisionRef(BANNER, "乌兰浩特市", 3)
    table = build_table(db.session.connection(), ReportKind.URBAN, division,
                        dt.date(2026, 1, 1), dt.date(2026, 9, 30), Policy())
    assert table.as_of == {BANNER: "2026-09-30", TOWN_A: "2026-09-30", TOWN_B: "2026-09-30"}
    assert table.targets[BANNER]["urban_new_employment"]["completion"] == "75.00"
    assert table.targets[TOWN_A]["urban_new_employment"]["figure"] == 90
    assert table.time_progress == "74.79"
    assert table.reconciliation == [{"code": BANNER, "name": "乌兰浩特市",
                                     "indicator": "new_employment_gross", "reported": "100",
                                     "system": "90", "deviation": "11.11", "flagged": True}]
    assert table.content()["reconciliation"] == table.reconciliation
    rural = build_table(db.session.connection(), ReportKind.RURAL, division,
                        dt.date(2026, 1, 1), dt.date(2026, 9, 30), Policy())
    assert rural.coverage == {"households": 1, "approved": 0, "share": "0.0", "basis": "synced"}
    assert rural.as_of is None


def test_the_printed_pdf_shows_them(client, make, login_as, tmp_path):
    _figures_everywhere(make)
    login_as("county_statistician")
    response = client.post("/reports/", data={"kind": "urban", "division": BANNER,
                                              "period": "2026-01..2026-09"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    import subprocess
    pdf = tmp_path / "urban.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "截至 2026-09-30" in text
    assert "年度目标任务完成情况" in text and "74.79%" in text
    assert "与报表数核对" in text and "11.11%" in text
