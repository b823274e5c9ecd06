"""The partner channels' files: each channel's columns (Chinese header, interchange key,
kind, allowed values, example, help) and the capability an uploader needs.

The texts are plain msgids marked with ``N_`` for extraction: a header is matched in the
uploaded file as written in Chinese, so it must stay a plain string here; pages and the
template's help sheet translate them where they are shown (``_(field.header)``).
"""
from __future__ import annotations

import dataclasses

from field_app.accounts.capabilities import Capability
from field_app.channels.models import Channel
from field_app.households.models import Hukou
from field_app.indicators.labels import N_
from field_app.registrations.models import (
    AttritionReason,
    EmployedTotal,
    EmploymentRegistration,
    NaturalAttrition,
    PersonCategory,
    UnemploymentRegistration,
)

KINDS = ("text", "id_number", "division", "date", "month", "int", "uscc", "choice")


@dataclasses.dataclass(frozen=True)
class Field:
    key: str  # interchange column name (or 'hire_kind', 'month')
    header: str  # the Chinese header, a plain str (also the msgid: wrap with _l where shown)
    required: bool
    kind: str  # one of KINDS
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label) for kind 'choice'
    default: str | None = None  # code or text used when the cell is blank
    example: str = ""  # the example row's cell (as written in the file)
    hint: str = ""  # one-line Chinese help shown on the page and as the XLSX header comment

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choices go with kind 'choice' only")

    def label_of(self, code: str) -> str:
        """The Chinese label of a choice code (the code itself if it is not one)."""
        return dict(self.choices).get(code, code)


@dataclasses.dataclass(frozen=True)
class ChannelSpec:
    channel: Channel
    title: str  # e.g. '社保：退休、死亡人员（自然减员）' (a msgid)
    source: str  # the partner department, e.g. '社会保险经办机构' (a msgid)
    description: str  # one or two sentences for the page (a msgid)
    fields: tuple[Field, ...]
    capability: Capability

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


# A blank optional cell that takes another column's value of the same row (登记日期 defaults
# to 成立日期 or 入职日期). ``sheets.read_upload`` fills it in, so ``SheetRow.values`` always
# holds the registration date.
DEFAULT_FROM: dict[str, str] = {"registered_on": "start_date"}

# --- the columns several channels share -----------------------------------------------

_HUKOU = ((Hukou.URBAN.value, N_("城镇")), (Hukou.RURAL.value, N_("农村")))
_PERSON_CATEGORY = (
    (PersonCategory.NEW_ENTRANT.value, N_("新成长劳动力")),
    (PersonCategory.UNEMPLOYED_REEMPLOYED.value, N_("就业转失业")),
    (PersonCategory.OTHER.value, N_("其他")),
)

ID_NUMBER = Field("id_number", N_("公民身份号码"), True, "id_number",
                  example="152201198503151221",
                  hint=N_("18位居民身份证号码，末位可为X；请以文本格式填写"))
NAME = Field("name", N_("姓名"), True, "text", example="张三",
             hint=N_("与身份证一致"))
HUKOU = Field("hukou", N_("户籍类型"), True, "choice", choices=_HUKOU, example="城镇",
              hint=N_("城镇或农村"))
PERSON_DIVISION = Field("division_code", N_("行政区划代码"), True, "division",
                        example="152201001003",
                        hint=N_("12位行政区划代码，须在上传人所辖范围内"))
PERSON_CATEGORY = Field("person_category", N_("人员类别"), False, "choice",
                        choices=_PERSON_CATEGORY, default=PersonCategory.OTHER.value,
                        example="其他", hint=N_("新成长劳动力、就业转失业或其他；留空：新登记为其他，已有登记保持原类别"))
_PERSON = (ID_NUMBER, NAME, HUKOU, PERSON_DIVISION)

