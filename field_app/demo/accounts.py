"""One demo account per role, placed in 科尔沁右翼前旗 and the league (README lists them)."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from field_app.accounts.models import AccountSecurity, User
from field_app.accounts.operations import hash_password
from field_app.accounts.policy import AccountPolicy
from field_app.accounts.roles import SECOND_FACTOR_ROLES, AccountState, Role
from field_app.core.clock import clock
from field_app.divisions.models import Division

DEMO_PASSWORD = "Xingan-2026"
# The demo administrators' and auditor's authenticator secret, published in the README like
# the password, so that anyone trying the demo can add it to an app (or compute the code
# with pyotp). It protects nothing: a real deployment's accounts enrol their own.
DEMO_TOTP_SECRET = "XINGANJIUYEDEMOXINGANJIUYEDEMO23"
DEMO_COUNTY = "152221000000"  # 科尔沁右翼前旗

# username, name, role, where ("village" and "township" are picked in DEMO_COUNTY)
DEMO_ACCOUNTS = [
    ("demo_village", "包金花", Role.VILLAGE_COLLECTOR, "village"),
    ("demo_township", "白音", Role.TOWNSHIP_REVIEWER, "township"),
    ("demo_statistician", "王丽娟", Role.COUNTY_STATISTICIAN, DEMO_COUNTY),
    ("demo_leader", "敖其尔", Role.COUNTY_LEADER, DEMO_COUNTY),
    ("demo_county_admin", "刘海峰", Role.COUNTY_ADMIN, DEMO_COUNTY),
    ("demo_league_statistician", "萨仁", Role.LEAGUE_STATISTICIAN, "152200000000"),
    ("demo_region_statistician", "赵文博", Role.REGION_STATISTICIAN, "150000000000"),
    ("demo_league_admin", "李建国", Role.LEAGUE_ADMIN, "152200000000"),
    ("demo_region_admin", "张志强", Role.REGION_ADMIN, "150000000000"),
    ("demo_auditor", "乌云", Role.AUDITOR, "152200000000"),
]


def _first_township_and_village(session: Session) -> tuple[str, str]:
    village = aliased(Division)
    township = session.scalar(
        select(Division.code)
        .where(Division.parent_code == DEMO_COUNTY,
               exists().where(village.parent_code == Division.code))
        .order_by(Division.code))
    first_village = session.scalar(
        select(Division.code).where(Division.parent_code == township).order_by(Division.code))
    return township, first_village


def ensure_demo_accounts(session: Session, policy: AccountPolicy) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the usernames created.

    They skip the first-sign-in password change so the README's credentials work as
    printed; a real deployment creates accounts through the administrators instead. The
    roles that sign in with a second factor get the published ``DEMO_TOTP_SECRET`` (also
    demo accounts made before two-factor sign-in existed, unless they enrolled their own).
    """
    township, village = _first_township_and_village(session)
    where = {"village": village, "township": township}
    existing = {user.username: user for user in session.scalars(
        select(User).where(User.username.in_([account[0] for account in DEMO_ACCOUNTS])))}
    created = []
    for username, name, role, place in DEMO_ACCOUNTS:
        user = existing.get(username)
        if user is None:
            user = User(username=username, display_name=name, role=role,
                        division_code=where.get(place, place), state=AccountState.ACTIVE,
                        password_hash=hash_password(DEMO_PASSWORD, policy),
                        must_change_password=False, last_activity_at=clock.now())
            session.add(user)
            created.append(username)
        if role in SECOND_FACTOR_ROLES and not user.has_second_factor:
            security = user.security or AccountSecurity(session_generation=0)
            security.totp_secret, security.totp_enabled_at = DEMO_TOTP_SECRET, clock.now()
            user.security = security
    session.flush()
    return created


def ensure_demo_round(session: Session) -> bool:
    """The demo county's survey of this year, opened by the demo statistician (so the demo
    village collector can survey at once); True when it was opened now."""
    from field_app.surveys import operations, queries

    if queries.open_round(session, DEMO_COUNTY) is not None:
        return False
    statistician = session.scalar(select(User).where(User.username == "demo_statistician"))
    if statistician is None:
        return False
    operations.open_round(session, county_code=DEMO_COUNTY, year=clock.today().year,
                          actor=statistician)
    return True
