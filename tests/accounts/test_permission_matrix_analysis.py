"""The permission matrix for the quarterly analysis (季分析): every route, every role, an
analysis of a division inside the role's subtree and one outside it. Outside is 404 and
changes nothing; inside, writing is the division's own statistician's and review the level
directly above's, and any other holder of the capability is refused with a message (422)."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import insert, select

from field_app.accounts.roles import Role
from field_app.analysis.models import AnalysisStatus, QuarterlyAnalysis
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.reports.models import Report, ReportDocument
from tests.accounts.test_permission_matrix import ALL, EXTRA_TREE, INSIDE, OUTSIDE, Route

VIEWERS = ALL - {Role.VILLAGE_COLLECTOR, Role.AUDITOR}
# A township's office has nothing to read here: no division inside it writes an analysis.
READERS = VIEWERS - {Role.TOWNSHIP_REVIEWER}
# Who holds WRITE_ANALYSIS: each level's statistician writes its own division's analysis.
ANALYSIS_WRITERS = frozenset({Role.COUNTY_STATISTICIAN, Role.LEAGUE_STATISTICIAN,
                              Role.REGION_STATISTICIAN})
WRITERS = frozenset({Role.COUNTY_STATISTICIAN})  # at its own county (the inside division)
APPROVERS = frozenset({Role.COUNTY_STATISTICIAN, Role.LEAGUE_STATISTICIAN,
                       Role.REGION_STATISTICIAN})
# (inside, outside): the county statistician's own county; the league statistician's is a
# county of its league (the level directly above it); the region statistician's a league of
# the region (directly above it); the others' a division that writes an analysis.
SIDES = {
    Role.VILLAGE_COLLECTOR: ("152201000000", "152202000000"),
    Role.TOWNSHIP_REVIEWER: ("152201000000", "152202000000"),
    Role.COUNTY_STATISTICIAN: ("152201000000", "152202000000"),
    Role.COUNTY_LEADER: ("152201000000", "152202000000"),
    Role.COUNTY_ADMIN: ("152201000000", "152202000000"),
    Role.LEAGUE_STATISTICIAN: ("152201000000", "150102000000"),
    Role.REGION_STATISTICIAN: ("152200000000", "140100000000"),
    Role.LEAGUE_ADMIN: ("152201000000", "150102000000"),
    Role.REGION_ADMIN: ("152200000000", "140100000000"),
    Role.AUDITOR: ("152201000000", "150102000000"),
}
SUBMITTED, DRAFT = "2026Q3", "2026Q2"  # the two analyses of each side

ANALYSIS_MATRIX = [
    Route("analysis.home", "GET", "/analysis/", VIEWERS, 302, outside=None),
    Route("analysis.index", "GET", "/analysis/{division}", READERS, 200, shows="name"),
    Route("analysis.show", "GET", f"/analysis/{{division}}/{SUBMITTED}", READERS, 200,
          shows="name"),
    Route("analysis.pdf", "GET", f"/analysis/{{division}}/{SUBMITTED}/analysis.pdf", READERS,
          200),
    Route("analysis.edit", "GET", f"/analysis/{{division}}/{DRAFT}/edit", WRITERS, 200),
    Route("analysis.edit", "POST", f"/analysis/{{division}}/{DRAFT}/edit", WRITERS, 302,
          data={"edit-situation": "平稳", "edit-action": "save"}, state="analysis"),
    Route("analysis.preview", "GET", f"/analysis/{{division}}/{DRAFT}/preview.pdf", WRITERS,
          200),
    Route("analysis.approve", "POST", f"/analysis/{{division}}/{SUBMITTED}/approve", APPROVERS,
          302, by_role={Role.COUNTY_STATISTICIAN: 422}, state="analysis"),
    Route("analysis.return_analysis", "POST", f"/analysis/{{division}}/{SUBMITTED}/return",
          APPROVERS, 302, data={"return-reason": "请补充"},
          by_role={Role.COUNTY_STATISTICIAN: 422}, state="analysis"),
]
CASES = [pytest.param(route, role, where, id=f"{route}-{role.value}-{where}")
         for route in ANALYSIS_MATRIX for role in Role
         for where in ((INSIDE,) if route.outside is None else (INSIDE, OUTSIDE))]
_serial = iter(range(1, 100_000))


def _report(code: str, name: str) -> int:
    pdf = f"%PDF-1.7 {code}".encode()
    report = Report(number=f"{code[:6]}-2026Q3-{next(_serial):06d}-AAAAAA", serial=next(_serial),
                    kind="analysis", division_code=code, period_start=dt.date(2026, 7, 1),
                    period_end=dt.date(2026, 9, 30), sha256=hashlib.sha256(pdf).hexdigest(),
                    content_sha256="a" * 64,
                    figures={"division": {"name": name}, "columns": [], "rows": [],
                             "total": {"name": name, "code": code, "values": {}}})
    db.session.add(report)
    db.session.flush()
    db.session.execute(insert(ReportDocument.__table__).values(report_id=report.id, pdf=pdf))
    return report.id


def _analyses(code: str, name: str) -> None:
    submitted_at = dt.datetime(2026, 10, 3, 9, 0)
    db.session.add_all([
        QuarterlyAnalysis(division_code=code, period_start=dt.date(2026, 7, 1),
                          period_end=dt.date(2026, 9, 30), period_key=SUBMITTED,
                          status=AnalysisStatus.SUBMITTED, situation=f"{name}形势",
                          problems="问题", measures="措施", submitted_at=submitted_at,
                          first_submitted_at=submitted_at, report_id=_report(code, name)),
        QuarterlyAnalysis(division_code=code, period_start=dt.date(2026, 4, 1),
                          period_end=dt.date(2026, 6, 30), period_key=DRAFT,
                          status=AnalysisStatus.DRAFT, situation="", problems="",
                          measures=""),
    ])
    db.session.flush()


@pytest.fixture
def analysis_sides(make):
    def build(role: Role) -> dict[str, dict[str, str]]:
        clock.set(dt.datetime(2026, 10, 20, 9, 0))
        for code, name, parent in EXTRA_TREE:
            make.division(code, name, parent)
        names = {code: name for code, name, _ in make.TREE + EXTRA_TREE}
        found = {}
        for where, code in zip((INSIDE, OUTSIDE), SIDES[role]):
            _analyses(code, names[code])
            found[where] = {"division": code, "name": names[code]}
        db.session.commit()
        return found

    return build


def _state(code: str):
    db.session.rollback()
    table = QuarterlyAnalysis.__table__
    rows = db.session.execute(select(table).where(table.c.division_code == code)
                              .order_by(table.c.id)).all()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize(("route", "role", "where"), CASES)
def test_analysis_steps_reach_only_their_subtree(client, analysis_sides, login_as, route, role,
                                                 where):
    values = analysis_sides(role)[where]
    login_as(role)
    url = route.url.format(**values)
    before = _state(values["division"]) if route.state else None
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=route.data or {})
    expected = 404 if where == OUTSIDE else route.expected(role, where)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if route.state:
        assert (_state(values["division"]) == before) is (expected != 302)
    if where == OUTSIDE:
        assert values["name"] not in response.get_data(as_text=True)
    if route.shows and expected == 200:
        assert values[route.shows] in response.get_data(as_text=True)
    if expected == 200 and route.url.endswith(".pdf"):
        assert response.mimetype == "application/pdf"


@pytest.mark.parametrize(("role", "own", "below"), [
    (Role.COUNTY_STATISTICIAN, "152201000000", None),
    (Role.LEAGUE_STATISTICIAN, "152200000000", "152201000000"),
    (Role.REGION_STATISTICIAN, "150000000000", "152200000000"),
], ids=lambda v: getattr(v, "value", v))
def test_each_writer_edits_its_own_division_s_analysis_only(client, make, login_as, role, own,
                                                              below):
    clock.set(dt.datetime(2026, 10, 20, 9, 0))
    login_as(role)
    assert client.get(f"/analysis/{own}/{DRAFT}/edit").status_code == 200
    if below:
        assert client.get(f"/analysis/{below}/{DRAFT}/edit").status_code == 404
