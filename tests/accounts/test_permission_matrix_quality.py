"""The permission matrix of the quality pages: the scanning roles (RUN_QUALITY_SCAN) reach the
findings of their subtree only; every other role gets 404, and no response names a finding
outside the reader's jurisdiction."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

import pytest

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.roles import Role
from field_app.extensions import db
from field_app.quality.models import QualityFinding, QualityScan
from field_app.quality.views import XLSX_MIMETYPE
from tests.accounts.test_permission_matrix import EXTRA_TREE, INSIDE, OUTSIDE, Route

SCANNERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN,
                      Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN})

QUALITY_MATRIX = [
    Route("quality.index", "GET", "/quality/?division={division}", SCANNERS, 200,
          shows="marker"),
    Route("quality.show", "GET", "/quality/findings/{finding}", SCANNERS, 200, shows="marker"),
    Route("quality.show", "POST", "/quality/findings/{finding}", SCANNERS, 302,
          data={"reason": "已核实"}, state="finding"),
    # A division typed outside the jurisdiction is refused on the form (422), not scanned.
    Route("quality.scan", "POST", "/quality/scan", SCANNERS, 302, outside=422,
          data={"division": "{division}", "period": "2026"}, state="scans"),
    Route("quality.export", "GET", "/quality/export.xlsx?division={division}", SCANNERS, 200,
          shows="marker"),
]

# (inside, outside) for every role: a division below the account's and the nearest it must
# not reach.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201100201", "152201001001"),
    Role.TOWNSHIP_REVIEWER: ("152201100201", "152201001001"),
    Role.COUNTY_STATISTICIAN: ("152201100201", "152202100201"),
    Role.COUNTY_LEADER: ("152201100201", "152202100201"),
    Role.COUNTY_ADMIN: ("152201100201", "152202100201"),
    Role.LEAGUE_STATISTICIAN: ("152202100201", "150102000000"),
    Role.LEAGUE_ADMIN: ("152202100201", "150102000000"),
    Role.REGION_STATISTICIAN: ("150102000000", "140105000000"),
    Role.REGION_ADMIN: ("150102000000", "140105000000"),
    Role.AUDITOR: ("152201000000", "150102000000"),
}


def _finding(division: str, where: str) -> int:
    scan = QualityScan(division_code=division, period_start=dt.date(2026, 1, 1),
                       period_end=dt.date(2026, 12, 31), trigger="command", counts={})
    db.session.add(scan)
    db.session.flush()
    now = dt.datetime(2026, 6, 1)
    finding = QualityFinding(
        rule="Q-LATE-ENTRY", severity="warning", period_start=scan.period_start,
        period_end=scan.period_end, subject=f"{where}-{division}", division_code=division,
        scope_code=division, record_file="employment_registrations",
        record_key=f"KEY-{where.upper()}", record_id=1,
        records=[{"file": "employment_registrations", "key": f"KEY-{where.upper()}", "id": 1,
                  "division": division}],
        params={"n1": 70, "n2": 60}, status="open", found_at=now, last_scan_id=scan.id,
        last_seen_at=now)
    db.session.add(finding)
    db.session.flush()
    return finding.id


@pytest.fixture
def quality_sides(make):
    def build(role: Role) -> dict[str, dict[str, str]]:
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        sides = {}
        for where, division in zip((INSIDE, OUTSIDE), SIDES[role]):
            sides[where] = {"division": division, "finding": str(_finding(division, where)),
                            "marker": f"KEY-{where.upper()}"}
        db.session.commit()
        return sides

    return build


def _state(route, side):
    if route.state == "finding":
        finding = db.session.get(QualityFinding, int(side["finding"]))
        db.session.refresh(finding)
        return (finding.status, finding.explanation)
    if route.state == "scans":
        return db.session.query(QualityScan).count()
    return None


def _text(response) -> str:
    """The body as a reader sees it; a workbook as the text of its cells."""
    if response.mimetype != XLSX_MIMETYPE:
        return response.get_data(as_text=True)
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return "\n".join(str(cell.value) for row in book.active.iter_rows() for cell in row)


CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in QUALITY_MATRIX for role in Role for where in (INSIDE, OUTSIDE)]


def test_the_matrix_grants_what_the_capability_table_grants():
    assert holders(Capability.RUN_QUALITY_SCAN) == SCANNERS


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_scanning_roles_reach_only_their_subtrees_findings(client, quality_sides, login_as,
                                                          route, role, where):
    sides = quality_sides(role)
    login_as(role)
    side = sides[where]
    before = _state(route, side)
    url = route.url.format(**side)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={k: v.format(**side)
                                          for k, v in (route.data or {}).items()})
    body = _text(response)
    assert response.status_code == route.expected(role, where), body[:400]
    assert sides[OUTSIDE]["marker"] not in body
    allowed_inside = role in route.allowed and where == INSIDE
    if route.shows and allowed_inside:
        assert side[route.shows] in body
    if route.state:
        assert (_state(route, side) != before) == allowed_inside


@pytest.mark.parametrize("url", ["/quality/", "/quality/findings/1", "/quality/export.xlsx"])
def test_signed_out_visitor_is_sent_to_sign_in(client, make, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
