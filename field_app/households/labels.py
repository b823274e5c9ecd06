"""What households and their members are called: relations, sexes, labour capacities, industries.
The survey pages, the desk and the printed rosters use these same words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

RELATIONS = {
    "head": _l("户主"), "spouse": _l("配偶"), "child": _l("子女"), "parent": _l("父母"),
    "grandchild": _l("孙子女"), "sibling": _l("兄弟姐妹"), "other": _l("其他"),
}
SEXES = {"male": _l("男"), "female": _l("女")}
LABOUR_CAPACITIES = {"full": _l("完全劳动能力"), "partial": _l("部分劳动能力"),
                     "none": _l("无劳动能力")}
# GB/T 4754-2017 sections, shortened as rosters print them.
INDUSTRIES = {
    "A": _l("农林牧渔"), "B": _l("采矿"), "C": _l("制造"), "D": _l("电热燃水"), "E": _l("建筑"),
    "F": _l("批发零售"), "G": _l("交通运输"), "H": _l("住宿餐饮"), "I": _l("信息技术"),
    "J": _l("金融"), "K": _l("房地产"), "L": _l("租赁商务"), "M": _l("科研技术"),
    "N": _l("水利环境"), "O": _l("居民服务"), "P": _l("教育"), "Q": _l("卫生社会工作"),
    "R": _l("文体娱乐"), "S": _l("公共管理"), "T": _l("国际组织"),
}
