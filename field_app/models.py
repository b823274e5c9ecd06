"""Imports every model so the metadata (and Alembic) sees every table."""
from field_app.accounts.models import (  # noqa: F401
    AccountSecurity,
    RecoveryCode,
    RestoreRequest,
    User,
)
from field_app.appraisal.models import RectificationNotice  # noqa: F401
from field_app.analysis.models import QuarterlyAnalysis  # noqa: F401
from field_app.audit.models import AuditEvent, AuditEventDivision  # noqa: F401
from field_app.channels.models import BenefitPayee, ChannelBatch, HireReview  # noqa: F401
from field_app.core.counters import NumberCounter  # noqa: F401
from field_app.divisions.models import Division  # noqa: F401
from field_app.households.models import Household, HouseholdMember, Person  # noqa: F401
from field_app.registrations.models import (  # noqa: F401
    EmployedTotal,
    Employer,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from field_app.locks.models import PeriodLock  # noqa: F401
from field_app.partners.models import ApiClient  # noqa: F401
from field_app.jobs.models import Job  # noqa: F401
from field_app.reporting.models import (  # noqa: F401
    Submission,
    SubmissionPerson,
    SubmissionReport,
    SubmissionRoster,
    SubmissionScan,
)
from field_app.quality.models import QualityFinding, QualityScan  # noqa: F401
from field_app.reports.models import Report, ReportDocument  # noqa: F401
from field_app.snapshots.models import Snapshot  # noqa: F401
from field_app.statistics.models import PeriodChoice  # noqa: F401
from field_app.targets.models import AnnualTarget, ReportedFigure  # noqa: F401
from field_app.review.models import HouseholdSurvey, ReturnReason  # noqa: F401
from field_app.surveys.models import (  # noqa: F401
    SurveyRound,
    SyncChange,
    Training,
    TransferSpell,
)
