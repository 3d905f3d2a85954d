"""How ``split_region`` reads the geocoder's Chinese descriptions, the rule the CN region table is generated with."""

from __future__ import annotations

import pytest

from services.common.phoneregion.descriptions import split_region


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("广东省深圳市", ("广东省", "深圳市")),
        ("北京市", ("北京市", "北京市")),
        ("天津", ("天津市", "天津市")),
        ("广西南宁市", ("广西壮族自治区", "南宁市")),
        ("广西壮族自治区南宁市、崇左市", ("广西壮族自治区", "")),
        ("内蒙古呼和浩特市", ("内蒙古自治区", "呼和浩特市")),
        ("新疆伊犁哈萨克自治州", ("新疆维吾尔自治区", "伊犁哈萨克自治州")),
        ("宁夏银川市", ("宁夏回族自治区", "银川市")),
        ("西藏拉萨市", ("西藏自治区", "拉萨市")),
        ("吉林省吉林市", ("吉林省", "吉林市")),
        ("云南迪庆", ("云南省", "迪庆")),
        ("陕西省西安市", ("陕西省", "西安市")),
        ("山西省太原市", ("山西省", "太原市")),
        ("湖北省襄樊市、襄樊市", ("湖北省", "襄樊市")),
        ("黑龙江省哈尔滨市", ("黑龙江省", "哈尔滨市")),
        ("广东省", ("广东省", "")),
        ("中国", ("", "")),
        ("", ("", "")),
    ],
)
def test_split_region(description: str, expected: tuple[str, str]) -> None:
    assert split_region(description) == expected


def test_every_chinese_geocoder_description_names_a_province() -> None:
    from phonenumbers.geodata import GEOCODE_DATA

    descriptions = {v["zh"] for k, v in GEOCODE_DATA.items() if k.startswith("86") and "zh" in v}
    assert descriptions
    for description in descriptions:
        province, city = split_region(description)
        assert province, description
        assert not city.startswith(("省", "市", "自治区")), description
