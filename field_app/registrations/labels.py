"""What the desk calls things: enum values, record states and interchange columns in Chinese
(through Flask-Babel), shared by the forms, the pages and the XLSX export."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from field_app.channels.models import Channel
from field_app.exchange.labels import COLUMNS  # noqa: F401  (the desk's field labels)
from field_app.households.models import Hukou, Sex
from field_app.registrations.models import (
    AidCategory,
    AidExitReason,
    AttritionReason,
    CancelReason,
    EmploymentType,
    PersonCategory,
)

EMPLOYMENT_TYPES = {
    EmploymentType.UNIT: _l("单位就业"),
    EmploymentType.INDIVIDUAL_BUSINESS: _l("个体工商户"),
    EmploymentType.FLEXIBLE: _l("灵活就业"),
    EmploymentType.PUBLIC_WELFARE_POST: _l("公益性岗位"),
}
PERSON_CATEGORIES = {
    PersonCategory.NEW_ENTRANT: _l("新成长劳动力"),
    PersonCategory.UNEMPLOYED_REEMPLOYED: _l("就业转失业"),
    PersonCategory.OTHER: _l("其他"),
}
CANCEL_REASONS = {
    CancelReason.EMPLOYED: _l("已就业"),
    CancelReason.RETIRED: _l("达到退休年龄"),
    CancelReason.MOVED_AWAY: _l("迁出本地"),
    CancelReason.STUDY_OR_SERVICE: _l("入学或参军"),
    CancelReason.DIED: _l("死亡"),
    CancelReason.OWN_REQUEST: _l("本人申请"),
    CancelReason.OTHER: _l("其他"),
}
AID_CATEGORIES = {
    AidCategory.OLDER_UNEMPLOYED: _l("大龄失业人员"),
    AidCategory.DISABLED: _l("残疾人"),
    AidCategory.ZERO_EMPLOYMENT_FAMILY: _l("零就业家庭成员"),
    AidCategory.SUBSISTENCE_ALLOWANCE: _l("城乡低保家庭成员"),
    AidCategory.LONG_TERM_UNEMPLOYED: _l("连续失业一年以上人员"),
    AidCategory.LANDLESS: _l("失去土地（草场）的农牧民"),
    AidCategory.OTHER: _l("其他"),
}
AID_EXIT_REASONS = {
    AidExitReason.UNIT_EMPLOYMENT: _l("单位就业"),
    AidExitReason.SELF_EMPLOYMENT: _l("个体经营"),
    AidExitReason.FLEXIBLE_EMPLOYMENT: _l("灵活就业"),
    AidExitReason.OTHER: _l("其他"),
}
ATTRITION_REASONS = {
    AttritionReason.RETIREMENT: _l("退休"),
    AttritionReason.DEATH: _l("死亡"),
    AttritionReason.OTHER: _l("其他"),
}
SEXES = {Sex.MALE: _l("男"), Sex.FEMALE: _l("女")}
HUKOU = {Hukou.URBAN: _l("城镇"), Hukou.RURAL: _l("农村牧区")}

# Every enumeration by the name templates and exports use for it.
ENUMS = {
    "employment_type": EMPLOYMENT_TYPES,
    "person_category": PERSON_CATEGORIES,
    "cancel_reason": CANCEL_REASONS,
    "category": AID_CATEGORIES,
    "exit_reason": AID_EXIT_REASONS,
    "reason": ATTRITION_REASONS,
    "sex": SEXES,
    "hukou": HUKOU,
}

STATES = {
    "open": _l("在职"),
    "ended": _l("已终止"),
    "registered": _l("在册"),
    "cancelled": _l("已注销"),
    "recognized": _l("在册"),
    "exited": _l("已退出"),
    "valid": _l("有效"),
    "invalid": _l("作废"),
}

YES, NO = _l("是"), _l("否")

# Where a record came from (来源): the desk (or the command-line import), or a partner
# channel's upload, named by its department and what it sends.
DESK_SOURCE = _l("登记台录入")
CHANNELS = {
    Channel.SI_ATTRITION: _l("社保·退休死亡"),
    Channel.SI_PAYEES: _l("社保·失业保险金领取人员"),
    Channel.MARKET: _l("工商·个体工商户"),
    Channel.CIVIL_SERVICE: _l("公务员局/编办·新录用人员"),
    Channel.STATISTICS: _l("统计局·期末从业人员"),
}
