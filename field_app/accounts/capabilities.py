"""What each role may do, and at which level of the tree: the one permission table.

``User.can(capability, at=code)`` reads it: the role must hold the capability, and ``code``
must lie in the account's subtree and, for the capabilities listed in ``CAPABILITY_LEVEL``,
sit at that level. Views (``require_can``), record predicates, templates (``can`` in every
page) and the permission-matrix tests all read this table.

Imports nothing from the application beyond the roles and the code tree.
"""
from __future__ import annotations

import enum

from field_app.accounts.roles import Role
from field_app.core.codes import Level


class Capability(enum.StrEnum):
    READ_STATISTICS = "read_statistics"  # division pages and indicators
    COLLECT_SURVEY = "collect_survey"  # the household survey app of one's village
    REVIEW_HOUSEHOLDS = "review_households"  # the township's review of its villages
    VIEW_ROUNDS = "view_rounds"  # follow the county's survey rounds
    MANAGE_ROUNDS = "manage_rounds"  # open and close the county's survey rounds
    READ_DESK = "read_desk"  # the registration desk's records
    REGISTER_DESK = "register_desk"  # look persons up by ID number, register, see full numbers
    ENTER_ATTRITION = "enter_attrition"  # natural attrition (social-insurance data)
    ENTER_TOTALS = "enter_totals"  # employed totals of units
    PRINT_REPORTS = "print_reports"
    READ_AUDIT = "read_audit"  # the audit log, masked
    REVEAL_AUDIT = "reveal_audit"  # an audit event's values in full
    MANAGE_ACCOUNTS = "manage_accounts"  # accounts and restore requests
    # The reporting chain (逐级审核上报)
    VIEW_SUBMISSIONS = "view_submissions"  # the report calendar and the status of divisions below
    SUBMIT_REPORTS = "submit_reports"  # submit one's own division's figures, ask for a correction
    SIGN_OFF_REPORTS = "sign_off_reports"  # the leader's sign-off of a signed and sealed paper
    APPROVE_SUBMISSIONS = "approve_submissions"  # approve or return the level below's submissions
    VIEW_SNAPSHOTS = "view_snapshots"  # the monthly frozen snapshots (固化备份)
    # Figures an office can stand behind
    RUN_QUALITY_SCAN = "run_quality_scan"  # scan for quality findings, explain or close them
    EXPLAIN_FIGURES = "explain_figures"  # the persons behind a figure, masked
    ENTER_REPORTED_FIGURES = "enter_reported_figures"  # reported figures for the ±5% check
    SET_TARGETS = "set_targets"  # annual targets of the divisions below
    # Analysis and supervision (季分析, 考核)
    WRITE_ANALYSIS = "write_analysis"  # write and submit one's division's quarterly analysis
    VIEW_APPRAISAL = "view_appraisal"  # the appraisal scoreboard of the divisions below
    ISSUE_RECTIFICATION = "issue_rectification"  # rectification notices (限期改正) to divisions below
    # Partner systems
    MANAGE_API_CLIENTS = "manage_api_clients"  # register, revoke partner systems' API clients
    IMPORT_DATASETS = "import_datasets"  # upload an interchange data set of one's jurisdiction


