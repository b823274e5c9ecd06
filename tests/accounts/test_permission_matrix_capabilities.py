"""The capability table (``accounts.capabilities``) against the permission matrices: the role
sets the route matrices expect are the contract, written out there; the table is what views,
record predicates and the menu read, and it must grant exactly those roles. Then the level
rule of ``User.can(capability, at=code)``."""
from __future__ import annotations

import pytest

from field_app.accounts.capabilities import Capability, holders
from field_app.accounts.models import User
from field_app.accounts.roles import Role
from tests.accounts.test_permission_matrix import ADMINS, ALL, AUDIT_READERS, STATISTICS
from tests.accounts.test_permission_matrix_analysis import ANALYSIS_WRITERS
from tests.accounts.test_permission_matrix_api import PARTNER_ADMINS
from tests.accounts.test_permission_matrix_desk import CLERKS, READERS, STATISTICIANS
from tests.accounts.test_permission_matrix_reports import REPORT_ROLES
from tests.accounts.test_permission_matrix_appraisal import APPRAISERS, ISSUERS
from tests.accounts.test_permission_matrix_jobs import IMPORTERS
from tests.accounts.test_permission_matrix_survey import (
    COLLECTOR,
    REVIEWER,
    ROUND_READERS,
    STATISTICIAN,
)

# The reporting chain (逐级审核上报), written out as the issue gives it: each level submits its
# own division and the level above approves; the county leader signs off; the snapshots are
# the administrators'. The routes' own matrices (test_permission_matrix_<area>.py) test them.
_COUNTY_OFFICE = {Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER}
_STATISTICIANS_ABOVE = {Role.LEAGUE_STATISTICIAN, Role.REGION_STATISTICIAN}
REPORTING_CHAIN = {
    Capability.VIEW_SUBMISSIONS: ALL - {Role.VILLAGE_COLLECTOR, Role.AUDITOR},
    Capability.SUBMIT_REPORTS: frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN,
                                          Role.LEAGUE_STATISTICIAN}),
    Capability.SIGN_OFF_REPORTS: frozenset({Role.COUNTY_LEADER}),
    Capability.APPROVE_SUBMISSIONS: frozenset({Role.COUNTY_STATISTICIAN, *_STATISTICIANS_ABOVE}),
    Capability.VIEW_SNAPSHOTS: frozenset({Role.LEAGUE_ADMIN, Role.REGION_ADMIN}),
    Capability.RUN_QUALITY_SCAN: frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_STATISTICIAN,
                                            *_STATISTICIANS_ABOVE}),
    Capability.EXPLAIN_FIGURES: frozenset({Role.TOWNSHIP_REVIEWER, *_COUNTY_OFFICE,
                                           *_STATISTICIANS_ABOVE}),
    Capability.ENTER_REPORTED_FIGURES: frozenset({Role.COUNTY_STATISTICIAN,
                                                  *_STATISTICIANS_ABOVE}),
    Capability.SET_TARGETS: frozenset({Role.COUNTY_STATISTICIAN, *_STATISTICIANS_ABOVE}),
}

MATRIX_ROLES = {
    Capability.READ_STATISTICS: STATISTICS,
    Capability.COLLECT_SURVEY: COLLECTOR,
    Capability.REVIEW_HOUSEHOLDS: REVIEWER,
    Capability.VIEW_ROUNDS: ROUND_READERS,
    Capability.WRITE_ANALYSIS: ANALYSIS_WRITERS,
    Capability.VIEW_APPRAISAL: APPRAISERS,
    Capability.ISSUE_RECTIFICATION: ISSUERS,
    Capability.IMPORT_DATASETS: IMPORTERS,
    Capability.MANAGE_ROUNDS: STATISTICIAN,
    Capability.READ_DESK: READERS,
    Capability.REGISTER_DESK: CLERKS,
    Capability.ENTER_ATTRITION: STATISTICIANS,
    Capability.ENTER_TOTALS: STATISTICIANS,
    Capability.PRINT_REPORTS: REPORT_ROLES,
    Capability.READ_AUDIT: AUDIT_READERS,
    Capability.REVEAL_AUDIT: frozenset({Role.AUDITOR}),
    Capability.MANAGE_ACCOUNTS: ADMINS,
    Capability.MANAGE_API_CLIENTS: PARTNER_ADMINS,
    **REPORTING_CHAIN,
}


@pytest.mark.parametrize("capability", list(Capability), ids=str)
def test_capability_table_grants_the_roles_the_matrix_expects(capability):
    assert holders(capability) == MATRIX_ROLES[capability]


TOWNSHIP, VILLAGE, OTHER_VILLAGE = "152201100000", "152201100201", "152201001001"
COUNTY_CODE = "152201000000"


@pytest.mark.parametrize(("role", "division", "capability", "at", "allowed"), [
    # Without ``at``: the role alone.
    (Role.COUNTY_LEADER, COUNTY_CODE, Capability.PRINT_REPORTS, None, True),
    (Role.COUNTY_LEADER, COUNTY_CODE, Capability.MANAGE_ROUNDS, None, False),
    # The subtree: the account's division and below, nothing beside it.
    (Role.COUNTY_LEADER, COUNTY_CODE, Capability.PRINT_REPORTS, VILLAGE, True),
    (Role.COUNTY_LEADER, COUNTY_CODE, Capability.PRINT_REPORTS, "152202000000", False),
    (Role.TOWNSHIP_REVIEWER, TOWNSHIP, Capability.READ_DESK, OTHER_VILLAGE, False),
    # The level rule: a reviewer reviews villages, not the township itself...
    (Role.TOWNSHIP_REVIEWER, TOWNSHIP, Capability.REVIEW_HOUSEHOLDS, VILLAGE, True),
    (Role.TOWNSHIP_REVIEWER, TOWNSHIP, Capability.REVIEW_HOUSEHOLDS, TOWNSHIP, False),
    # ...a statistician runs the rounds of the county, not of a township in it...
    (Role.COUNTY_STATISTICIAN, COUNTY_CODE, Capability.MANAGE_ROUNDS, COUNTY_CODE, True),
    (Role.COUNTY_STATISTICIAN, COUNTY_CODE, Capability.MANAGE_ROUNDS, TOWNSHIP, False),
    # ...and a collector surveys their own village only.
    (Role.VILLAGE_COLLECTOR, VILLAGE, Capability.COLLECT_SURVEY, VILLAGE, True),
    (Role.VILLAGE_COLLECTOR, VILLAGE, Capability.COLLECT_SURVEY, OTHER_VILLAGE, False),
])
def test_can_holds_the_capability_within_the_subtree_at_its_level(role, division, capability,
                                                                   at, allowed):
    assert User(role=role, division_code=division).can(capability, at=at) is allowed


def test_an_account_without_a_role_can_do_nothing():
    user = User(role=None, division_code=None)
    assert not any(user.can(capability) for capability in Capability)
