"""Realistic Chinese mobile numbers and names for the demo day, drawn from one ``random.Random``.

A number is drawn the way a real person's is distributed: an operator by its share of mobile subscribers, one of
the prefixes (号段) allocated to that operator for ordinary mobile service (``cn_mobile_prefixes.csv``, the table
ingest itself trusts), then random subscriber digits; it is kept only when its home location (归属地, the
phonenumbers-derived table of ``services.common.phoneregion``) lies in the province asked for, so every number
resolves to the region the demo meant.

Sources of the weights:
- operators: mobile subscribers at the end of 2023 in the operators' annual reports: China Mobile 991 million,
  China Telecom 407 million, China Unicom 333 million (57 / 24 / 19 %);
- provinces: roughly the resident population of the seventh national census (国家统计局, 2020), the provinces
  with the most online lead traffic first; the rest of the country shares the remaining weight.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from services.common.phoneregion import lookup
from services.ingest.domain.normalisation.mobile_prefixes import CN_MOBILE_LENGTH, allocated_prefixes

OPERATOR_SHARES: dict[str, float] = {"中国移动": 0.57, "中国电信": 0.24, "中国联通": 0.19}

# Province weights, in per mille of leads (census population, rounded; "" is anywhere else in the country).
PROVINCE_WEIGHTS: dict[str, int] = {
    "广东省": 90,
    "山东省": 72,
    "河南省": 70,
    "江苏省": 60,
    "四川省": 59,
    "河北省": 53,
    "湖南省": 47,
    "浙江省": 46,
    "安徽省": 43,
    "湖北省": 41,
    "广西壮族自治区": 36,
    "云南省": 33,
    "江西省": 32,
    "辽宁省": 30,
    "福建省": 29,
    "陕西省": 28,
    "贵州省": 27,
    "山西省": 25,
    "重庆市": 22,
    "上海市": 22,
    "北京市": 19,
    "天津市": 10,
    "": 106,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文辉玲斌宇浩凯鹏欣怡子涵梓轩雨萱浩然一诺"
_MAX_TRIES = 3000


@dataclass(frozen=True)
class MobileNumber:
    """An 11-digit national mobile number with the operator it was allocated to and its home location."""

    digits: str
    operator: str
    province: str
    city: str

    @property
    def e164(self) -> str:
        return "+86" + self.digits


@cache
def _prefixes_by_operator() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for row in allocated_prefixes():
        if row.service == "mobile" and row.operator in OPERATOR_SHARES:
            table.setdefault(row.operator, []).append(row.prefix)
    return {operator: tuple(prefixes) for operator, prefixes in table.items()}


def draw_mobile(rng: random.Random, province: str = "", city: str = "") -> MobileNumber:
    """A number of an operator drawn by subscriber share, whose home location is ``province`` (and ``city`` when
    given; "" means anywhere that the table places in a province). Raises ``LookupError`` when the table has no
    such place (a misspelt province)."""
    operators = list(OPERATOR_SHARES)
    weights = [OPERATOR_SHARES[o] for o in operators]
    prefixes = _prefixes_by_operator()
    for _ in range(_MAX_TRIES):
        operator = rng.choices(operators, weights)[0]
        prefix = rng.choice(prefixes[operator])
        digits = prefix + "".join(rng.choice("0123456789") for _ in range(CN_MOBILE_LENGTH - len(prefix)))
        place = lookup("+86" + digits)
        if place is None or not place.province:
            continue
        if province and place.province != province:
            continue
        if city and place.city != city:
            continue
        return MobileNumber(digits, operator, place.province, place.city)
    raise LookupError(f"no mobile range placed in {province or 'China'} {city}".strip())


def draw_province(rng: random.Random) -> str:
    """A province by weight ("" for the rest of the country)."""
    names = list(PROVINCE_WEIGHTS)
    return rng.choices(names, [PROVINCE_WEIGHTS[n] for n in names])[0]


def draw_name(rng: random.Random) -> str:
    """A Chinese name: a common surname and one or two given-name characters."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    """One name of ``(name, weight)`` pairs."""
    return rng.choices([n for n, _ in weighted], [w for _, w in weighted])[0]
