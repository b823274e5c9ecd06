"""Factories for test records: valid by default, every field overridable."""
from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import ric

from field_app.accounts.models import User
from field_app.accounts.roles import AccountState, Role
from field_app.core.clock import clock
from field_app.core.codes import level_of
from field_app.divisions.models import Division
from field_app.households.models import Household, HouseholdMember, Person
from field_app.registrations.models import (
    EmployedTotal,
    EmploymentAid,
    EmploymentRegistration,
    NaturalAttrition,
    UnemploymentRegistration,
)
from field_app.surveys.models import Training, TransferSpell

_sequence = itertools.count(1)
PASSWORD = "Field-app-2026"
# The authenticator secret of every test account that signs in with a second factor.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(user: User) -> str:
    """The authenticator's code for ``user`` now, or for the next step when this step's
    code was already used (a code is accepted once; one step ahead is within the drift
    allowance)."""
    import pyotp

    from field_app.accounts.two_factor import step_at

    step = step_at(clock.now())
    last = user.security.totp_last_step if user.security else None
    if last is not None and last >= step:
        step = last + 1
    return pyotp.TOTP(user.security.totp_secret).generate_otp(step)


def make_id_number(birth: dt.date, sex: str = "male", region: str = "152201") -> str:
    """A valid GB 11643 number for the birth date and sex (odd 17th digit: male)."""
    n = next(_sequence)
    sex_digit = (n // 100 % 5) * 2 + (1 if sex == "male" else 0)
    body = f"{region}{birth:%Y%m%d}{n % 100:02d}{sex_digit}"
    return body + ric.calc_check_digit(body + "0")


def _uscc(seed: int) -> str:
    from stdnum.cn import uscc

    body = f"91152201{seed:09d}"
    return body + uscc.calc_check_digit(body)


class Factory:
    """``make.person(...)``, ``make.employment(person, ...)`` and so on, flushed at once."""

    TREE = [
        ("150000000000", "内蒙古自治区", None),
        ("152200000000", "兴安盟", "150000000000"),
        ("152201000000", "乌兰浩特市", "152200000000"),
        ("152201001000", "都林街道", "152201000000"),
        ("152201001001", "第一社区", "152201001000"),
        ("152201001002", "第二社区", "152201001000"),
        ("152201100000", "义勒力特镇", "152201000000"),
        ("152201100201", "葛根庙嘎查", "152201100000"),
        ("152202000000", "阿尔山市", "152200000000"),
        ("152202100000", "白狼镇", "152202000000"),
        ("152202100201", "林俗村", "152202100000"),
    ]

    def __init__(self, session) -> None:
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def tree(self) -> None:
        """A small region → league → two banners → townships → villages tree."""
        for code, name, parent in self.TREE:
            self.division(code, name, parent)

    def division(self, code: str, name: str = "测试区划", parent: str | None = None) -> Division:
        return self._add(Division(code=code, name=name, parent_code=parent,
                                  level=int(level_of(code))))

    def person(self, birth: dt.date = dt.date(1990, 5, 17), sex: str = "male", *,
               id_number: str | None = None, name: str = "测试人员", hukou: str = "rural",
               phone: str | None = "13800000000") -> Person:
        number = id_number or make_id_number(birth, sex)
        return self._add(Person(id_number=number, name=name, sex=sex, birth_date=birth,
                                hukou=hukou, phone=phone))

    def household(self, village: str = "152201100201", code: str | None = None) -> Household:
        return self._add(Household(code=code or f"{village}{next(_sequence):05d}",
                                   village_code=village, address="测试地址"))

    def member(self, person: Person, household: Household | None = None, *,
               relation: str = "head", labour_capacity: str = "full") -> HouseholdMember:
        return self._add(HouseholdMember(person_id=person.id,
                                         household_id=(household or self.household()).id,
                                         relation=relation, labour_capacity=labour_capacity))

    def rural_person(self, birth: dt.date = dt.date(1990, 5, 17), sex: str = "male", *,
                     village: str = "152201100201", labour_capacity: str = "full") -> Person:
        person = self.person(birth, sex)
        self.member(person, self.household(village), labour_capacity=labour_capacity)
        return person

    def spell(self, person: Person, start: dt.date, end: dt.date | None = None, *,
              kind: str = "non_agri", stable_workplace: bool = False,
              stable_income: bool = False, destination: str | None = "in_region") -> TransferSpell:
        return self._add(TransferSpell(person_id=person.id, kind=kind, start_date=start,
                                       end_date=end, destination=destination, industry="E",
                                       stable_workplace=stable_workplace,
                                       stable_income=stable_income))

    def training(self, person: Person, end: dt.date, *, start: dt.date | None = None,
                 course: str | None = None, certified: bool = True,
                 funding: str = "employment_fund", completed: bool = True) -> Training:
        return self._add(Training(person_id=person.id, course=course or f"课程{next(_sequence)}",
                                  institution="兴安职业培训学校", institution_certified=certified,
                                  funding=funding, start_date=start or end - dt.timedelta(days=10),
                                  end_date=end, completed=completed))

    def employment(self, person: Person, start: dt.date, *, division: str = "152201001001",
                   employment_type: str = "flexible", employer_uscc: str | None = None,
                   end: dt.date | None = None, registered_on: dt.date | None = None,
                   category: str = "new_entrant", formal_transfer: bool = False,
                   valid: bool = True) -> EmploymentRegistration:
        if employer_uscc is None and employment_type in ("unit", "individual_business"):
            employer_uscc = _uscc(1)
        return self._add(EmploymentRegistration(
            registration_no=f"JY{next(_sequence):08d}", person_id=person.id,
            division_code=division, employment_type=employment_type,
            employer_uscc=employer_uscc, employer_name="某单位" if employer_uscc else None,
            start_date=start, end_date=end, registered_on=registered_on or start,
            person_category=category, formal_transfer=formal_transfer, valid=valid))

    def unemployment(self, person: Person, registered_on: dt.date, *,
                     division: str = "152201001001", cancelled_on: dt.date | None = None,
                     valid: bool = True) -> UnemploymentRegistration:
        return self._add(UnemploymentRegistration(
            registration_no=f"SY{next(_sequence):08d}", person_id=person.id,
            division_code=division, registered_on=registered_on, cancelled_on=cancelled_on,
            valid=valid, receives_benefit=False))

    def aid(self, person: Person, recognized_on: dt.date, *, exited_on: dt.date | None = None,
            exit_reason: str | None = None, division: str = "152201001001") -> EmploymentAid:
        return self._add(EmploymentAid(person_id=person.id, division_code=division,
                                       recognized_on=recognized_on, exited_on=exited_on,
                                       exit_reason=exit_reason))

    def attrition(self, person: Person, occurred_on: dt.date, *, division: str = "152201001001",
                  reason: str = "retirement") -> NaturalAttrition:
        return self._add(NaturalAttrition(person_id=person.id, division_code=division,
                                          occurred_on=occurred_on, reason=reason))

    def employed_total(self, division: str, as_of: dt.date, total: int,
                       deduction: int = 0) -> EmployedTotal:
        return self._add(EmployedTotal(division_code=division, as_of=as_of,
                                       employed_total=total, deduction=deduction))


    def user(self, role: str | Role, division: str | None = None, *, username: str | None = None,
             password: str = PASSWORD, must_change_password: bool = False,
             state: AccountState = AccountState.ACTIVE,
             second_factor: bool | None = None) -> User:
        """An account; with the authenticator ``TOTP_SECRET`` enrolled when
        ``second_factor`` (by default: when its role requires one)."""
        from werkzeug.security import generate_password_hash

        from field_app.accounts.roles import SECOND_FACTOR_ROLES

        role = Role(role)
        user = self._add(User(
            username=username or f"{role.value}{next(_sequence)}",
            display_name=f"测试{role.value}", role=role,
            division_code=division or DIVISION_FOR_ROLE[role], state=state,
            password_hash=generate_password_hash(password, method="scrypt:1024:8:1"),
            must_change_password=must_change_password, last_activity_at=clock.now()))
        if second_factor if second_factor is not None else role in SECOND_FACTOR_ROLES:
            self.second_factor(user)
        return user

    def second_factor(self, user: User, secret: str = TOTP_SECRET,
                      recovery_codes: tuple[str, ...] = ()) -> User:
        """Enrol ``user``'s authenticator (and these recovery codes) as if done on the page."""
        from field_app.accounts.models import AccountSecurity, RecoveryCode
        from field_app.accounts.two_factor import recovery_hash

        security = user.security or AccountSecurity(session_generation=0)
        security.totp_secret, security.totp_enabled_at = secret, clock.now()
        user.security = security
        for code in recovery_codes:
            self.session.add(RecoveryCode(user_id=user.id, code_hash=recovery_hash(code)))
        self.session.flush()
        return user

    def survey_round(self, county: str = "152201000000", year: int | None = None):
        """The county's survey round, opened by a new county statistician (every household
        of the county gets 未调查)."""
        from field_app.surveys.operations import open_round

        statistician = self.user(Role.COUNTY_STATISTICIAN, county)
        return open_round(self.session, county_code=county, year=year or clock.today().year,
                          actor=statistician)


# Where each role sits in the factory tree.
DIVISION_FOR_ROLE = {
    Role.VILLAGE_COLLECTOR: "152201100201",
    Role.TOWNSHIP_REVIEWER: "152201100000",
    Role.COUNTY_STATISTICIAN: "152201000000",
    Role.COUNTY_LEADER: "152201000000",
    Role.COUNTY_ADMIN: "152201000000",
    Role.LEAGUE_STATISTICIAN: "152200000000",
    Role.REGION_STATISTICIAN: "150000000000",
    Role.LEAGUE_ADMIN: "152200000000",
    Role.REGION_ADMIN: "150000000000",
    Role.AUDITOR: "152200000000",
}

uscc_for = _uscc
