"""The reporting pages: the board's statuses with who and when, the steps through the web,
the frozen PDFs, the scan, and /verify of a superseded report."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

from sqlalchemy import select

from field_app.core.clock import clock
from field_app.extensions import db
from field_app.indicators import Policy
from field_app.reporting import operations
from field_app.reporting.models import Submission, SubmissionStatus
from field_app.reports.models import Report
from tests.reporting.conftest import OCTOBER

SITE = "http://127.0.0.1:5000"
NOTE = "已核对：测试户无定位"  # the factory's households have no location (a warning)


def _badges(html: str) -> dict[str, str]:
    """Division name → its board badge."""
    found = {}
    for item in re.findall(r'<li>\s*<a href="/reporting/\d+[^"]*"><span class="name">(.*?)</span>'
                           r'.*?<span class="chain-badge [^"]*">(.*?)</span>', html, re.S):
        found[item[0]] = item[1]
    return found


def test_the_board_shows_each_child_s_status_with_who_and_when(chain_data, client_for):
    u = chain_data
    league = client_for(u["league"])
    clock.set(dt.datetime(2026, 11, 4, 9, 0))  # before the counties' due date (5 November)
    html = league.get("/reporting/152200000000?period=2026-10").get_data(as_text=True)
    assert _badges(html) == {"乌兰浩特市": "未报", "阿尔山市": "未报"}
    first = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                              actor=u["county"], policy=Policy(), site_url=SITE,
                              explanation=NOTE)
    db.session.commit()
    clock.set(dt.datetime(2026, 11, 6, 9, 0))
    league = client_for(u["league"])  # two days later: a new sign-in
    response = league.get("/reporting/152200000000?period=2026-10")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:3000]
    assert _badges(html) == {"乌兰浩特市": "已报", "阿尔山市": "逾期"}, html[html.find('id="board"'):][:3000]
    assert u["county"].display_name in html and "2026-11-04 09:00" in html
    operations.sign_off(db.session, first, actor=u["leader"])
    operations.return_submission(db.session, first, actor=u["league"], reason="请核实")
    db.session.commit()
    html = league.get("/reporting/152200000000?period=2026-10").get_data(as_text=True)
    assert _badges(html)["乌兰浩特市"] == "退回"


def test_return_without_a_reason_is_refused_on_the_page_and_changes_nothing(chain_data,
                                                                             client_for):
    u = chain_data
    submission = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                                   actor=u["county"], policy=Policy(), site_url=SITE,
                                   explanation=NOTE)
    db.session.commit()
    league = client_for(u["league"])
    response = league.post(f"/reporting/submissions/{submission.id}/return",
                           data={"return-reason": "  "})
    assert response.status_code == 422
    assert "请填写理由" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Submission, submission.id).status == SubmissionStatus.SUBMITTED
    response = league.post(f"/reporting/submissions/{submission.id}/approve")
    assert response.status_code == 422
    assert "签发" in response.get_data(as_text=True)


def test_submitting_from_the_web_and_downloading_the_frozen_tables(chain_data, client_for):
    county = client_for(chain_data["county"])
    response = county.post("/reporting/152201000000/2026-10/submit",
                           data={"submit-explanation": NOTE})
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    pdf = county.get(f"/reporting/submissions/{submission.id}/rural.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    page = county.get("/reporting/152201000000?period=2026-10").get_data(as_text=True)
    assert "已报" in page and "申请更正" in page
    # The period must be a calendar month, quarter or year.
    assert county.get("/reporting/152201000000?period=2026-01..2026-05").status_code == 404
    assert county.get("/reporting/152201000000?period=bogus").status_code == 404


def test_the_leader_uploads_the_signed_scan_and_its_hash_is_shown(chain_data, client_for):
    u = chain_data
    submission = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                                   actor=u["county"], policy=Policy(), site_url=SITE,
                                   explanation=NOTE)
    db.session.commit()
    leader = client_for(u["leader"])
    bad = leader.post(f"/reporting/submissions/{submission.id}/scan",
                      data={"scan-scan": (io.BytesIO(b"GIF89a"), "scan.gif")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "PDF、JPEG 或 PNG" in bad.get_data(as_text=True)
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 2048
    ok = leader.post(f"/reporting/submissions/{submission.id}/scan",
                     data={"scan-scan": (io.BytesIO(jpeg), "签章.jpg")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    page = leader.get("/reporting/152201000000?period=2026-10").get_data(as_text=True)
    assert hashlib.sha256(jpeg).hexdigest() in page
    scan_link = re.search(r'href="(/reporting/submissions/\d+/scans/\d+)"', page)[1]
    league = client_for(u["league"])
    download = league.get(scan_link)
    assert download.status_code == 200 and download.data == jpeg


def test_verify_says_a_report_was_superseded_by_the_corrected_version(chain_data, client,
                                                                      make):
    u = chain_data
    first = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                              actor=u["county"], policy=Policy(), site_url=SITE,
                              explanation=NOTE)
    operations.sign_off(db.session, first, actor=u["leader"])
    operations.approve(db.session, first, actor=u["league"])
    operations.request_correction(db.session, first, actor=u["county"], reason="补录")
    make.employment(make.person(dt.date(1999, 9, 9)), dt.date(2026, 10, 30))
    second = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                               actor=u["county"], policy=Policy(), site_url=SITE,
                               explanation=NOTE)
    db.session.commit()
    old = db.session.scalar(select(Report).where(Report.superseded_at.isnot(None)))
    page = client.get(f"/verify/{old.number}").get_data(as_text=True)
    assert "此报表已被更正" in page and old.superseded_by.number in page
    assert second.version == 2


def test_two_versions_are_compared_person_by_person(chain_data, client_for, make):
    u = chain_data
    first = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                              actor=u["county"], policy=Policy(), site_url=SITE,
                              explanation=NOTE)
    operations.sign_off(db.session, first, actor=u["leader"])
    operations.return_submission(db.session, first, actor=u["league"], reason="漏报")
    late = make.person(dt.date(1993, 3, 3), name="迟登记")
    make.employment(late, dt.date(2026, 10, 25))
    second = operations.submit(db.session, division_code="152201000000", period=OCTOBER,
                               actor=u["county"], policy=Policy(), site_url=SITE,
                               explanation=NOTE)
    db.session.commit()
    from field_app.reporting.models import SubmissionPerson

    stored = {(row.submission_id, row.indicator) for row in db.session.scalars(
        select(SubmissionPerson))}
    assert (first.id, "new_employment_gross") in stored
    assert (second.id, "rural_transfer") in stored
    county = client_for(u["county"])
    page = county.get("/reporting/152201000000?period=2026-10").get_data(as_text=True)
    link = f"/reporting/submissions/{second.id}/compare/new_employment_gross"
    assert link in page
    compared = county.get(link)
    html = compared.get_data(as_text=True)
    assert compared.status_code == 200
    assert "迟登记" in html and late.id_number not in html  # named, number masked
    assert "第1版" in html and "第2版" in html
    # The first version has no earlier one; the employed total counts no persons.
    assert county.get(f"/reporting/submissions/{first.id}/compare/new_employment_gross"
                      ).status_code == 404
    assert county.get(f"/reporting/submissions/{second.id}/compare/employed_total"
                      ).status_code == 404
