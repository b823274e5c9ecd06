"""Constructed data for the appraisal: a league (兴安盟) with three counties and, for
November 2026, submissions, reported figures, survey statuses, findings, accounts and
rectification notices whose every column value is known."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from field_app.accounts.models import User
from field_app.accounts.roles import AccountState, Role
from field_app.appraisal.models import NoticeState, RectificationNotice
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.quality.models import (
    FindingStatus,
    QualityFinding,
    QualityScan,
    ScanTrigger,
    Severity,
)
from field_app.reporting.calendar import Period
from field_app.reporting.models import Submission, SubmissionStatus
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from field_app.targets.models import FigureSource, ReportedFigure

LEAGUE, ULANHOT, ARXAN, JALAID = "152200000000", "152201000000", "152202000000", "152223000000"
NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
# County reports of November are due on 5 December (REPORT_DUE_DAYS county: 5).
NOW = dt.datetime(2026, 12, 10, 9, 0)


def submission(code: str, at: dt.datetime, period: Period = NOVEMBER, version: int = 1):
    row = Submission(division_code=code, period_start=period.start, period_end=period.end,
                     period_key=period.key, version=version, status=SubmissionStatus.SUBMITTED,
                     submitted_at=at, figures={}, content_sha256="0" * 64, policy="default")
    db.session.add(row)
    return row


def reported(code: str, indicator: str, value, period: Period = NOVEMBER):
    db.session.add(ReportedFigure(division_code=code, period_start=period.start,
                                  period_end=period.end, indicator=indicator,
                                  value=Decimal(str(value)), source=FigureSource.WEB))


def finding(scan, code: str, severity: Severity, status=FindingStatus.OPEN,
            period: Period = NOVEMBER, n=[0]):
    n[0] += 1
    explained = status == FindingStatus.EXPLAINED
    db.session.add(QualityFinding(
        rule="test_rule", severity=severity, period_start=period.start, period_end=period.end,
        subject=f"subject-{n[0]}", division_code=code, scope_code=code,
        record_file="households", record_key=str(n[0]), record_id=n[0], records=[], params={},
        status=status, found_at=clock.now(), last_scan_id=scan.id, last_seen_at=clock.now(),
        explanation="说明" if explained else None,
        explained_at=clock.now() if explained else None))


def notice(code: str, deadline: dt.date, state=NoticeState.OPEN, issuer=LEAGUE):
    row = RectificationNotice(
        division_code=code, issuer_code=issuer, issue="报表数与系统数不符", issued_on=dt.date(2026, 12, 1),
        deadline=deadline, state=state, reopen_count=0,
        answer="已更正" if state != NoticeState.OPEN else None,
        answered_at=clock.now() if state != NoticeState.OPEN else None,
        closed_at=clock.now() if state == NoticeState.CLOSED else None)
    db.session.add(row)
    return row


def set_status(survey: HouseholdSurvey, status: SurveyStatus, user) -> None:
    survey.status = status
    survey.submitted_at, survey.submitted_by_id = clock.now(), user.id
    if status in (SurveyStatus.APPROVED, SurveyStatus.RETURNED):
        survey.reviewed_at, survey.reviewed_by_id = clock.now(), user.id


@pytest.fixture
def board_data(make):
    """兴安盟's three counties for November 2026, at 10 December 2026:

    - 乌兰浩特市: submitted 3 Dec (on time); reports natural attrition 2 (system 2: within);
      3 households in the 2026 round, 1 approved, 1 returned, 1 not surveyed; open findings
      2 errors and 1 warning (plus a fixed error, an explained warning and one of October);
      accounts: 1 locked, 1 idle 40 days (overdue), the round's statistician never signed in,
      1 signed in recently; notices: 1 open past its deadline, 1 open, 1 answered.
    - 阿尔山市: submitted 8 Dec (late); reports natural attrition 3 (system 0: outside) and
      new employment 0 (system 0: within); 1 household, no round; 1 open warning; 1 closed
      notice.
    - 扎赉特旗: nothing submitted (overdue); no reported figures.
    """
    clock.set(NOW)
    make.division(JALAID, "扎赉特旗", LEAGUE)
    submission(ULANHOT, dt.datetime(2026, 12, 3, 16, 0))
    submission(ULANHOT, dt.datetime(2026, 12, 9, 10, 0), version=2)  # a later version
    submission(ARXAN, dt.datetime(2026, 12, 8, 11, 0))
    for day in (3, 20):
        make.attrition(make.person(), dt.date(2026, 11, day), division="152201001001")
    make.attrition(make.person(), dt.date(2026, 10, 20), division="152202100201")
    reported(ULANHOT, "natural_attrition", 2)
    reported(ARXAN, "natural_attrition", 3)
    reported(ARXAN, "new_employment_gross", 0)
    reported(ULANHOT, "natural_attrition", 9, Period(dt.date(2026, 10, 1),
                                                     dt.date(2026, 10, 31)))  # another period
    households = [make.household("152201100201") for _ in range(3)]
    make.household("152202100201")
    round_ = make.survey_round(ULANHOT, 2026)
    statistician = db.session.get(User, round_.opened_by_id)
    surveys = {s.household_id: s for s in db.session.scalars(select(HouseholdSurvey))}
    set_status(surveys[households[0].id], SurveyStatus.APPROVED, statistician)
    set_status(surveys[households[1].id], SurveyStatus.RETURNED, statistician)
    scan = QualityScan(division_code=LEAGUE, period_start=NOVEMBER.start,
                       period_end=NOVEMBER.end, trigger=ScanTrigger.WEB)
    db.session.add(scan)
    db.session.flush()
    finding(scan, "152201001001", Severity.ERROR)
    finding(scan, "152201100201", Severity.ERROR)
    finding(scan, "152201100201", Severity.WARNING)
    finding(scan, "152201100201", Severity.ERROR, FindingStatus.FIXED)
    finding(scan, "152201100201", Severity.WARNING, FindingStatus.EXPLAINED)
    finding(scan, "152201100201", Severity.ERROR,
            period=Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    finding(scan, "152202100201", Severity.WARNING)
    make.user(Role.VILLAGE_COLLECTOR, "152201100201", state=AccountState.LOCKED)
    idle = make.user(Role.TOWNSHIP_REVIEWER, "152201100000")
    idle.last_activity_at = NOW - dt.timedelta(days=40)
    idle.last_login_at = NOW - dt.timedelta(days=40)
    recent = make.user(Role.VILLAGE_COLLECTOR, "152201001001")
    recent.last_login_at = NOW - dt.timedelta(days=1)
    statistician.last_login_at = None
    notice(ULANHOT, dt.date(2026, 12, 8))
    notice(ULANHOT, dt.date(2026, 12, 20))
    notice(ULANHOT, dt.date(2026, 12, 8), NoticeState.ANSWERED)
    notice(ARXAN, dt.date(2026, 12, 8), NoticeState.CLOSED)
    db.session.flush()
    return round_
