"""Numbering and storing reports: one number per content, a new number when the data
change, earlier numbers kept as they were, and refusals outside the rules."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.core.errors import OutOfScope, ValidationFailed
from field_app.extensions import db
from field_app.reports.models import Report, ReportDocument
from field_app.reports.operations import period_tag, stored_pdf
from tests.factories import DIVISION_FOR_ROLE
from tests.indicators.support import BANNER, GACHA, OTHER_BANNER, STREET, TOWN

NUMBER = re.compile(r"^152201-2024-\d{6}-[2-9A-HJ-KM-NP-Z]{6}$")


def test_report_gets_a_number_hash_figures_and_stored_pdf(make, generate):
    person = make.rural_person(village=GACHA)
    make.spell(person, dt.date(2024, 3, 1))
    report, pdf = generate("rural", BANNER)
    assert NUMBER.match(report.number), report.number
    assert pdf.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(pdf).hexdigest()
    assert report.figures["total"]["values"]["rural_transfer"] == 1
    assert [row["code"] for row in report.figures["rows"]] == ["152201001000", TOWN]
    assert stored_pdf(db.session, report) == pdf


def test_asking_again_for_unchanged_data_gives_back_the_same_report(make, generate):
    first, pdf = generate("urban", BANNER)
    again, pdf_again = generate("urban", BANNER)
    assert (again.id, again.number, pdf_again) == (first.id, first.number, pdf)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report_reissue")) == 1


def test_changed_data_gives_a_new_number_and_the_old_keeps_its_figures(make, generate):
    old, old_pdf = generate("rural", BANNER)
    person = make.rural_person(village=GACHA)
    make.spell(person, dt.date(2024, 3, 1))
    new, new_pdf = generate("rural", BANNER)
    assert new.number != old.number and new.serial == old.serial + 1
    assert new.sha256 != old.sha256
    assert old.figures["total"]["values"]["rural_transfer"] == 0
    assert new.figures["total"]["values"]["rural_transfer"] == 1
    assert stored_pdf(db.session, old) == old_pdf


def test_a_different_period_or_kind_is_a_different_report(make, generate):
    numbers = {generate("rural", BANNER)[0].number,
               generate("urban", BANNER)[0].number,
               generate("rural", BANNER, end=dt.date(2024, 6, 30))[0].number}
    assert len(numbers) == 3


def test_roster_is_refused_for_a_division_that_is_not_a_village(make, generate):
    with pytest.raises(ValidationFailed):
        generate("roster", TOWN)


def test_reversed_period_is_refused(make, generate):
    with pytest.raises(ValidationFailed):
        generate("rural", BANNER, start=dt.date(2024, 2, 1), end=dt.date(2024, 1, 1))


@pytest.mark.parametrize("role, division, allowed", [
    ("county_statistician", BANNER, True),
    ("county_leader", GACHA, True),
    ("league_admin", OTHER_BANNER, True),
    ("county_statistician", OTHER_BANNER, False),
    ("county_leader", "152202100201", False),
    ("township_reviewer", TOWN, True),
    ("township_reviewer", GACHA, True),
    ("township_reviewer", STREET, False),
    ("township_reviewer", BANNER, False),
    ("league_statistician", OTHER_BANNER, True),
    ("region_statistician", GACHA, True),
    ("county_admin", BANNER, False),
    ("village_collector", GACHA, False),
    ("auditor", BANNER, False),
])
def test_only_printing_roles_within_their_jurisdiction_may_generate(make, generate, role,
                                                                    division, allowed):
    actor = make.user(role, DIVISION_FOR_ROLE[role] if role != "auditor" else BANNER)
    kind = "roster" if division in (GACHA, "152202100201") else "rural"
    if allowed:
        report, _ = generate(kind, division, actor=actor)
        assert report.generated_by_id == actor.id
    else:
        with pytest.raises(OutOfScope):
            generate(kind, division, actor=actor)


def test_unknown_division_is_out_of_scope(make, generate):
    with pytest.raises(OutOfScope):
        generate("rural", "152299000000")


def test_pdf_bytes_stay_out_of_the_audit_log(make, generate):
    report, _ = generate("rural", BANNER)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type.in_(
        ["reports", "report_documents"]))).all()
    assert [(e.action, e.target_type) for e in events] == [("create", "reports")]
    assert events[0].after["sha256"] == report.sha256
    assert db.session.scalar(select(func.count()).select_from(ReportDocument)) == 1


@pytest.mark.parametrize("start, end, tag", [
    ("2026-01-01", "2026-12-31", "2026"),
    ("2026-07-01", "2026-09-30", "2026Q3"),
    ("2026-01-01", "2026-06-30", "2026H1"),
    ("2026-03-01", "2026-03-31", "2026M03"),
    ("2026-01-01", "2026-09-30", "2026M01M09"),
    ("2026-01-15", "2026-06-20", "20260115T20260620"),
    ("2025-12-01", "2026-01-31", "20251201T20260131"),
])
def test_period_tags_in_report_numbers(start, end, tag):
    assert period_tag(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == tag
