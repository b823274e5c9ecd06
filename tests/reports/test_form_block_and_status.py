"""Issue 15 (4): the configured form block (表号, 制定机关, 批准文号, 有效期至) instead of
invented table numbers, and each household's survey and review status on the roster."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from field_app.accounts.roles import Role
from field_app.config import REPORT_FORM_PLACEHOLDERS
from field_app.extensions import db
from field_app.indicators import Policy
from field_app.reporting.freeze import freeze_dataclass, roster_from
from field_app.reports import labels
from field_app.reports.context import DivisionRef
from field_app.reports.roster import build_roster
from field_app.review.operations import approve_household
from field_app.surveys.operations import confirm_household, submit_household
from tests.indicators.support import GACHA
from tests.reports.conftest import pdf_text

A, B = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
VILLAGE = DivisionRef(GACHA, "葛根庙嘎查", 5)
STATUS_WORDS = ("未调查", "已录入", "已提交", "已退回", "已审核", "未记录")
FORMS = {"rural": {"number": "兴人社统A01表", "authority": "兴安盟人力资源和社会保障局",
                   "approval": "兴统制〔2026〕7号", "valid_until": "2028年12月"}}


def _household(make, name):
    household = make.household(GACHA)
    make.member(make.person(dt.date(1980, 3, 1), name=name), household)
    return household


@pytest.fixture
def surveyed(make):
    """Three households of the village in the 2024 round: one approved by the township,
    one entered by the cadre, one not surveyed."""
    approved, entered, untouched = (_household(make, name) for name in ("甲户主", "乙户主", "丙户主"))
    make.survey_round("152201000000", 2024)
    collector = make.user(Role.VILLAGE_COLLECTOR, GACHA)
    reviewer = make.user(Role.TOWNSHIP_REVIEWER, "152201100000")
    for household in (approved, entered):
        confirm_household(db.session, household, actor=collector)
    survey = submit_household(db.session, approved, actor=collector)
    approve_household(db.session, survey, actor=reviewer)
    db.session.flush()
    return approved, entered, untouched


def test_roster_carries_each_households_status_in_the_latest_round(surveyed):
    approved, entered, untouched = surveyed
    roster = build_roster(db.session.connection(), VILLAGE, A, B, Policy())
    by_code = {h.code: h for h in roster.households}
    assert by_code[approved.code].status == "approved"
    assert by_code[approved.code].reviewed_on is not None
    assert (by_code[entered.code].status, by_code[entered.code].reviewed_on) == ("entered", None)
    assert (by_code[untouched.code].status, by_code[untouched.code].reviewed_on) == (
        "not_surveyed", None)
    assert roster.round_year == 2024
    assert roster.status_counts() == {"not_surveyed": 1, "entered": 1, "approved": 1}


def test_roster_before_any_round_says_not_surveyed(make):
    household = _household(make, "丁户主")
    make.survey_round("152201000000", 2025)  # a later round: not the roster's year
    roster = build_roster(db.session.connection(), VILLAGE, A, B, Policy())
    (only,) = roster.households
    assert (only.code, only.status, roster.round_year) == (household.code, "not_surveyed", None)


def test_printed_roster_marks_only_the_approved_household_approved(surveyed, generate):
    approved, entered, untouched = surveyed
    assert approved.code < entered.code < untouched.code
    _, pdf = generate("roster", GACHA, A, B)
    grid = pdf_text(pdf).split("本村合计")[0]  # households in code order
    assert re.findall("|".join(STATUS_WORDS), grid) == ["已审核", "已录入", "未调查"]
    text = pdf_text(pdf)
    assert "调查审核" in grid  # the column head (wrapped in two lines)
    assert "未调查 1 户" in text and "已审核 1 户" in text


def test_a_roster_frozen_before_statuses_thaws_and_prints_as_unrecorded(surveyed, app_ctx):
    roster = build_roster(db.session.connection(), VILLAGE, A, B, Policy())
    frozen = freeze_dataclass(roster)
    for household in frozen["households"]:
        del household["status"], household["reviewed_on"]
    del frozen["round_year"]
    thawed = roster_from(frozen)
    assert {h.status for h in thawed.households} == {None}
    assert thawed.round_year is None
    assert thawed.status_counts() == {"unknown": 3}
    # A current copy comes back whole.
    assert roster_from(freeze_dataclass(roster)) == roster


def test_form_block_defaults_read_as_placeholders(app_ctx):
    lines = labels.form_block("urban", app_ctx.config["REPORT_FORMS"])
    assert [line.label for line in lines] == ["表号", "制定机关", "批准文号", "有效期至"]
    assert all(line.placeholder and "请在配置中填写" in line.value for line in lines)
    assert not any("兴人社就业统" in line.value for line in lines)


def test_form_block_takes_configured_values_and_keeps_placeholders_for_the_rest(app_ctx):
    configured = {"rural": {"number": " 兴人社统A01表 ", "approval": ""}, "urban": "not a mapping"}
    rural = labels.form_values("rural", configured)
    assert rural["number"] == "兴人社统A01表"
    assert rural["approval"] == REPORT_FORM_PLACEHOLDERS["approval"]
    assert labels.form_values("urban", configured) == REPORT_FORM_PLACEHOLDERS
    assert labels.form_values("roster", "garbage") == REPORT_FORM_PLACEHOLDERS


def test_printed_table_shows_the_form_block_and_new_numbers_make_a_new_report(
        app_ctx, make, generate, monkeypatch):
    default, pdf = generate("rural", "152201000000")
    text = pdf_text(pdf)
    for field in ("表号", "制定机关", "批准文号", "有效期至"):
        assert f"{field}：" in text
    assert "表号待定（请在配置中填写）" in text
    assert "兴人社就业统" not in text
    monkeypatch.setitem(app_ctx.config, "REPORT_FORMS", FORMS)
    configured, pdf = generate("rural", "152201000000")
    text = pdf_text(pdf)
    assert configured.number != default.number  # not a reissue of the placeholder copy
    for value in FORMS["rural"].values():
        assert value in text
    assert "请在配置中填写" not in text
    again, _ = generate("rural", "152201000000")
    assert again.number == configured.number

