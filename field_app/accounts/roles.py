"""Roles, the division level each is bound to, and account states with their transitions.

Imports nothing from the application: the tables here are the contract that models,
operations and tests share.
"""
from __future__ import annotations

import enum

from field_app.core.codes import Level


class Role(enum.StrEnum):
    VILLAGE_COLLECTOR = "village_collector"  # 村级信息采集员
    TOWNSHIP_REVIEWER = "township_reviewer"  # 乡镇审核员
    COUNTY_STATISTICIAN = "county_statistician"  # 旗县统计员
    COUNTY_LEADER = "county_leader"  # 旗县分管领导
    COUNTY_ADMIN = "county_admin"  # 旗县系统管理员（由盟市系统管理员任命）
    LEAGUE_STATISTICIAN = "league_statistician"  # 盟市统计员
    REGION_STATISTICIAN = "region_statistician"  # 自治区统计员
    LEAGUE_ADMIN = "league_admin"  # 盟市系统管理员
    REGION_ADMIN = "region_admin"  # 自治区系统管理员
    AUDITOR = "auditor"  # 审计员


ROLE_LEVEL: dict[Role, Level | None] = {
    Role.VILLAGE_COLLECTOR: Level.VILLAGE,
    Role.TOWNSHIP_REVIEWER: Level.TOWNSHIP,
    Role.COUNTY_STATISTICIAN: Level.COUNTY,
    Role.COUNTY_LEADER: Level.COUNTY,
    Role.COUNTY_ADMIN: Level.COUNTY,
    Role.LEAGUE_STATISTICIAN: Level.LEAGUE,
    Role.REGION_STATISTICIAN: Level.REGION,
    Role.LEAGUE_ADMIN: Level.LEAGUE,
    Role.REGION_ADMIN: Level.REGION,
    Role.AUDITOR: None,  # bound to any division; reads that subtree's audit log
}

ADMIN_ROLES = frozenset({Role.COUNTY_ADMIN, Role.LEAGUE_ADMIN, Role.REGION_ADMIN})
# The posts of a county and below, which the county's own administrator fills.
COUNTY_POSTS = frozenset({Role.VILLAGE_COLLECTOR, Role.TOWNSHIP_REVIEWER,
                          Role.COUNTY_STATISTICIAN, Role.COUNTY_LEADER})
# The roles each administrator grants, and so the accounts it manages (within its subtree,
# each at its role's level): never its own role, nor a role above it. The league
# administrator appoints the county administrators (the notice's 旗县管理员) of its league.
GRANTS: dict[Role, frozenset[Role]] = {
    Role.COUNTY_ADMIN: COUNTY_POSTS,
    Role.LEAGUE_ADMIN: COUNTY_POSTS | {Role.COUNTY_ADMIN, Role.LEAGUE_STATISTICIAN, Role.AUDITOR},
    Role.REGION_ADMIN: frozenset(Role) - {Role.REGION_ADMIN},
}
# Roles that sign in with a second factor (TOTP or a recovery code) after the password: they
# grant accounts or read every record's history. Optional for everyone else.
SECOND_FACTOR_ROLES = ADMIN_ROLES | {Role.AUDITOR}
# Roles that read statistics and division pages (the auditor reads only the audit log).
STATISTICS_ROLES = frozenset(Role) - {Role.AUDITOR}


class AccountState(enum.StrEnum):
    ACTIVE = "active"  # 正常
    LOCKED = "locked"  # 锁定（30天未登录）
    CANCELLED = "cancelled"  # 注销（两年未使用）
    DEACTIVATED = "deactivated"  # 调动或离职，权限已清除


class AccountEvent(enum.StrEnum):
    INACTIVITY_LOCK = "inactivity_lock"
    RESTORE = "restore"
    CANCEL = "cancel"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"


TRANSITIONS: dict[tuple[AccountState, AccountEvent], AccountState] = {
    (AccountState.ACTIVE, AccountEvent.INACTIVITY_LOCK): AccountState.LOCKED,
    (AccountState.ACTIVE, AccountEvent.CANCEL): AccountState.CANCELLED,
    (AccountState.LOCKED, AccountEvent.CANCEL): AccountState.CANCELLED,
    (AccountState.LOCKED, AccountEvent.RESTORE): AccountState.ACTIVE,
    (AccountState.ACTIVE, AccountEvent.DEACTIVATE): AccountState.DEACTIVATED,
    (AccountState.LOCKED, AccountEvent.DEACTIVATE): AccountState.DEACTIVATED,
    # A transferred person given a new position elsewhere gets a role again.
    (AccountState.DEACTIVATED, AccountEvent.REACTIVATE): AccountState.ACTIVE,
}


class RestoreState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


def next_state(state: AccountState, event: AccountEvent) -> AccountState | None:
    return TRANSITIONS.get((state, event))
