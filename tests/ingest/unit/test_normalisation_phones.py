"""Phone numbers and WeChat IDs as people really type them into lead forms.

The table drives ``screen_contact`` with the input in the phone field or in the WeChat field and checks the lead's
phone (E.164) or the rejection, whether the phone came from the WeChat ID, and the kind of number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from services.ingest.domain.normalisation import (
    PhoneKind,
    RawContact,
    RejectionCode,
    ScreeningRules,
    normalise_phone,
    screen_contact,
    validate_wechat_id,
    wechat_as_phone,
)

M, L, TF, OTH = PhoneKind.MOBILE, PhoneKind.LANDLINE, PhoneKind.TOLL_FREE, PhoneKind.OTHER
INVALID = RejectionCode.PHONE_INVALID
WECHAT_INVALID = RejectionCode.WECHAT_INVALID
NOT_MOBILE = RejectionCode.PHONE_LANDLINE_NOT_ALLOWED
SAMPLE = "+8613800138000"


@dataclass(frozen=True)
class Row:
    field: str  # "phone" or "wechat"
    raw: str
    expected: (
        str | RejectionCode | None
    )  # E.164 of the lead's phone, the single rejection, or None (no phone)
    from_wechat: bool
    kind: PhoneKind | None
    mobile_only: bool = False


ROWS: dict[str, Row] = {
    # --- Chinese mobiles in every common form -----------------------------------------------------------------
    "plain": Row("phone", "13800138000", SAMPLE, False, M),
    "e164": Row("phone", "+8613800138000", SAMPLE, False, M),
    "plus86 spaced": Row("phone", "+86 138 0013 8000", SAMPLE, False, M),
    "0086 spaced": Row("phone", "0086 138 0013 8000", SAMPLE, False, M),
    "0086 joined": Row("phone", "008613800138000", SAMPLE, False, M),
    "86 joined": Row("phone", "8613800138000", SAMPLE, False, M),
    "86 dashed": Row("phone", "86-138-0013-8000", SAMPLE, False, M),
    "dashes": Row("phone", "138-0013-8000", SAMPLE, False, M),
    "dots": Row("phone", "138.0013.8000", SAMPLE, False, M),
    "parenthesised code": Row("phone", "(+86) 138 0013 8000", SAMPLE, False, M),
    "full-width digits": Row("phone", "１３８００１３８０００", SAMPLE, False, M),
    "full-width plus and dashes": Row("phone", "＋８６ １３８－００１３－８０００", SAMPLE, False, M),
    "em dashes": Row("phone", "138—0013—8000", SAMPLE, False, M),
    "86 then full-width": Row("phone", "86１３８００１３８０００", SAMPLE, False, M),
    "tel uri": Row("phone", "tel:+86-138-0013-8000", SAMPLE, False, M),
    "TEL full-width colon": Row("phone", "TEL：13800138000", SAMPLE, False, M),
    "chinese label": Row("phone", "手机：13800138000", SAMPLE, False, M),
    "trailing full stop": Row("phone", " 13800138000。", SAMPLE, False, M),
    "brackets": Row("phone", "【13800138000】", SAMPLE, False, M),
    "trunk zero before mobile": Row("phone", "013800138000", SAMPLE, False, M),
    "IP-dialling prefix 17951": Row("phone", "17951 13800138000", SAMPLE, False, M),
    "virtual 170": Row("phone", "17012345678", "+8617012345678", False, M),
    "virtual 171": Row("phone", "17112345678", "+8617112345678", False, M),
    "virtual 162": Row("phone", "16212345678", "+8616212345678", False, M),
    "virtual 165": Row("phone", "16512345678", "+8616512345678", False, M),
    "virtual 167": Row("phone", "16712345678", "+8616712345678", False, M),
    "166": Row("phone", "16612345678", "+8616612345678", False, M),
    "199": Row("phone", "19912345678", "+8619912345678", False, M),
    "192 broadcast": Row("phone", "19212345678", "+8619212345678", False, M),
    "198": Row("phone", "198 1234 5678", "+8619812345678", False, M),
    "145": Row("phone", "14512345678", "+8614512345678", False, M),
    "147": Row("phone", "14712345678", "+8614712345678", False, M),
    "150": Row("phone", "150-1234-5678", "+8615012345678", False, M),
    "186": Row("phone", "18612345678", "+8618612345678", False, M),
    # --- not numbers, wrong length, unallocated ----------------------------------------------------------------
    "10 digits": Row("phone", "1380013800", INVALID, False, None),
    "12 digits": Row("phone", "138001380001", INVALID, False, None),
    "plus86 ten digits": Row("phone", "+86 138 0013 800", INVALID, False, None),
    "unallocated 140": Row("phone", "14012345678", INVALID, False, None),
    "unallocated 160": Row("phone", "16012345678", INVALID, False, None),
    "unallocated 120": Row("phone", "12012345678", INVALID, False, None),
    "letters inside": Row("phone", "138ABC13800", INVALID, False, None),
    "extension": Row("phone", "13800138000 ext 12", SAMPLE, False, M),  # the extension has its own field
    "words": Row("phone", "not given", INVALID, False, None),
    "five digits": Row("phone", "12345", INVALID, False, None),
    "service code": Row("phone", "10086", INVALID, False, None),
    "086 prefix": Row("phone", "086 13800138000", INVALID, False, None),
    "same number twice": Row("phone", "13800138000 13800138000", SAMPLE, False, M),
    "unknown country code": Row("phone", "+999 1234567", INVALID, False, None),
    "local without area code": Row("phone", "12345678", INVALID, False, None),
    "shenzhen 7 digits": Row("phone", "0755-1234567", INVALID, False, None),
    "only a plus": Row("phone", "+", INVALID, False, None),
    # --- landlines, 400 and 800 ------------------------------------------------------------------------------
    "beijing": Row("phone", "010-12345678", "+861012345678", False, L),
    "beijing parenthesised": Row("phone", "(010)12345678", "+861012345678", False, L),
    "beijing no trunk zero": Row("phone", "1012345678", "+861012345678", False, L),
    "shanghai plus86": Row("phone", "+86 21 1234 5678", "+862112345678", False, L),
    "shenzhen": Row("phone", "0755-12345678", "+8675512345678", False, L),
    "shenzhen (0) after code": Row("phone", "+86 (0)755 2345 6789", "+8675523456789", False, L),
    "shenzhen 0086 and trunk": Row("phone", "0086-0755-23456789", "+8675523456789", False, L),
    "urumqi 7 digits": Row("phone", "0991-1234567", "+869911234567", False, L),
    "400": Row("phone", "400-123-4567", "+864001234567", False, OTH),
    "800": Row("phone", "800 123 4567", "+868001234567", False, TF),
    "landline, mobile only": Row("phone", "010-12345678", NOT_MOBILE, False, L, mobile_only=True),
    "400, mobile only": Row("phone", "4001234567", NOT_MOBILE, False, OTH, mobile_only=True),
    "800, mobile only": Row("phone", "8001234567", NOT_MOBILE, False, TF, mobile_only=True),
    "mobile, mobile only": Row("phone", "13800138000", SAMPLE, False, M, mobile_only=True),
    # --- other countries --------------------------------------------------------------------------------------
    "usa (fixed or mobile)": Row("phone", "+1 201-555-0123", "+12015550123", False, M),
    "uk mobile": Row("phone", "+44 7911 123456", "+447911123456", False, M),
    "uk landline": Row("phone", "+44 20 7946 0958", "+442079460958", False, L),
    "hong kong": Row("phone", "+852 9123 4567", "+85291234567", False, M),
    "hong kong via 00": Row("phone", "00852 9123 4567", "+85291234567", False, M),
    "japan": Row("phone", "+81 90-1234-5678", "+819012345678", False, M),
    "singapore": Row("phone", "+65 8123 4567", "+6581234567", False, M),
    "taiwan": Row("phone", "+886 912 345 678", "+886912345678", False, M),
    # --- WeChat IDs that are mobile numbers --------------------------------------------------------------------
    "wechat plain mobile": Row("wechat", "13800138000", SAMPLE, True, M),
    "wechat plus86": Row("wechat", "+86 138 0013 8000", SAMPLE, True, M),
    "wechat 0086 dashed": Row("wechat", "0086-138-0013-8000", SAMPLE, True, M),
    "wechat 86 spaced": Row("wechat", "86 13800138000", SAMPLE, True, M),
    "wechat full-width": Row("wechat", "１３８ ００１３ ８０００", SAMPLE, True, M),
    "wechat virtual 170": Row("wechat", "170-1234-5678", "+8617012345678", True, M),
    "wechat foreign mobile": Row("wechat", "+852 9123 4567", "+85291234567", True, M),
    # --- real WeChat IDs: no phone ----------------------------------------------------------------------------
    "wechat id": Row("wechat", "ZhangSan_88", None, False, None),
    "wechat wxid": Row("wechat", "wxid_abcdefghijklmn", None, False, None),
    "wechat with hyphen": Row("wechat", "a-b_c-123", None, False, None),
    "wechat labelled": Row("wechat", "微信：zhangsan88", None, False, None),
    "wechat full-width letters": Row("wechat", "ｚｈａｎｇｓａｎ８８", None, False, None),
    "wechat 20 chars": Row("wechat", "a" * 20, None, False, None),
    # --- WeChat field neither an ID nor a mobile ---------------------------------------------------------------
    "wechat landline": Row("wechat", "010-12345678", WECHAT_INVALID, False, None),
    "wechat 400": Row("wechat", "400-123-4567", WECHAT_INVALID, False, None),
    "wechat 10 digits": Row("wechat", "1380013800", WECHAT_INVALID, False, None),
    "wechat qq number": Row("wechat", "123456789", WECHAT_INVALID, False, None),
    "wechat too short": Row("wechat", "abcde", WECHAT_INVALID, False, None),
    "wechat too long": Row("wechat", "a" * 21, WECHAT_INVALID, False, None),
    "wechat starts with underscore": Row("wechat", "_abcdef", None, False, None),
    "wechat starts with digit": Row("wechat", "1abcdef", WECHAT_INVALID, False, None),
    "wechat chinese": Row("wechat", "张三的微信号", WECHAT_INVALID, False, None),
    "wechat dot": Row("wechat", "zhang.san", WECHAT_INVALID, False, None),
    "wechat space": Row("wechat", "zhang san 88", WECHAT_INVALID, False, None),
}


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 60


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_phone_and_wechat_table(row: Row) -> None:
    raw = RawContact(phone=row.raw) if row.field == "phone" else RawContact(wechat=row.raw)
    screening = screen_contact(raw, ScreeningRules(allow_landline=not row.mobile_only))
    contact = screening.contact

    assert screening.violations == []
    if isinstance(row.expected, RejectionCode):
        assert [r.code for r in screening.rejections] == [row.expected]
        assert screening.rejections[0].field == row.field
        if row.expected is NOT_MOBILE:
            assert contact.phone.startswith("+")  # a valid number rejected by a rule is kept for the audit
        else:
            assert contact.phone == ""
    else:
        assert screening.rejections == []
        assert contact.phone == (row.expected or "")
    assert contact.phone_from_wechat is row.from_wechat
    assert contact.phone_kind == row.kind


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("1380013800", "phone.too_short"),
        ("138001380001", "phone.too_long"),
        ("14012345678", "phone.unallocated"),
        ("0755-1234567", "phone.unallocated"),
        ("12345", "phone.too_short"),
        ("+999 1234567", "phone.invalid_country_code"),
        ("138ABC13800", "phone.not_a_number"),
        ("电话号码", "phone.not_a_number"),
        ("138001380001234", "phone.too_long"),
    ],
)
def test_invalid_numbers_say_why(raw: str, rule: str) -> None:
    check = normalise_phone(raw)
    assert check.e164 is None and check.kind is None
    assert check.rejection is not None
    assert check.rejection.code is RejectionCode.PHONE_INVALID
    assert check.rejection.rule == rule
    digits = re.sub(r"\D", "", raw)
    assert digits not in check.rejection.message + check.rejection.rule or len(digits) < 3


def test_empty_phone_is_phone_empty() -> None:
    check = normalise_phone("   ")
    assert check.rejection is not None and check.rejection.code is RejectionCode.PHONE_EMPTY


def test_field_path_is_put_into_the_rejection() -> None:
    check = normalise_phone("12345", field="items[3].phone")
    assert check.rejection is not None and check.rejection.field == "items[3].phone"


def test_landline_not_allowed_keeps_the_number_and_names_the_rule() -> None:
    check = normalise_phone("010-12345678", allow_landline=False)
    assert check.e164 == "+861012345678" and check.kind is PhoneKind.LANDLINE and not check.ok
    assert check.rejection is not None
    assert check.rejection.rule == "phone.mobile_only"
    assert "12345678" not in check.rejection.message


def test_default_region_reads_national_numbers() -> None:
    assert normalise_phone("(201) 555-0123", default_region="US").e164 == "+12015550123"
    assert normalise_phone("(201) 555-0123", default_region="us").e164 == "+12015550123"
    # The same digits read as Chinese are a Guangzhou landline (020 1555 0123).
    assert normalise_phone("2015550123").e164 == "+862015550123"


def test_valid_e164_is_a_fixed_point() -> None:
    for row in ROWS.values():
        if isinstance(row.expected, str) and not isinstance(row.expected, RejectionCode):
            assert normalise_phone(row.expected).e164 == row.expected


@pytest.mark.parametrize(
    ("raw", "province", "city", "carrier", "region"),
    [
        ("13800138000", "北京市", "北京市", "中国移动", "CN"),
        ("18612345678", "北京市", "北京市", "中国联通", "CN"),
        ("15012345678", "云南省", "昭通市", "中国移动", "CN"),
        ("17012345678", "", "", "中国电信", "CN"),  # the geocoder only knows "中国" for this range
        ("0755-12345678", "广东省", "深圳市", "", "CN"),
        ("+86 21 1234 5678", "上海市", "上海市", "", "CN"),
        ("0991-1234567", "新疆维吾尔自治区", "乌鲁木齐市", "", "CN"),  # geocoder says "新疆乌鲁木齐市"
        ("0851-12345678", "贵州省", "", "", "CN"),  # geocoder says "贵州省贵阳市、遵义市、安顺市"
        ("0898-12345678", "海南省", "海口市", "", "CN"),
        ("+852 9123 4567", "", "", "3", "HK"),
        ("+44 7911 123456", "", "", "", "GG"),
    ],
)
def test_location_and_carrier(raw: str, province: str, city: str, carrier: str, region: str) -> None:
    check = normalise_phone(raw)
    assert check.ok
    assert (check.province, check.city, check.carrier, check.region_code) == (province, city, carrier, region)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhangsan88", "zhangsan88"),
        ("ZhangSan88", "zhangsan88"),  # WeChat IDs are case-insensitive
        ("  abc_123  ", "abc_123"),
        ("a-1_2-3", "a-1_2-3"),
        ("微信：abc_123", "abc_123"),
        ("微信号: abc_123", "abc_123"),
        ("WeChat: Abc_123", "abc_123"),
        ("wx:abcdef", "abcdef"),
        ("wxabcdef", "wxabcdef"),  # "wx" without a colon is part of the ID
        ("ａｂｃ＿１２３", "abc_123"),
        ("abcdef", "abcdef"),  # 6, the minimum
        ("a" * 20, "a" * 20),  # 20, the maximum
        ("abcde", None),
        ("a" * 21, None),
        ("1abcdef", None),
        ("_abcdef", "_abcdef"),  # accepted since issue 12 (see wechat.py)
        ("-abcdef", "-abcdef"),
        ("abc.def", None),
        ("abc def", None),
        ("abc@def", None),
        ("张三abcdef", None),
        ("13800138000", None),
        ("", None),
        ("ａｂｃ\u200bdef", "abcdef"),  # the zero-width space is cleaned away (issue 12 item 1)
    ],
)
def test_validate_wechat_id(raw: str, expected: str | None) -> None:
    assert validate_wechat_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", SAMPLE),
        ("+86 138-0013-8000", SAMPLE),
        ("0086 13800138000", SAMPLE),
        ("１３８００１３８０００", SAMPLE),
        ("16512345678", "+8616512345678"),
        ("010-12345678", None),  # a landline is not how anyone is found on WeChat
        ("400-123-4567", None),
        ("1380013800", None),
        ("zhangsan88", None),
        ("", None),
    ],
)
def test_wechat_as_phone(raw: str, expected: str | None) -> None:
    assert wechat_as_phone(raw) == expected