CHANNELS: dict[Channel, ChannelSpec] = {
    Channel.SI_ATTRITION: ChannelSpec(
        Channel.SI_ATTRITION,
        title=N_("社保：退休、死亡人员（自然减员）"),
        source=N_("社会保险经办机构"),
        description=N_("社会保险经办机构提供的退休、死亡等减员人员，计入累计自然减员人数。"
                       "同一人同一减员日期再次上传时更新原记录。"),
        fields=(
            *_PERSON,
            Field("occurred_on", N_("减员日期"), True, "date", example="2026-03-31",
                  hint=N_("格式为YYYY-MM-DD")),
            Field("reason", N_("减员原因"), True, "choice",
                  choices=((AttritionReason.RETIREMENT.value, N_("退休")),
                           (AttritionReason.DEATH.value, N_("死亡")),
                           (AttritionReason.OTHER.value, N_("其他"))),
                  example="退休", hint=N_("退休、死亡或其他")),
        ),
        capability=NaturalAttrition.WRITE,
    ),
    Channel.SI_PAYEES: ChannelSpec(
        Channel.SI_PAYEES,
        title=N_("社保：失业保险金领取人员"),
        source=N_("社会保险经办机构"),
        description=N_("社会保险经办机构提供的当月失业保险金领取人员名单。领取人员均应为登记失业人员，"
                       "城镇户籍且无有效失业登记的，列入待登记名单由窗口办理。"),
        fields=(
            *_PERSON,
            Field("month", N_("领取月份"), True, "month", example="2026-03",
                  hint=N_("格式为YYYY-MM，如2026-03")),
        ),
        capability=UnemploymentRegistration.WRITE,
    ),
    Channel.MARKET: ChannelSpec(
        Channel.MARKET,
        title=N_("工商：个体工商户登记"),
        source=N_("市场监督管理部门"),
        description=N_("市场监督管理部门提供的新设立、注销个体工商户的经营者，"
                       "作为个体工商户就业登记导入。"),
        fields=(
            *_PERSON,
            Field("employer_uscc", N_("统一社会信用代码"), True, "uscc",
                  example="92152201MA0N123454",
                  hint=N_("18位统一社会信用代码（GB 32100）")),
            Field("employer_name", N_("字号名称"), False, "text", example="乌兰浩特市张三便利店",
                  hint=N_("个体工商户的字号，无字号可留空")),
            Field("start_date", N_("成立日期"), True, "date", example="2026-03-01",
                  hint=N_("格式为YYYY-MM-DD")),
            Field("end_date", N_("注销日期"), False, "date",
                  hint=N_("已注销的填写，格式为YYYY-MM-DD")),
            Field("registered_on", N_("登记日期"), False, "date", example="2026-03-05",
                  hint=N_("就业登记日期；留空则同成立日期")),
            PERSON_CATEGORY,
        ),
        capability=EmploymentRegistration.WRITE,
    ),
    Channel.CIVIL_SERVICE: ChannelSpec(
        Channel.CIVIL_SERVICE,
        title=N_("公务员局、编办：新录用公务员和事业单位人员"),
        source=N_("公务员主管部门、机构编制部门"),
        description=N_("新录用的公务员和事业单位工作人员，作为单位就业登记导入。"
                       "录用人员有未结束的失业登记的，按就业转失业人员再就业处理或交窗口核实。"),
        fields=(
            *_PERSON,
            Field("employer_uscc", N_("录用单位统一社会信用代码"), True, "uscc",
                  example="12152200MB12345674",
                  hint=N_("18位统一社会信用代码（GB 32100），机关、事业单位一般以1开头")),
            Field("employer_name", N_("录用单位名称"), True, "text", example="兴安盟某事业单位",
                  hint=N_("录用单位全称")),
            Field("hire_kind", N_("录用类别"), True, "choice",
                  choices=(("civil_servant", N_("公务员")),
                           ("public_institution", N_("事业单位人员"))),
                  example="公务员", hint=N_("公务员或事业单位人员")),
            Field("start_date", N_("入职日期"), True, "date", example="2026-03-01",
                  hint=N_("格式为YYYY-MM-DD")),
            Field("registered_on", N_("登记日期"), False, "date",
                  hint=N_("就业登记日期；留空则同入职日期")),
            PERSON_CATEGORY,
        ),
        capability=EmploymentRegistration.WRITE,
    ),
    Channel.STATISTICS: ChannelSpec(
        Channel.STATISTICS,
        title=N_("统计局：期末从业人员"),
        source=N_("统计局"),
        description=N_("统计部门提供的各地区期末从业人员总数及应扣除人数，"
                       "同一地区同一统计日期再次上传时更新原数。"),
        fields=(
            Field("division_code", N_("行政区划代码"), True, "division", example="152201000000",
                  hint=N_("12位行政区划代码，须在上传人所辖范围内")),
            Field("as_of", N_("统计日期"), True, "date", example="2025-12-31",
                  hint=N_("期末日期，格式为YYYY-MM-DD")),
            Field("employed_total", N_("期末从业人员数"), True, "int", example="7972",
                  hint=N_("非负整数")),
            Field("deduction", N_("扣除人数"), False, "int", default="0", example="145",
                  hint=N_("非负整数，不超过期末从业人员数；留空为0")),
        ),
        capability=EmployedTotal.WRITE,
    ),
}


def spec_for(name: str) -> ChannelSpec | None:
    """The channel named ``name`` (its enum value), or None for an unknown name."""
    try:
        return CHANNELS[Channel(name)]
    except ValueError:
        return None
