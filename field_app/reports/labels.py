"""Words the printed forms use: report titles, table numbers, answer labels, periods."""
from __future__ import annotations

import calendar
import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from field_app.divisions.labels import INDICATOR_LABELS
from field_app.reports.models import ReportKind

TITLES = {
    ReportKind.RURAL: _l("农村牧区劳动力转移就业情况表"),
    ReportKind.URBAN: _l("城镇就业和失业情况表"),
    ReportKind.ROSTER: _l("入户调查花名册"),
}
# Numbering of the league's employment statistics forms (就业统计报表制度).
TABLE_NUMBERS = {
    ReportKind.RURAL: _l("兴人社就业统1表"),
    ReportKind.URBAN: _l("兴人社就业统2表"),
    ReportKind.ROSTER: _l("兴人社就业统3表"),
}
# Column heads of the tables: the indicator names, the "of which" columns marked as such.
COLUMN_LABELS = INDICATOR_LABELS | {
    "new_generation_transfer": _l("其中：新生代农牧民工"),
    "stable_transfer_180d": _l("其中：转移就业6个月以上"),
}

RELATIONS = {
    "head": _l("户主"), "spouse": _l("配偶"), "child": _l("子女"), "parent": _l("父母"),
    "grandchild": _l("孙子女"), "sibling": _l("兄弟姐妹"), "other": _l("其他"),
}
SEXES = {"male": _l("男"), "female": _l("女")}
LABOUR_CAPACITIES = {"full": _l("完全劳动能力"), "partial": _l("部分劳动能力"),
                     "none": _l("无劳动能力")}
SPELL_KINDS = {"non_agri": _l("非农就业"), "primary_after_land_transfer": _l("流转后务农")}
DESTINATIONS = {"in_county": _l("旗县内"), "in_league": _l("盟内旗县外"),
                "in_region": _l("区内盟外"), "out_of_region": _l("区外"), "abroad": _l("境外")}
FUNDINGS = {"employment_fund": _l("就业专项资金"), "other_fiscal": _l("其他财政资金"),
            "self": _l("自费"), "other": _l("其他")}
# GB/T 4754-2017 sections, shortened as rosters print them.
INDUSTRIES = {
    "A": _l("农林牧渔"), "B": _l("采矿"), "C": _l("制造"), "D": _l("电热燃水"), "E": _l("建筑"),
    "F": _l("批发零售"), "G": _l("交通运输"), "H": _l("住宿餐饮"), "I": _l("信息技术"),
    "J": _l("金融"), "K": _l("房地产"), "L": _l("租赁商务"), "M": _l("科研技术"),
    "N": _l("水利环境"), "O": _l("居民服务"), "P": _l("教育"), "Q": _l("卫生社会工作"),
    "R": _l("文体娱乐"), "S": _l("公共管理"), "T": _l("国际组织"),
}
ROSTER_FIGURES = {"households": _l("户数"), "members": _l("人数")}


def period_label(start: dt.date, end: dt.date) -> str:
    """报告期 as forms write it: ``2026年1-9月`` for whole months, dates otherwise."""
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return _("%(year)d年%(month)d月", year=start.year, month=start.month)
        return _("%(year)d年%(first)d-%(last)d月", year=start.year, first=start.month,
                 last=end.month)
    return _("%(start)s至%(end)s", start=date_label(start), end=date_label(end))


def date_label(day: dt.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日", year=day.year, month=day.month, day=day.day)
