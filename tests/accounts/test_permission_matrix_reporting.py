"""The permission matrix for the reporting chain: every route, every role, a submission of a
division inside the role's subtree and one outside it. Outside is 404 and changes nothing;
inside, a step is the business of one kind of role only (the level's submitter, the county
leader, the level above), and any other holder is refused with a message (422)."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from sqlalchemy import insert, select

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.indicators import Policy
from field_app.reporting.freeze import freeze_dataclass
from field_app.reporting.models import Submission, SubmissionScan, SubmissionStatus
from field_app.reports.context import DivisionRef, build_table
from field_app.reports.models import ReportKind
from tests.accounts.test_permission_matrix import ALL, EXTRA_TREE, INSIDE, OUTSIDE, SUBTREES, Route

VIEWERS = ALL - {Role.VILLAGE_COLLECTOR, Role.AUDITOR}
APPROVERS = frozenset({Role.COUNTY_STATISTICIAN, Role.LEAGUE_STATISTICIAN,
                       Role.REGION_STATISTICIAN})
SUBMITTERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN,
                        Role.LEAGUE_STATISTICIAN})
SIGNERS = frozenset({Role.COUNTY_LEADER})
PRINTERS = VIEWERS - {Role.COUNTY_ADMIN}

# Inside divisions (SUBTREES): the county statistician's is a township of its county (it is
# the level above), the league statistician's a county of its league (above, but a county's
# paper must be signed before approval), the region statistician's a county of another league
# (not the level directly above). Submitters and the leader are never at the inside division.
REPORTING_MATRIX = [
    Route("reporting.home", "GET", "/reporting/", VIEWERS, 302, outside=None),
    Route("reporting.show", "GET", "/reporting/{division}?period=2026-10", VIEWERS, 200,
          shows="name"),
    Route("reporting.report_pdf", "GET", "/reporting/submissions/{submission}/urban.pdf",
          PRINTERS, 200),
    Route("reporting.download_scan", "GET", "/reporting/submissions/{submission}/scans/{scan}",
          VIEWERS, 200),
    Route("reporting.approve", "POST", "/reporting/submissions/{submission}/approve",
          APPROVERS, 422, by_role={Role.COUNTY_STATISTICIAN: 302}, state="submission"),
    Route("reporting.return_submission", "POST", "/reporting/submissions/{submission}/return",
          APPROVERS, 422, data={"return-reason": "数字有误"},
          by_role={Role.COUNTY_STATISTICIAN: 302, Role.LEAGUE_STATISTICIAN: 302},
          state="submission"),
    Route("reporting.sign_off", "POST", "/reporting/submissions/{submission}/sign-off",
          SIGNERS, 422, state="submission"),
    Route("reporting.correction", "POST", "/reporting/submissions/{submission}/correction",
          SUBMITTERS, 422, data={"correct-reason": "补录"}, state="submission"),
    Route("reporting.submit", "POST", "/reporting/{division}/2026-10/submit", SUBMITTERS, 422,
          state="submission"),
    # A version compared with the one before it: there is none here (version 1), so the
    # explaining roles get 404 too; tests/reporting/test_pages.py shows the page itself.
    Route("reporting.compare", "GET",
          "/reporting/submissions/{submission}/compare/new_employment_gross",
          frozenset(), 404),
    Route("reporting.upload_scan", "POST", "/reporting/submissions/{submission}/scan",
          SUBMITTERS | SIGNERS, 422, state="submission"),
]
CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in REPORTING_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]


def _submission(code: str, name: str) -> Submission:
    table = build_table(db.session.connection(), ReportKind.URBAN,
                        DivisionRef(code, name, 3), dt.date(2026, 10, 1),
                        dt.date(2026, 10, 31), Policy())
    submission = Submission(
        division_code=code, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31),
        period_key="2026-10", version=1, status=SubmissionStatus.SUBMITTED,
        figures={"basis": "live", "indicators": {}, "tables": {"urban": freeze_dataclass(table)}},
        content_sha256="a" * 64, policy="notice-2019")
    db.session.add(submission)
    db.session.flush()
    db.session.execute(insert(SubmissionScan.__table__), {
        "submission_id": submission.id, "filename": "scan.pdf", "media_type": "application/pdf",
        "size": 8, "sha256": hashlib.sha256(b"%PDF-1.4").hexdigest(), "content": b"%PDF-1.4"})
    return submission


@pytest.fixture
def sides(make):
    def build(role: Role) -> dict[str, dict[str, str]]:
        clock.set(dt.datetime(2026, 11, 10, 9, 0))
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        names = {code: name for code, name, _ in make.TREE + EXTRA_TREE}
        found = {}
        for where, code in zip((INSIDE, OUTSIDE), SUBTREES[role]):
            submission = _submission(code, names[code])
            scan = db.session.scalar(select(SubmissionScan.id).where(
                SubmissionScan.submission_id == submission.id))
            found[where] = {"division": code, "name": names[code],
                            "submission": str(submission.id), "scan": str(scan)}
        db.session.commit()
        return found

    return build


def _state(submission_id: str):
    db.session.rollback()
    row = db.session.execute(select(Submission.__table__).where(
        Submission.id == int(submission_id))).one()
    count = db.session.scalar(select(Submission.id).order_by(Submission.id.desc()).limit(1))
    scans = len(db.session.scalars(select(SubmissionScan.id)).all())
    return tuple(row), count, scans


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_reporting_steps_reach_only_their_subtree(client, sides, login_as, route, role, where):
    values = sides(role)[where]
    login_as(role)
    url = route.url.format(**values)
    before = _state(values["submission"]) if route.state else None
    if route.method == "GET":
        response = client.get(url)
    elif route.endpoint == "reporting.upload_scan":
        response = client.post(url, data={"scan-scan": (io.BytesIO(b"%PDF-1.4 x"), "s.pdf")},
                               content_type="multipart/form-data")
    else:
        response = client.post(url, data=route.data or {})
    # A role's own inside status never applies outside: outside is 404 for everyone.
    expected = 404 if where == OUTSIDE else route.expected(role, where)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if route.state and expected not in (200, 302):
        assert _state(values["submission"]) == before
    if where == OUTSIDE:
        assert values["name"] not in response.get_data(as_text=True)
    if route.shows and expected == 200:
        assert values[route.shows] in response.get_data(as_text=True)
