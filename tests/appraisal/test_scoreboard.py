"""The appraisal scoreboard (考核): each column against constructed data (see conftest)."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import event

from field_app.accounts.policy import AccountPolicy
from field_app.appraisal import labels, queries
from field_app.core.clock import clock
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.indicators import Policy
from tests.appraisal.conftest import ARXAN, JALAID, LEAGUE, NOVEMBER, ULANHOT


def _board(now=None):
    rows = queries.scoreboard(db.session, current_app.config, db.session.get(Division, LEAGUE),
                              NOVEMBER, policy=Policy(), account_policy=AccountPolicy(),
                              now=now or clock.now())
    return {row.division.code: row for row in rows}


def test_timeliness_is_the_first_submission_against_the_due_date(board_data):
    rows = _board()
    assert [rows[c].timeliness.status for c in (ULANHOT, ARXAN, JALAID)] == [
        labels.ON_TIME, labels.LATE, labels.OVERDUE]
    assert rows[ULANHOT].timeliness.due == dt.date(2026, 12, 5)
    # Before the due date, nothing submitted is not yet late.
    early = _board(dt.datetime(2026, 12, 4, 9, 0))
    assert early[JALAID].timeliness.status == labels.NOT_YET


def test_accuracy_sets_reported_figures_against_the_system_within_five_percent(board_data):
    rows = _board()
    assert (rows[ULANHOT].accuracy.reported, rows[ULANHOT].accuracy.outside) == (1, 0)
    assert rows[ULANHOT].accuracy.status == labels.WITHIN
    assert (rows[ARXAN].accuracy.reported, rows[ARXAN].accuracy.outside) == (2, 1)
    assert rows[ARXAN].accuracy.status == labels.OUTSIDE
    assert rows[JALAID].accuracy.status == labels.NO_FIGURES


def test_accuracy_boundary_is_five_percent_inclusive(board_data, make):
    from tests.appraisal.conftest import reported

    # 20 attritions in 扎赉特旗: 21 reported is 5.00% off (within), 22 is 10% (outside).
    make.division("152223100000", "音德尔镇", JALAID)
    for _ in range(20):
        make.attrition(make.person(), dt.date(2026, 11, 10), division="152223100000")
    reported(JALAID, "natural_attrition", 21)
    db.session.flush()
    assert _board()[JALAID].accuracy.status == labels.WITHIN
    from field_app.targets.models import ReportedFigure

    db.session.query(ReportedFigure).filter_by(division_code=JALAID).update({"value": 22})
    assert _board()[JALAID].accuracy.status == labels.OUTSIDE


def test_completeness_counts_surveyed_reviewed_and_returned_households(board_data):
    rows = _board()
    c = rows[ULANHOT].completeness
    assert (c.households, c.surveyed, c.reviewed, c.returned) == (3, 2, 1, 1)
    assert str(c.percent) == "33.3"
    a = rows[ARXAN].completeness  # a household but no round of 2026
    assert (a.households, a.surveyed, a.reviewed) == (1, 0, 0)
    assert rows[JALAID].completeness.households == 0
    assert rows[JALAID].completeness.percent is None


def test_findings_count_only_open_ones_of_the_period(board_data):
    rows = _board()
    assert (rows[ULANHOT].errors, rows[ULANHOT].warnings) == (2, 1)
    assert (rows[ARXAN].errors, rows[ARXAN].warnings) == (0, 1)
    assert (rows[JALAID].errors, rows[JALAID].warnings) == (0, 0)


def test_account_upkeep_counts_locked_overdue_and_never_used(board_data):
    u = _board()[ULANHOT].upkeep
    # The locked collector, the reviewer idle 40 days, the round's statistician (never signed
    # in), the collector who signed in yesterday.
    assert (u.accounts, u.locked, u.overdue, u.never_used) == (4, 1, 1, 2)
    assert _board()[ARXAN].upkeep.accounts == 0


def test_notices_count_open_overdue_and_answered(board_data):
    rows = _board()
    assert (rows[ULANHOT].notices_open, rows[ULANHOT].notices_overdue,
            rows[ULANHOT].notices_answered) == (2, 1, 1)
    assert (rows[ARXAN].notices_open, rows[ARXAN].notices_overdue) == (0, 0)


def test_the_board_takes_a_fixed_number_of_statements_whatever_the_children(board_data, make):
    def count():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            _board()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    for n in range(5):
        make.division(f"15229{n}000000", f"新旗{n}", LEAGUE)
    db.session.flush()
    assert count() == before


def test_the_page_links_each_cell_where_the_viewer_may_look(board_data, client, login_as):
    db.session.commit()
    login_as("league_statistician", LEAGUE)
    response = client.get(f"/appraisal/{LEAGUE}?period=2026-11")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "按时报送" in body and "逾期报送" in body and "逾期未报" in body
    assert f'href="/reporting/{ARXAN}?period=2026-11"' in body
    assert f'href="/targets/reconciliation/{ARXAN}?period=2026-11"' in body
    assert f"/quality/?division={ULANHOT}&amp;period=2026-11&amp;status=open" in body
    assert f'href="/survey/counties/{ULANHOT}"' in body
    assert f'/appraisal/notices?division={ULANHOT}' in body
    assert f'/appraisal/{ULANHOT}/notices/new?period=2026-11' in body
    assert 'href="/accounts' not in body  # not an administrator
    assert "已审核 1 / 3 户" in body


def test_an_administrator_follows_account_upkeep_to_that_divisions_accounts(
        board_data, client, login_as):
    db.session.commit()
    login_as("league_admin", LEAGUE)
    body = client.get(f"/appraisal/{LEAGUE}?period=2026-11").get_data(as_text=True)
    assert f'href="/accounts?division={ULANHOT}"' in body


def test_a_leader_sees_the_board_without_links_it_may_not_follow(board_data, client, login_as):
    db.session.commit()
    login_as("county_leader", ULANHOT)
    body = client.get(f"/appraisal/{ULANHOT}?period=2026-11").get_data(as_text=True)
    assert "/quality/" not in body.split("data-appraisal-board", 1)[1]
    assert "notices/new" not in body  # the leader does not issue notices


def test_a_bad_period_is_named_and_the_default_shown(board_data, client, login_as):
    db.session.commit()
    login_as("league_statistician", LEAGUE)
    response = client.get(f"/appraisal/{LEAGUE}?period=2026-13")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<p class="flash error" role="alert">月份应写作YYYY-MM' in body and "2026-13" in body
    for bad in ("bad", "152201100201", "150000000000", "152202100201"):
        assert client.get(f"/appraisal/{bad}").status_code == 404


def test_odd_input_never_answers_5xx(board_data, client, login_as):
    db.session.commit()
    login_as("league_statistician", LEAGUE)
    for period in ("9999", "0001", "9999-12", "2026Q9", "2026-01..2025-01", "%00", "𠀀" * 300,
                   "2026-02-30", "20260101"):
        response = client.get(f"/appraisal/{LEAGUE}", query_string={"period": period})
        assert response.status_code == 200, period
        assert 'class="flash error"' in response.get_data(as_text=True)
    for deadline in ("9999-12-31", "0001-01-01", "0000-00-00", "2026-02-30", "x" * 50):
        response = client.post(f"/appraisal/{ULANHOT}/notices/new",
                               data={"issue": "x", "deadline": deadline, "period": "9999"})
        assert response.status_code == 422, deadline
    for path in ("/appraisal/notices/99999999999999999999", "/appraisal/notices/0",
                 "/appraisal/notices?division=%00", "/survey/counties/%00",
                 f"/appraisal/{'9' * 12}/notices/new"):
        assert client.get(path).status_code == 404, path
