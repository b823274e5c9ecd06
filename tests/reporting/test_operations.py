"""The reporting chain's steps: who may take them, from which state, what they freeze and
lock, and how a correction makes a new version."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field_app.audit.models import AuditEvent
from field_app.core.errors import InvalidTransition, NotAllowed, OutOfScope, ValidationFailed
from field_app.extensions import db
from field_app.indicators import Policy
from field_app.locks.checks import PeriodLocked
from field_app.locks.models import PeriodLock
from field_app.reporting import operations
from field_app.reporting.models import SubmissionRoster, SubmissionStatus
from field_app.reports.models import Report
from tests.reporting.conftest import OCTOBER

SITE = "http://127.0.0.1:5000"


def _submit(user, code, period=OCTOBER, **kwargs):
    # The factory's households have no GPS location: a warning the explanation covers.
    kwargs.setdefault("explanation", "已核对：测试户无定位")
    return operations.submit(db.session, division_code=code, period=period, actor=user,
                             policy=Policy(), site_url=SITE, **kwargs)


def _active_locks(code):
    return db.session.scalars(select(PeriodLock).where(
        PeriodLock.division_code == code, PeriodLock.released_at.is_(None))).all()


def test_township_submission_freezes_figures_rosters_and_locks_the_period(chain_data, make):
    township = chain_data["township"]
    submission = _submit(township, "152201100000")
    assert submission.version == 1 and submission.status == SubmissionStatus.SUBMITTED
    figures = submission.figures
    assert figures["indicators"]["rural_transfer"] == 1
    assert figures["indicators"]["new_employment_gross"] == 1  # the one in 葛根庙嘎查
    assert [row["code"] for row in figures["tables"]["rural"]["rows"]] == ["152201100201"]
    assert figures["records"]["transfer_spells"] == 1
    assert figures["coverage"] == {"households": 1, "reviewed": 0}
    rosters = db.session.scalars(select(SubmissionRoster.village_code)).all()
    assert rosters == ["152201100201"]
    assert len(_active_locks("152201100000")) == 1
    # A back-dated desk entry in the township is refused, naming the locked period.
    newcomer = make.person(dt.date(1999, 1, 1))
    with pytest.raises(PeriodLocked) as refused:
        make.employment(newcomer, dt.date(2026, 10, 20), division="152201100201")
    assert "义勒力特镇" in refused.value.message and "2026" in refused.value.message
    db.session.rollback()


def test_frozen_figures_and_printed_tables_do_not_follow_later_data(chain_data, make):
    county = chain_data["county"]
    submission = _submit(county, "152201000000")
    frozen_gross = submission.figures["indicators"]["new_employment_gross"]
    assert frozen_gross == 2
    # The employed total of 30 September is the latest of the year before 31 October.
    assert submission.figures["indicators"]["employed_total"] == 50000
    assert submission.figures["as_of"] == "2026-09-30"
    db.session.commit()
    # November data is not locked, and the frozen copy does not move.
    make.employment(make.person(dt.date(1999, 1, 1)), dt.date(2026, 11, 2))
    db.session.commit()
    report, pdf = operations.submission_report(db.session, submission, "urban", actor=county,
                                               site_url=SITE)
    assert pdf.startswith(b"%PDF")
    assert report.figures["total"]["values"]["new_employment_gross"] == frozen_gross


def test_submission_before_the_period_ends_or_twice_is_refused(chain_data):
    county = chain_data["county"]
    november = operations.Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    with pytest.raises(ValidationFailed):
        _submit(county, "152201000000", november)
    _submit(county, "152201000000")
    with pytest.raises(InvalidTransition):
        _submit(county, "152201000000")


def test_only_the_division_s_own_submitter_may_submit(chain_data):
    with pytest.raises(OutOfScope):
        _submit(chain_data["county2"], "152201000000")
    with pytest.raises(NotAllowed):  # a county statistician does not submit its township
        _submit(chain_data["county"], "152201100000")
    with pytest.raises(OutOfScope):  # a leader signs; it does not submit
        _submit(chain_data["leader"], "152201000000")


def test_county_approval_needs_the_leader_s_sign_off_and_the_parent(chain_data):
    u = chain_data
    submission = _submit(u["county"], "152201000000")
    with pytest.raises(InvalidTransition):
        operations.approve(db.session, submission, actor=u["league"])
    with pytest.raises(OutOfScope):
        operations.sign_off(db.session, submission, actor=u["leader2"])
    operations.sign_off(db.session, submission, actor=u["leader"])
    with pytest.raises(NotAllowed):  # the region approves leagues, not counties
        operations.approve(db.session, submission, actor=u["region"])
    operations.approve(db.session, submission, actor=u["league"])
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.reviewed_by_id == u["league"].id
    with pytest.raises(InvalidTransition):
        operations.approve(db.session, submission, actor=u["league"])


def test_a_return_releases_the_lock_and_the_next_submission_is_version_two(chain_data, make):
    u = chain_data
    first = _submit(u["county"], "152201000000")
    operations.sign_off(db.session, first, actor=u["leader"])
    with pytest.raises(ValidationFailed):
        operations.return_submission(db.session, first, actor=u["league"], reason="  ")
    operations.return_submission(db.session, first, actor=u["league"], reason="新增就业偏低",
                                 items={"new_employment_gross": "漏报一人", "bogus": "x"})
    assert first.status == SubmissionStatus.RETURNED
    assert first.return_items == {"new_employment_gross": "漏报一人"}
    assert _active_locks("152201000000") == []
    # The county corrects the data, now unlocked, and submits again.
    make.employment(make.person(dt.date(1999, 1, 1)), dt.date(2026, 10, 20))
    db.session.flush()
    second = _submit(u["county"], "152201000000")
    assert second.version == 2
    assert second.figures["indicators"]["new_employment_gross"] == 3
    assert first.superseded_by_id == second.id
    old_reports = db.session.scalars(select(Report).where(Report.superseded_at.isnot(None))).all()
    assert {r.kind.value for r in old_reports} == {"urban"}  # the rural table did not change
    successor = db.session.get(Report, old_reports[0].superseded_by_id)
    assert successor.figures["total"]["values"]["new_employment_gross"] == 3
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "submissions").order_by(AuditEvent.id)).all()
    assert actions == ["submission_submit", "submission_sign_off", "submission_return",
                       "submission_submit"]


def test_a_correction_reopens_an_approved_version_and_needs_approval_again(chain_data, make):
    u = chain_data
    first = _submit(u["county"], "152201000000")
    operations.sign_off(db.session, first, actor=u["leader"])
    operations.approve(db.session, first, actor=u["league"])
    with pytest.raises(ValidationFailed):
        operations.request_correction(db.session, first, actor=u["county"], reason="")
    operations.request_correction(db.session, first, actor=u["county"], reason="补录一人")
    assert first.status == SubmissionStatus.REOPENED and _active_locks("152201000000") == []
    make.employment(make.person(dt.date(1999, 1, 1)), dt.date(2026, 10, 21))
    db.session.flush()
    second = _submit(u["county"], "152201000000")
    assert second.status == SubmissionStatus.SUBMITTED and second.version == 2
    assert second.signed_at is None  # the new paper needs signing again


def test_the_league_reports_its_approved_counties_and_explains_a_difference(chain_data):
    u = chain_data
    first = _submit(u["county"], "152201000000")
    with pytest.raises(ValidationFailed) as refused:
        _submit(u["league"], "152200000000")
    assert "乌兰浩特市" in str(refused.value.message)
    for county, leader, code in (("county", "leader", "152201000000"),
                                 ("county2", "leader2", "152202000000")):
        submission = first if code == "152201000000" else _submit(u[county], code)
        operations.sign_off(db.session, submission, actor=u[leader])
        operations.approve(db.session, submission, actor=u["league"])
    league = _submit(u["league"], "152200000000")
    figures = league.figures
    assert figures["basis"] == "children"
    assert figures["indicators"]["new_employment_gross"] == 3
    assert figures["indicators"]["employed_total"] == 70000
    assert figures["live"]["new_employment_gross"] == 3
    assert figures["difference"] == {}
    assert [c["code"] for c in figures["children"]] == ["152201000000", "152202000000"]
    # Counties may not be returned once the league has reported them.
    with pytest.raises(InvalidTransition):
        operations.return_submission(db.session, first, actor=u["league"], reason="x")
    with pytest.raises(InvalidTransition):
        operations.request_correction(db.session, first, actor=u["county"], reason="x")
    operations.approve(db.session, league, actor=u["region"])
    assert league.status == SubmissionStatus.APPROVED


def test_a_difference_between_the_counties_sum_and_live_figures_needs_an_explanation(
        chain_data, make):
    u = chain_data
    for county, leader, code in (("county", "leader", "152201000000"),
                                 ("county2", "leader2", "152202000000")):
        submission = _submit(u[county], code)
        operations.sign_off(db.session, submission, actor=u[leader])
        operations.approve(db.session, submission, actor=u["league"])
    # A person registered in both banners counts once for the league.
    twice = make.person(dt.date(1990, 6, 6))
    db.session.flush()
    for lock in db.session.scalars(select(PeriodLock)):
        lock.released_at, lock.release_reason = lock.created_at, "test"
    db.session.flush()
    make.employment(twice, dt.date(2026, 10, 12))
    make.employment(twice, dt.date(2026, 10, 13), division="152202100201")
    db.session.flush()
    with pytest.raises(ValidationFailed):
        _submit(u["league"], "152200000000", explanation="")
    league = _submit(u["league"], "152200000000", explanation="跨旗县重复登记一人")
    assert league.figures["indicators"]["new_employment_gross"] == 3
    assert league.figures["live"]["new_employment_gross"] == 4
    assert league.figures["difference"]["new_employment_gross"] == "-1"


def test_a_scan_is_kept_with_its_hash_and_only_pdf_or_images_are_taken(chain_data):
    u = chain_data
    submission = _submit(u["county"], "152201000000")
    with pytest.raises(ValidationFailed):
        operations.upload_scan(db.session, submission, actor=u["leader"], filename="a.exe",
                               data=b"MZ\x90\x00")
    digest = operations.upload_scan(db.session, submission, actor=u["leader"],
                                    filename="C:\\scans\\签章.pdf", data=b"%PDF-1.4 test")
    import hashlib
    assert digest == hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    with pytest.raises(NotAllowed):
        operations.upload_scan(db.session, submission, actor=u["league"], filename="x.pdf",
                               data=b"%PDF-1.4")


def test_open_quality_errors_block_a_submission_and_warnings_need_an_explanation(chain_data,
                                                                                 make):
    u = chain_data
    worker = make.rural_person()
    make.spell(worker, dt.date(2026, 4, 1), destination=None)  # 空项: no destination
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        _submit(u["county"], "152201000000")
    assert "错误级数据质量问题" in str(refused.value.message)
    db.session.rollback()
    from field_app.surveys.models import TransferSpell

    spell = db.session.scalar(select(TransferSpell).where(TransferSpell.destination.is_(None)))
    spell.destination = "in_county"
    db.session.commit()
    with pytest.raises(ValidationFailed) as warned:
        _submit(u["county"], "152201000000", explanation="")
    assert "警告尚未说明" in str(warned.value.message)
    db.session.rollback()
    assert _submit(u["county"], "152201000000").version == 1
