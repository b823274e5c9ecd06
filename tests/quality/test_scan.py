"""Storing a scan: new findings open, vanished ones fixed, explained ones kept; the counts the
reporting chain checks; the command line's JSON."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import literal, select

from field_app.core.clock import clock
from field_app.core.errors import InvalidTransition, ValidationFailed
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.quality import operations, queries
from field_app.quality.collect import scope_code
from field_app.quality.models import FindingStatus, QualityFinding, QualityScan
from tests.quality.conftest import LEAGUE, YEAR

D = dt.date
COUNTY, OTHER_COUNTY = "152201000000", "152202000000"


def _scan(settings, division=LEAGUE, period=YEAR, actor=None):
    return operations.scan(db.session, db.session.get(Division, division), *period,
                           settings=settings, actor=actor)


def _stored(rule):
    return {f.subject: f for f in db.session.query(QualityFinding).filter_by(rule=rule)}


def test_a_new_finding_is_open_and_a_corrected_one_becomes_fixed(make, settings):
    job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1))
    statistician = make.user("county_statistician")
    first = _scan(settings, actor=statistician)
    finding = _stored("Q-LATE-ENTRY")[str(job.id)]
    assert (finding.status, finding.found_by_id, finding.last_scan_id) == (
        FindingStatus.OPEN, statistician.id, first.scan.id)
    assert first.scan.opened >= 1 and first.scan.counts["Q-LATE-ENTRY"] == 1
    assert queries.open_errors(db.session, LEAGUE, *YEAR) == 0
    assert queries.unexplained_warnings(db.session, LEAGUE, *YEAR) == 1

    job.registered_on = D(2026, 3, 20)
    db.session.flush()
    second = _scan(settings, actor=statistician)
    db.session.refresh(finding)
    assert finding.status == FindingStatus.FIXED
    assert (finding.fixed_by_id, finding.last_scan_id) == (statistician.id, second.scan.id)
    assert second.scan.fixed == 1
    assert queries.unexplained_warnings(db.session, LEAGUE, *YEAR) == 0

    job.registered_on = D(2026, 6, 1)  # wrong again: the same finding opens again
    db.session.flush()
    _scan(settings)
    db.session.refresh(finding)
    assert (finding.status, finding.fixed_at) == (FindingStatus.OPEN, None)


def test_an_explained_warning_stays_explained_while_it_appears(make, settings):
    job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1))
    reviewer = make.user("county_statistician")
    _scan(settings)
    finding = _stored("Q-LATE-ENTRY")[str(job.id)]
    operations.explain(db.session, finding, "  单位补交材料晚  ", actor=reviewer)
    assert (finding.status, finding.explanation, finding.explained_by_id) == (
        FindingStatus.EXPLAINED, "单位补交材料晚", reviewer.id)
    _scan(settings)
    db.session.refresh(finding)
    assert finding.status == FindingStatus.EXPLAINED
    assert queries.unexplained_warnings(db.session, LEAGUE, *YEAR) == 0
    job.registered_on = D(2026, 3, 2)
    db.session.flush()
    _scan(settings)
    db.session.refresh(finding)
    assert (finding.status, finding.explanation) == (FindingStatus.FIXED, None)


def test_errors_cannot_be_explained_and_explanations_need_text(make, settings):
    person = make.person()
    make.employment(person, D(2026, 2, 28))
    make.unemployment(person, D(2026, 1, 10))
    warning_job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1))
    actor = make.user("county_statistician")
    _scan(settings)
    error = next(iter(_stored("Q-EMPLOYED-UNEMPLOYED").values()))
    assert queries.open_errors(db.session, LEAGUE, *YEAR) == 1
    assert queries.open_errors(db.session, COUNTY, *YEAR) == 1
    assert queries.open_errors(db.session, OTHER_COUNTY, *YEAR) == 0
    with pytest.raises(InvalidTransition):
        operations.explain(db.session, error, "理由", actor=actor)
    warning = _stored("Q-LATE-ENTRY")[str(warning_job.id)]
    for bad in ("", "   ", "x" * 2001, "说明\u202e"):
        with pytest.raises(ValidationFailed):
            operations.explain(db.session, warning, bad, actor=actor)
    assert warning.status == FindingStatus.OPEN


def test_a_scan_of_a_subtree_settles_only_findings_within_it(make, settings):
    inside = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1),
                             division="152201001001")
    outside = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1),
                              division="152202100201")
    _scan(settings)
    inside.registered_on = outside.registered_on = D(2026, 3, 2)
    db.session.flush()
    _scan(settings, division=COUNTY)
    stored = _stored("Q-LATE-ENTRY")
    assert stored[str(inside.id)].status == FindingStatus.FIXED
    assert stored[str(outside.id)].status == FindingStatus.OPEN


def test_findings_are_kept_per_period(make, settings):
    job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1))
    _scan(settings, period=(D(2026, 3, 1), D(2026, 3, 31)))
    _scan(settings)
    assert db.session.query(QualityFinding).filter_by(rule="Q-LATE-ENTRY").count() == 2
    assert queries.unexplained_warnings(db.session, LEAGUE, D(2026, 3, 1), D(2026, 3, 31)) == 1
    assert queries.unexplained_warnings(db.session, LEAGUE, D(2026, 4, 1), D(2026, 4, 30)) == 0
    assert job.id


def test_lowest_common_division():
    lcd = operations.lowest_common_division
    assert lcd(["152201100201"]) == "152201100201"
    assert lcd(["152201100201", "152201100202"]) == "152201100000"
    assert lcd(["152201100201", "152201001000"]) == "152201000000"
    assert lcd(["152201100201", "152202000000"]) == "152200000000"


def test_scan_command_prints_the_findings_as_json(runner, make):
    person = make.rural_person()
    spell = make.spell(person, D(2026, 3, 1), destination=None)
    job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1))
    db.session.commit()
    result = runner.invoke(args=["quality", "scan", "--division", LEAGUE, "--period", "2026",
                                 "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert all(set(item) == {"rule", "severity", "message", "records"} for item in listed)
    by_rule = {item["rule"]: item for item in listed}
    assert by_rule["Q-BLANK-SPELL-DEST"]["severity"] == "error"
    assert by_rule["Q-BLANK-SPELL-DEST"]["records"] == [
        {"file": "transfer_spells", "key": f"{person.id_number}|2026-03-01|non_agri"}]
    assert by_rule["Q-LATE-ENTRY"]["records"] == [
        {"file": "employment_registrations", "key": job.registration_no}]
    assert "92" in by_rule["Q-LATE-ENTRY"]["message"]
    assert spell.id and db.session.query(QualityScan).count() == 1


@pytest.mark.parametrize(("args", "fragment"), [
    (["--division", LEAGUE, "--period", "2026-13"], "--period"),
    (["--division", "999999999999", "--period", "2026"], "--division"),
])
def test_scan_command_refuses_bad_input(runner, make, args, fragment):
    db.session.commit()
    result = runner.invoke(args=["quality", "scan", *args])
    assert result.exit_code == 2
    assert fragment in result.output


def test_pre_report_scans_the_divisions_due_in_seven_days(runner, make):
    make.employment(make.person(), D(2026, 11, 3), registered_on=D(2027, 1, 10))
    db.session.commit()
    # November's township reports are due on 3 December: seven days before is 26 November.
    result = runner.invoke(args=["quality", "pre-report", "--date", "2026-11-26"])
    assert result.exit_code == 0, result.output
    scans = db.session.query(QualityScan).all()
    assert scans and {s.trigger for s in scans} == {"pre_report"}
    assert {(s.period_start, s.period_end) for s in scans} == {(D(2026, 11, 1), D(2026, 11, 30))}
    township_codes = {code for code, _, _ in make.TREE if code.endswith("000")
                      and not code.endswith("000000")}
    assert {s.division_code for s in scans} == township_codes
    result = runner.invoke(args=["quality", "pre-report", "--date", "2026-11-27"])
    assert "no report falls due" in result.output


@pytest.mark.parametrize("codes", [
    ["152201100201"],
    ["152201100201", "152201100202"],
    ["152201100201", "152201001000"],
    ["152201100201", "152202000000"],
    ["152201001000", "152201001000"],  # a township's own desk
    ["152201000000", "152201100201"],
    ["152200000000"],
    ["152201100201", "152301100201"],
    ["152201100201", "162201100201"],
])
def test_the_scope_in_sql_is_the_lowest_common_division(app_ctx, codes):
    statement = select(scope_code(literal(codes[0]), literal(min(codes)), literal(max(codes))))
    assert (db.session.connection().execute(statement).scalar_one()
            == operations.lowest_common_division(codes))


def test_a_finding_seen_again_with_other_figures_keeps_its_identity_and_explanation(
        make, settings):
    job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1))
    _scan(settings)
    finding = _stored("Q-LATE-ENTRY")[str(job.id)]
    first_id, days = finding.id, finding.params["n1"]
    operations.explain(db.session, finding, "单位补交材料晚", actor=make.user("county_statistician"))
    job.registered_on = D(2026, 7, 1)  # still late, by 30 days more
    db.session.flush()
    again = _scan(settings)
    db.session.refresh(finding)
    assert (finding.id, finding.status, finding.explanation) == (
        first_id, FindingStatus.EXPLAINED, "单位补交材料晚")
    assert finding.params["n1"] == days + 30 and finding.last_scan_id == again.scan.id
    assert (again.scan.opened, again.scan.fixed) == (0, 0) and again.scan.seen >= 1
    assert again.total == sum(again.scan.counts.values()) == len(again.found)
    assert [f.subject for f in again.found if f.rule.code == "Q-LATE-ENTRY"] == [str(job.id)]


def test_a_finding_seen_again_unchanged_is_not_rewritten_but_its_last_sighting_moves_on(
        make, settings):
    job = make.employment(make.person(), D(2026, 3, 1), registered_on=D(2026, 6, 1),
                          division="152201001001")
    clock.set(dt.datetime(2027, 1, 5, 9, 0))
    first = _scan(settings)
    finding = _stored("Q-LATE-ENTRY")[str(job.id)]
    assert queries.last_seen(db.session, finding) == dt.datetime(2027, 1, 5, 9, 0)
    clock.set(dt.datetime(2027, 1, 6, 9, 0))
    again = _scan(settings, division=COUNTY)  # its subtree holds the finding
    clock.set(dt.datetime(2027, 1, 7, 9, 0))
    _scan(settings, division=OTHER_COUNTY)  # does not
    _scan(settings, period=(D(2026, 3, 1), D(2026, 3, 31)))  # another period
    db.session.refresh(finding)
    assert (finding.last_scan_id, finding.last_seen_at) == (
        first.scan.id, dt.datetime(2027, 1, 5, 9, 0))
    assert queries.last_seen(db.session, finding) == dt.datetime(2027, 1, 6, 9, 0)
    assert (again.scan.opened, again.scan.seen, again.scan.fixed) == (0, again.total, 0)
    assert [f.subject for f in again.found] == [str(job.id)]

    job.registered_on = D(2026, 3, 2)
    db.session.flush()
    clock.set(dt.datetime(2027, 1, 8, 9, 0))
    _scan(settings, division=COUNTY)
    clock.set(dt.datetime(2027, 1, 9, 9, 0))
    _scan(settings)
    db.session.refresh(finding)
    assert finding.status == FindingStatus.FIXED  # by the county's scan, which missed it
    assert queries.last_seen(db.session, finding) == dt.datetime(2027, 1, 6, 9, 0)


def test_a_stored_finding_keeps_every_record_in_order_and_the_first_one_apart(
        make, settings):
    household = make.household("152201100201")
    heads = [make.member(make.person(), household) for _ in range(2)]
    _scan(settings)
    stored = _stored("Q-HEAD-MULTIPLE")[str(household.id)]
    assert stored.records == [
        {"file": "households", "key": household.code, "id": household.id,
         "division": "152201100201"},
        *({"file": "household_members", "key": head.person.id_number, "id": head.id,
           "division": "152201100201"} for head in sorted(heads, key=lambda m: m.id))]
    assert (stored.record_file, stored.record_key, stored.record_id) == (
        "households", household.code, household.id)
    assert (stored.division_code, stored.scope_code) == ("152201100201", "152201100201")
    assert stored.params == {"n1": 2} and stored.severity == "error"
