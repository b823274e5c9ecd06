"""Names of the scopes and states of API clients, as the pages show them."""
from flask_babel import lazy_gettext as _l

SCOPE_LABELS = {
    "indicators:read": _l("读取指标"),
    "divisions:read": _l("读取区划"),
    "submissions:read": _l("读取上报状态"),
    "quality:read": _l("读取质量问题"),
    "registrations:read": _l("读取登记（身份证号脱敏）"),
    "registrations:write": _l("办理登记（与登记台同一规则）"),
    "persons:check": _l("核验人员状态（脱敏，限频）"),
    "exports:read": _l("导出 CSV"),
    "datasets:write": _l("上传数据集（后台导入，全部或全不）"),
}
STATES = {"active": _l("有效"), "expired": _l("已过期"), "revoked": _l("已吊销")}