C = Capability
# The reporting chain: each level's reviewer submits its own division upward (the township
# reviewer its villages' survey, the county and league statisticians their figures); the
# level above approves or returns (the county statistician the townships, the league
# statistician the counties, the region statistician the leagues); the county leader signs
# off the county's signed and sealed paper. The county system administrator (the notice's
# 旗县管理员) manages the accounts of its county only.
# Who works the registration desk (see README, "Registration desk"): the township staff and
# the county statisticians register; county leaders and administrators read. The notice has
# county offices print and sign the reports; the league and region administrators may print
# those of their subtree too. Administrators read the audit log masked: a role that can hand
# itself a colleague's account should not also read residents' identifiers out of the trail.
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.VILLAGE_COLLECTOR: frozenset({C.READ_STATISTICS, C.COLLECT_SURVEY}),
    Role.TOWNSHIP_REVIEWER: frozenset({C.READ_STATISTICS, C.REVIEW_HOUSEHOLDS, C.READ_DESK,
                                       C.REGISTER_DESK, C.PRINT_REPORTS, C.VIEW_SUBMISSIONS,
                                       C.SUBMIT_REPORTS, C.RUN_QUALITY_SCAN,
                                       C.EXPLAIN_FIGURES}),
    Role.COUNTY_STATISTICIAN: frozenset({C.READ_STATISTICS, C.VIEW_ROUNDS, C.MANAGE_ROUNDS,
                                         C.READ_DESK, C.REGISTER_DESK, C.ENTER_ATTRITION,
                                         C.ENTER_TOTALS, C.PRINT_REPORTS, C.VIEW_SUBMISSIONS,
                                         C.SUBMIT_REPORTS, C.APPROVE_SUBMISSIONS,
                                         C.RUN_QUALITY_SCAN, C.EXPLAIN_FIGURES,
                                         C.ENTER_REPORTED_FIGURES, C.SET_TARGETS,
                                         C.WRITE_ANALYSIS, C.VIEW_APPRAISAL,
                                         C.ISSUE_RECTIFICATION, C.IMPORT_DATASETS}),
    Role.COUNTY_LEADER: frozenset({C.READ_STATISTICS, C.VIEW_ROUNDS, C.READ_DESK,
                                   C.PRINT_REPORTS, C.VIEW_SUBMISSIONS, C.SIGN_OFF_REPORTS,
                                   C.EXPLAIN_FIGURES, C.VIEW_APPRAISAL}),
    Role.COUNTY_ADMIN: frozenset({C.READ_STATISTICS, C.VIEW_SUBMISSIONS, C.READ_AUDIT,
                                  C.MANAGE_ACCOUNTS}),
    Role.LEAGUE_STATISTICIAN: frozenset({C.READ_STATISTICS, C.READ_DESK, C.PRINT_REPORTS,
                                         C.VIEW_SUBMISSIONS, C.SUBMIT_REPORTS,
                                         C.APPROVE_SUBMISSIONS, C.RUN_QUALITY_SCAN,
                                         C.EXPLAIN_FIGURES, C.ENTER_REPORTED_FIGURES,
                                         C.SET_TARGETS, C.WRITE_ANALYSIS, C.VIEW_APPRAISAL,
                                         C.ISSUE_RECTIFICATION, C.VIEW_ROUNDS, C.IMPORT_DATASETS}),
    Role.REGION_STATISTICIAN: frozenset({C.READ_STATISTICS, C.READ_DESK, C.PRINT_REPORTS,
                                         C.VIEW_SUBMISSIONS, C.APPROVE_SUBMISSIONS,
                                         C.RUN_QUALITY_SCAN, C.EXPLAIN_FIGURES,
                                         C.ENTER_REPORTED_FIGURES, C.SET_TARGETS,
                                         C.WRITE_ANALYSIS, C.VIEW_APPRAISAL,
                                         C.ISSUE_RECTIFICATION, C.VIEW_ROUNDS}),
    Role.LEAGUE_ADMIN: frozenset({C.READ_STATISTICS, C.READ_DESK, C.PRINT_REPORTS,
                                  C.READ_AUDIT, C.MANAGE_ACCOUNTS, C.VIEW_SUBMISSIONS,
                                  C.VIEW_SNAPSHOTS, C.VIEW_APPRAISAL, C.MANAGE_API_CLIENTS}),
    Role.REGION_ADMIN: frozenset({C.READ_STATISTICS, C.READ_DESK, C.PRINT_REPORTS,
                                  C.READ_AUDIT, C.MANAGE_ACCOUNTS, C.VIEW_SUBMISSIONS,
                                  C.VIEW_SNAPSHOTS, C.VIEW_APPRAISAL, C.MANAGE_API_CLIENTS}),
    Role.AUDITOR: frozenset({C.READ_AUDIT, C.REVEAL_AUDIT}),
}

# Where a capability is exercised, when that is one level: a collector surveys households of
# a village, a reviewer reviews villages, a statistician runs the rounds of the county.
CAPABILITY_LEVEL: dict[Capability, Level] = {
    C.COLLECT_SURVEY: Level.VILLAGE,
    C.REVIEW_HOUSEHOLDS: Level.VILLAGE,
    C.MANAGE_ROUNDS: Level.COUNTY,
}


def holders(capability: Capability) -> frozenset[Role]:
    """The roles that hold ``capability``."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)


def role_can(role: Role | None, capability: Capability) -> bool:
    return role is not None and capability in ROLE_CAPABILITIES[role]
