"""The three reports of hinggan-small, read back from the PDFs: the engine's figures in
every row, totals equal to the engine's figure for the division, masked ID numbers, the
signature fields, page numbers, repeated heads and an embedded CJK font."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from field_app.core.identifiers import mask_id_number
from field_app.core.codes import Level
from field_app.exchange.importer import import_dataset
from field_app.extensions import db
from field_app.households.models import Household, HouseholdMember, Person
from field_app.indicators import compute_indicators
from field_app.reports.context import RURAL_COLUMNS, URBAN_COLUMNS
from field_app.reports.documents import figure
from field_app.indicators.policy import Policy
from field_app.reports.operations import generate_report
from tests.conftest import empty_database
from tests.paths import EXAMPLES, ROOT
from tests.reports.conftest import page_count, pdf_fonts, pdf_text

LEAGUE = "152200000000"
VILLAGE = "152224001001"  # the village of hinggan-small with the most households
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
TABLE_SIGNATURES = ["单位负责人：", "分管领导（签字）：", "审核人：", "填表人：", "报出日期：",
                    "（单位公章）"]


@pytest.fixture(scope="module")
def printed(app):
    """Import hinggan-small, print every report once, note what the engine says, and leave
    the database empty again (the PDFs and figures are kept in memory)."""
    with app.app_context():
        result = import_dataset(db.session.connection(), EXAMPLES / "hinggan-small")
        assert result.ok, result.errors[:3]
        db.session.commit()
        connection = db.session.connection()

        def engine(code):
            return compute_indicators(connection, code, START, END)

        def make(kind, code, **kwargs):
            report, pdf = generate_report(db.session, kind=kind, division_code=code,
                                          start=START, end=END, actor=None, **kwargs)
            return SimpleNamespace(number=report.number, figures=report.figures), pdf

        data = {
            "rural": make("rural", LEAGUE),
            "urban": make("urban", LEAGUE),
            "villages": make("rural", LEAGUE, row_level=Level.VILLAGE),
            "roster": make("roster", VILLAGE),
            "reform": make("urban", LEAGUE, policy=Policy.named("reform-2025")),
        }
        codes = {row["code"] for key, (report, _pdf) in data.items() if "rows" in report.figures
                 and key != "reform"
                 for row in report.figures["rows"]} | {LEAGUE, VILLAGE}
        data["engine"] = {code: engine(code) for code in codes}
        data["people"] = db.session.execute(
            select(Person.name, Person.id_number)
            .join(HouseholdMember, HouseholdMember.person_id == Person.id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .where(Household.village_code == VILLAGE)).all()
        db.session.commit()
        empty_database()
    return data


def _cells_after(text: str, code: str) -> list[str]:
    line = next(line for line in text.splitlines() if code in line)
    return line.split(code, 1)[1].split()


@pytest.mark.parametrize("kind, columns", [("rural", RURAL_COLUMNS), ("urban", URBAN_COLUMNS)])
def test_each_child_row_shows_the_engines_figures(printed, kind, columns):
    report, pdf = printed[kind]
    text = pdf_text(pdf)
    rows = report.figures["rows"]
    assert len(rows) == 6  # the league's banners
    for row in rows:
        expected = [figure(printed["engine"][row["code"]][key]) for key in columns]
        assert row["name"] in text
        assert _cells_after(text, row["code"]) == expected, row["name"]


@pytest.mark.parametrize("kind, columns", [("rural", RURAL_COLUMNS), ("urban", URBAN_COLUMNS)])
def test_the_total_row_is_the_engines_figure_for_the_division(printed, kind, columns):
    _, pdf = printed[kind]
    total = next(line for line in pdf_text(pdf).splitlines() if line.strip().startswith("合计"))
    expected = [figure(printed["engine"][LEAGUE][key]) for key in columns]
    assert total.split(LEAGUE, 1)[1].split() == expected


def test_league_table_by_village_lists_every_village_with_its_figures(printed):
    report, pdf = printed["villages"]
    text = pdf_text(pdf)
    assert len(report.figures["rows"]) == 48  # every village of the league, not Hohhot's
    for row in report.figures["rows"]:
        expected = [figure(printed["engine"][row["code"]][key]) for key in RURAL_COLUMNS]
        assert _cells_after(text, row["code"]) == expected


def test_tables_have_title_unit_period_number_units_and_signature_fields(printed):
    for kind, title in (("rural", "农村牧区劳动力转移就业情况表"), ("urban", "城镇就业和失业情况表")):
        report, pdf = printed[kind]
        text = pdf_text(pdf)
        for expected in (title, "填报单位：兴安盟", "报告期：2026年1-6月", "表号：", "制定机关：",
                         "批准文号：", "有效期至：", report.number, *TABLE_SIGNATURES):
            assert expected in text, (kind, expected)
        assert re.search(r"计量单位：\s*人", text), kind
        # The form block is the configured one: placeholders until the office supplies it.
        assert "表号待定（请在配置中填写）" in text and "兴人社就业统" not in text


def test_heads_repeat_and_pages_are_numbered_on_every_page(printed):
    _, pdf = printed["villages"]
    pages = page_count(pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(pdf, page, page)
        assert "单位名称" in text and "区划代码" in text, page
        assert re.search(rf"第\s*{page}\s*页\s*共\s*{pages}\s*页", text), page
    assert "（续表）" in pdf_text(pdf, 2, 2)


def test_roster_lists_every_member_with_masked_id_numbers_only(printed):
    report, pdf = printed["roster"]
    text = pdf_text(pdf)
    assert printed["people"], "the village has members"
    for name, number in printed["people"]:
        assert name in text
        assert mask_id_number(number) in text
        assert number not in text
    assert report.figures["members"] == len(printed["people"])


def test_roster_has_signature_column_and_lines_for_cadre_and_village_committee(printed):
    text = pdf_text(printed["roster"][1])
    for expected in ("入户调查花名册", "户主签字", "调查员（签字）：",
                     "村（嘎查）委员会负责人（签字）：", "（村委会盖章）"):
        assert expected in text


def test_roster_ticks_and_summary_agree_with_the_engine(printed):
    report, pdf = printed["roster"]
    engine = printed["engine"][VILLAGE]
    summary = report.figures["indicators"]
    assert summary == {key: engine[key] for key in RURAL_COLUMNS}
    grid = pdf_text(pdf).split("本村合计")[0]  # the notes below mention the tick too
    assert grid.count("✓") == (engine["rural_transfer"] + engine["new_generation_transfer"]
                               + engine["stable_transfer_180d"])


@pytest.mark.parametrize("kind", ["rural", "urban", "villages", "roster"])
def test_every_report_embeds_a_subset_cjk_font(printed, kind):
    fonts = pdf_fonts(printed[kind][1])
    cjk = [f for f in fonts if "CJK" in f["name"]]
    assert cjk, fonts
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert any(f["type"].startswith("CID") and f["uni"] == "yes" for f in cjk), fonts
    assert {"400", "700"} <= {"700" if "Bold" in f["name"] else "400" for f in cjk}


@pytest.fixture(scope="module")
def shipped_characters():
    from fontTools.ttLib import TTFont

    fonts = [TTFont(ROOT / "static" / "fonts" / f"NotoSansSC-Subset-{weight}.woff2")
             for weight in ("Regular", "Bold")]
    return [set(map(chr, font.getBestCmap())) for font in fonts]


def test_every_printed_character_is_in_both_shipped_faces(printed, shipped_characters):
    """No box or fallback glyph: the subset alone prints every report (the system font is
    only a fallback for rarer name characters)."""
    for kind in ("rural", "urban", "villages", "roster"):
        printed_characters = set(pdf_text(printed[kind][1])) - set(" \n\f")
        for face in shipped_characters:
            assert printed_characters <= face, printed_characters - face
        names = {f["name"].split("+", 1)[1] for f in pdf_fonts(printed[kind][1])}
        assert names <= {"Noto-Sans-CJK-SC-Subset", "Noto-Sans-CJK-SC-Subset-Bold"}, names


@pytest.mark.parametrize(("kind", "policy"), [("rural", "notice-2019"), ("urban", "notice-2019"),
                                              ("roster", "notice-2019"),
                                              ("reform", "reform-2025")])
def test_every_report_names_the_working_age_policy_it_counted_under(printed, kind, policy):
    report, pdf = printed[kind]
    text = pdf_text(pdf)
    assert report.figures["policy"] == policy
    assert "劳动年龄口径" in text and policy in text


def test_the_same_figures_under_another_policy_are_another_report(printed):
    assert printed["reform"][0].number != printed["urban"][0].number
