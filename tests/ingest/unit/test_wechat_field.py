"""Issue 12 item 6: the WeChat field's label is stripped the same way whether the value is an ID or a phone, and IDs
may start with "_" or "-" (the length rule stays). Also: reasons that say what the field holds (item 4)."""

from __future__ import annotations

import pytest

from services.ingest.domain.normalisation import (
    RawContact,
    RejectionCode,
    ScreeningRules,
    read_wechat,
    screen_contact,
    validate_wechat_id,
    wechat_as_phone,
)

MOBILE = "+8613800138000"

# Every label variant, with the separators people type (ASCII and full-width colon, space, none).
LABELS = [
    "微信：",
    "微信:",
    "微信 ",
    "微信",
    "微信号：",
    "微信号:",
    "微信号 ",
    "微信号是",
    "我的微信是",
    "加微信",
    "V信:",
    "v信：",
    "wx:",
    "WX：",
    "wx ",
    "Wx: ",
    "vx:",
    "VX：",
    "VX ",
    "ＶＸ：",
    "v:",
    "WeChat:",
    "wechat ",
    "WeChat ID: ",
    "weixin:",
]


@pytest.mark.parametrize("label", LABELS)
def test_a_label_before_an_id_is_stripped(label: str) -> None:
    screening = screen_contact(RawContact(wechat=f"{label}ZhangSan_88"), ScreeningRules())
    assert screening.rejections == [] and screening.violations == []
    assert screening.contact.wechat == "zhangsan_88" and screening.contact.phone == ""


@pytest.mark.parametrize("label", LABELS)
def test_the_same_label_before_a_phone_is_stripped(label: str) -> None:
    screening = screen_contact(RawContact(wechat=f"{label}138 0013 8000"), ScreeningRules())
    assert screening.rejections == [] and screening.violations == []
    assert screening.contact.wechat == MOBILE
    assert screening.contact.phone == MOBILE and screening.contact.phone_from_wechat


@pytest.mark.parametrize("label", ["VX", "vx", "wx", "WX", "WeChat", "v"])
def test_a_latin_label_glued_to_a_mobile_number_is_a_label(label: str) -> None:
    assert wechat_as_phone(f"{label}13800138000") == MOBILE
    assert wechat_as_phone(f"{label}+8613800138000") == MOBILE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("wxabcdef", "wxabcdef"),  # a Latin label glued to letters is part of the ID
        ("wxid_abcdefghijklmn", "wxid_abcdefghijklmn"),
        ("vx_abc123", "vx_abc123"),
        ("v12345678", "v12345678"),  # "v" + digits that are no mobile number: an ID
        ("Wechat2024", "wechat2024"),
    ],
)
def test_latin_letters_that_start_an_id_are_kept(raw: str, expected: str) -> None:
    assert validate_wechat_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("_abcdef", "_abcdef"),
        ("-abcdef", "-abcdef"),
        ("_Zhang_San", "_zhang_san"),
        ("-a", None),  # too short: the length rule is kept
        ("_" + "a" * 19, "_" + "a" * 19),  # 20, the maximum
        ("_" + "a" * 20, None),  # 21
        ("微信：_abcdef", "_abcdef"),
        ("1abcdef", None),  # a leading digit is a QQ number or a phone number, not an ID
    ],
)
def test_ids_may_start_with_underscore_or_minus(raw: str, expected: str | None) -> None:
    assert validate_wechat_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "rule", "says"),
    [
        ("abcde", "wechat.too_short", "has 5 characters"),
        ("a" * 21, "wechat.too_long", "has 21 characters"),
        ("zhang san", "wechat.invalid_character", "spaces"),
        ("zhang.san", "wechat.invalid_character", "other than letters"),
        ("张三的微信", "wechat.chinese_text", "Chinese text"),
        ("1abcdef", "wechat.starts_with_digit", "starts with a digit"),
        ("010-12345678", "wechat.not_a_mobile", "landline"),
        ("0755-12345678转8001", "wechat.not_a_mobile", "extension"),
        ("123456789", "wechat.not_a_mobile", "neither a WeChat ID nor a valid mobile number"),
    ],
)
def test_invalid_wechat_fields_say_what_they_hold(raw: str, rule: str, says: str) -> None:
    screening = screen_contact(RawContact(phone="13912345678", wechat=raw), ScreeningRules())
    [rejection] = screening.rejections
    assert (rejection.code, rejection.field, rejection.rule) == (RejectionCode.WECHAT_INVALID, "wechat", rule)
    assert says in rejection.message
    assert raw not in rejection.message


@pytest.mark.parametrize("raw", ["微信同号", "同手机号", "手机同号", "微信：同手机", "与手机号相同", "同上"])
def test_same_as_phone_takes_the_leads_mobile(raw: str) -> None:
    screening = screen_contact(RawContact(phone="138 0013 8000", wechat=raw), ScreeningRules())
    assert screening.rejections == []
    assert screening.contact.wechat == MOBILE and not screening.contact.phone_from_wechat


def test_same_as_phone_without_a_phone_says_so() -> None:
    screening = screen_contact(RawContact(wechat="微信同号", email="a@qq.com"), ScreeningRules())
    assert [(r.code, r.rule) for r in screening.rejections] == [
        (RejectionCode.WECHAT_INVALID, "wechat.same_as_missing_phone")
    ]


@pytest.mark.parametrize("raw", ["无", "微信：", "微信：无", "wx: -", "none"])
def test_an_empty_or_placeholder_wechat_is_no_wechat(raw: str) -> None:
    assert not read_wechat(raw).given
    screening = screen_contact(RawContact(phone="13800138000", wechat=raw), ScreeningRules())
    assert screening.rejections == [] and screening.contact.wechat == ""


def test_several_numbers_in_the_wechat_field_take_the_first_mobile() -> None:
    assert wechat_as_phone("0755-12345678 / 13800138000 / 13900139000") == MOBILE
