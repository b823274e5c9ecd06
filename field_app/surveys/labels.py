"""What the survey pages call things: statuses, fields and the enum values of a household
survey. The printed roster uses the same labels, so the phone and the paper say the same
words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from field_app.households.labels import (  # noqa: F401  (re-exported for the templates)
    INDUSTRIES,
    LABOUR_CAPACITIES,
    RELATIONS,
    SEXES,
)
from field_app.review.states import STATUSES

SPELL_KINDS = {"non_agri": _l("非农就业"), "primary_after_land_transfer": _l("流转后务农")}
DESTINATIONS = {"in_county": _l("旗县内"), "in_league": _l("盟内旗县外"),
                "in_region": _l("区内盟外"), "out_of_region": _l("区外"), "abroad": _l("境外")}
FUNDINGS = {"employment_fund": _l("就业专项资金"), "other_fiscal": _l("其他财政资金"),
            "self": _l("自费"), "other": _l("其他")}
HUKOUS = {"rural": _l("农业户籍"), "urban": _l("非农户籍")}
LOCATION_SOURCES = {"gps": _l("手机定位"), "typed": _l("手工填写")}

ENUMS = {
    "relation": RELATIONS,
    "labour_capacity": LABOUR_CAPACITIES,
    "hukou": HUKOUS,
    "sex": SEXES,
    "kind": SPELL_KINDS,
    "destination": DESTINATIONS,
    "funding": FUNDINGS,
    "industry": INDUSTRIES,
    "status": STATUSES,
    "location_source": LOCATION_SOURCES,
}

# Field labels by entity: the same column name means different things in a spell and a
# training, so the messages of the shared rules are worded per entity.
FIELDS = {
    "household": {
        "address": _l("地址"), "longitude": _l("经度"), "latitude": _l("纬度"),
        "accuracy": _l("定位精度（米）"), "location_source": _l("位置来源"),
    },
    "member": {
        "id_number": _l("公民身份号码"), "name": _l("姓名"), "hukou": _l("户籍"),
        "phone": _l("联系电话"), "relation": _l("与户主关系"),
        "labour_capacity": _l("劳动能力"),
    },
    "spell": {
        "kind": _l("转移类型"), "start_date": _l("开始日期"), "end_date": _l("结束日期"),
        "destination": _l("转移去向"), "industry": _l("从事行业"),
        "stable_workplace": _l("有稳定就业场所"), "stable_income": _l("有稳定收入"),
    },
    "training": {
        "course": _l("培训项目"), "institution": _l("培训机构"),
        "institution_certified": _l("机构具备资质"), "funding": _l("资金来源"),
        "start_date": _l("开始日期"), "end_date": _l("结束日期"), "completed": _l("已结业"),
    },
}


def label_map(labels: dict) -> dict[str, str]:
    return {str(key): str(value) for key, value in labels.items()}
