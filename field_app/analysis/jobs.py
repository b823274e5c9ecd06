"""Submitting the quarterly analysis as a background job (报送季分析): the numbered PDF is
rendered, stored and the analysis moved to 待审核 in the job's one transaction, the same
``operations.submit`` as before. The page checks everything ``submit`` requires before it
queues the job, so a missing section is still said on the form; a job that fails leaves the
analysis as it was (its saved sections kept, no report, no serial taken)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from field_app.accounts.capabilities import Capability
from field_app.accounts.models import User
from field_app.analysis import operations
from field_app.analysis.models import QuarterlyAnalysis
from field_app.core.context import current_policy
from field_app.core.errors import OutOfScope
from field_app.core.security import site_url
from field_app.jobs import operations as jobs
from field_app.jobs.models import Job
from field_app.jobs.queue import Outcome, kind

KIND = "analysis_submit"


def enqueue_submit(session, analysis: QuarterlyAnalysis, *, actor) -> Job:
    """Check that ``analysis`` can be submitted by ``actor`` now, and queue its submission."""
    operations.check_submit(session, analysis, actor=actor)
    return jobs.enqueue(session, KIND, actor=actor, division_code=analysis.division_code,
                        params={"analysis_id": analysis.id, "quarter": analysis.period_key})


def _analysis_page(job: Job) -> str:
    return url_for("analysis.show", code=job.division_code, quarter=job.params["quarter"])


@kind(KIND, label=_l("报送季分析"), capability=Capability.WRITE_ANALYSIS, link=_analysis_page)
def run_submit(session, job, progress) -> Outcome:
    analysis = session.get(QuarterlyAnalysis, job.params["analysis_id"])
    if analysis is None or analysis.division_code != job.division_code:
        raise OutOfScope()
    actor = session.get(User, job.created_by_id) if job.created_by_id else None
    progress(0, 3)
    report = operations.submit(session, analysis, actor=actor, policy=current_policy(),
                               site_url=site_url(), progress=progress)
    return Outcome(True, {"number": report.number, "report_id": report.id,
                          "analysis_id": analysis.id})
