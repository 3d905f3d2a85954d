"""Split a Chinese phone geocoder description (归属地) into province and city: the rule ``cn_regions.csv`` is built
with (``scripts/gen_cn_regions.py``) and its drift tests check against. Services read the table, never this.

``phonenumbers.geocoder.description_for_number(n, "zh")`` answers one string per number prefix, and its data is
not uniform: "广东省深圳市", "北京市", "广西南宁市" (no 壮族自治区), "新疆乌鲁木齐市", "云南迪庆" (no 省 and no 州),
"贵州省贵阳市、遵义市、安顺市" (a prefix shared by three cities), or just "中国" (newer mobile ranges).

Rules, in order:

* The province is recognised from the fixed list of the 34 province-level divisions, by full name or short name,
  and always returned in its full official name ("广西" → "广西壮族自治区"), so that every consumer compares
  the same spelling (telephony prefers a masked number in the lead's own province).
* Municipalities (北京/天津/上海/重庆) are cities as well: city = province ("北京市" → 北京市 / 北京市).
* The city is the rest of the description, as the geocoder spells it ("深圳市", "迪庆", "伊犁哈萨克自治州").
  When the rest lists several places ("贵阳市、遵义市、安顺市") the city is unknown and left empty (unless the
  list repeats one place: "襄樊市、襄樊市" → 襄樊市).
* A description that names no province ("中国", anything unexpected) gives empty province and city.
"""

from __future__ import annotations

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")

# (full official name, short name) of every province-level division.
_PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"),
    ("天津市", "天津"),
    ("上海市", "上海"),
    ("重庆市", "重庆"),
    ("河北省", "河北"),
    ("山西省", "山西"),
    ("辽宁省", "辽宁"),
    ("吉林省", "吉林"),
    ("黑龙江省", "黑龙江"),
    ("江苏省", "江苏"),
    ("浙江省", "浙江"),
    ("安徽省", "安徽"),
    ("福建省", "福建"),
    ("江西省", "江西"),
    ("山东省", "山东"),
    ("河南省", "河南"),
    ("湖北省", "湖北"),
    ("湖南省", "湖南"),
    ("广东省", "广东"),
    ("海南省", "海南"),
    ("四川省", "四川"),
    ("贵州省", "贵州"),
    ("云南省", "云南"),
    ("陕西省", "陕西"),
    ("甘肃省", "甘肃"),
    ("青海省", "青海"),
    ("台湾省", "台湾"),
    ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"),
    ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
    ("香港特别行政区", "香港"),
    ("澳门特别行政区", "澳门"),
)

# Every spelling that may open a description, longest first so "广西壮族自治区" wins over "广西".
_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [(full, full) for full, _ in _PROVINCES] + [(short, full) for full, short in _PROVINCES],
        key=lambda pair: -len(pair[0]),
    )
)


def split_region(description: str) -> tuple[str, str]:
    """(province, city) of a Chinese geocoder description; ("", "") when it names no province."""
    match = next((pair for pair in _PREFIXES if description.startswith(pair[0])), None)
    if match is None:
        return "", ""
    prefix, province = match
    rest = description[len(prefix) :]
    if province in _MUNICIPALITIES:
        return province, province
    if "、" in rest:
        places = set(rest.split("、"))
        return province, places.pop() if len(places) == 1 else ""
    return province, rest
