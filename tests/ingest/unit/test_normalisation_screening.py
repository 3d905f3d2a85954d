"""screen_contact: violations versus rejections, every rejection reported, WeChat numbers, dead and blocked numbers."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.common.errors import FieldViolation
from services.common.pii import mask_phone
from services.ingest.domain.normalisation import (
    FieldLimits,
    KeywordMatcher,
    PhoneKind,
    RawContact,
    Rejection,
    RejectionCode,
    Screening,
    ScreeningRules,
    normalise_phone,
    screen_contact,
)

MOBILE = "+8613800138000"
OTHER_MOBILE = "+8613912345678"
RULES = ScreeningRules()


def codes(screening: Screening) -> list[RejectionCode]:
    return [r.code for r in screening.rejections]


def test_a_clean_lead() -> None:
    screening = screen_contact(
        RawContact(
            name="  张三\u200b ",
            phone="138 0013 8000",
            wechat="ZhangSan88",
            email="ZhangSan@QQ.com",
            ip="::ffff:203.0.113.7",
            device_id="6D92078A-8246-4BA4-AE5B-76104861E7DC",
            attributes={" 城市 ": " 深圳\n南山 ", "预算": "10万"},
        ),
        RULES,
    )
    assert screening.violations == [] and screening.rejections == []
    contact = screening.contact
    assert contact.name == "张三"
    assert contact.phone == MOBILE and not contact.phone_from_wechat
    assert contact.wechat == "zhangsan88"
    assert contact.email == "zhangsan@qq.com"
    assert contact.ip == "203.0.113.7"
    assert contact.device_id == "6d92078a-8246-4ba4-ae5b-76104861e7dc"
    assert contact.attributes == {"城市": "深圳 南山", "预算": "10万"}
    assert (contact.phone_kind, contact.province, contact.city, contact.carrier) == (
        PhoneKind.MOBILE,
        "北京市",
        "北京市",
        "中国移动",
    )


def test_rejection_code_values_are_their_names() -> None:
    assert all(code.value == code.name for code in RejectionCode)


# --- contact present or not ---------------------------------------------------------------------------------


def test_no_contact_at_all_is_contact_empty() -> None:
    screening = screen_contact(RawContact(name="张三", ip="203.0.113.7", phone="  ", wechat=" "), RULES)
    assert codes(screening) == [RejectionCode.CONTACT_EMPTY]
    assert screening.rejections[0].field == ""
    assert screening.violations == []


@pytest.mark.parametrize(
    "raw",
    [RawContact(email="a@qq.com"), RawContact(wechat="zhangsan88"), RawContact(phone="13800138000")],
)
def test_any_one_contact_is_enough(raw: RawContact) -> None:
    assert screen_contact(raw, RULES).rejections == []


def test_require_phone() -> None:
    rules = ScreeningRules(require_phone=True)
    assert codes(screen_contact(RawContact(email="a@qq.com", wechat="zhangsan88"), rules)) == [
        RejectionCode.PHONE_EMPTY
    ]
    assert screen_contact(RawContact(wechat="13800138000"), rules).rejections == []
    assert codes(screen_contact(RawContact(), rules)) == [RejectionCode.CONTACT_EMPTY]
    assert codes(screen_contact(RawContact(phone="12345"), rules)) == [RejectionCode.PHONE_INVALID]


# --- every rejection is reported ----------------------------------------------------------------------------


def test_all_rejections_are_reported() -> None:
    rules = ScreeningRules(sensitive_words=KeywordMatcher(["贷款", "vip"]))
    screening = screen_contact(
        RawContact(
            name="ＶＩＰ张三",
            phone="1380013800",
            wechat="张三的微信",
            attributes={"备注": "无抵押贷款", "城市": "深圳", "需求": "VIP服务"},
        ),
        rules,
    )
    assert screening.violations == []
    assert [(r.code, r.field, r.rule) for r in screening.rejections] == [
        (RejectionCode.PHONE_INVALID, "phone", "phone.too_short"),
        (RejectionCode.WECHAT_INVALID, "wechat", "wechat.chinese_text"),
        (RejectionCode.SENSITIVE_WORD, "name", "vip"),
        (RejectionCode.SENSITIVE_WORD, 'attributes["备注"]', "贷款"),
        (RejectionCode.SENSITIVE_WORD, 'attributes["需求"]', "vip"),
    ]
    assert screening.contact.phone == "" and screening.contact.wechat == ""


def test_landline_dead_and_blocked_together() -> None:
    landline = "+861012345678"
    rules = ScreeningRules(
        allow_landline=False, dead_numbers=frozenset({landline}), blocked_phones=frozenset({landline})
    )
    screening = screen_contact(RawContact(phone="010-12345678"), rules)
    assert codes(screening) == [
        RejectionCode.PHONE_LANDLINE_NOT_ALLOWED,
        RejectionCode.PHONE_DEAD_NUMBER,
        RejectionCode.BLOCKLISTED_PHONE,
    ]
    assert screening.contact.phone == landline and screening.contact.phone_kind is PhoneKind.LANDLINE


def test_sensitive_words_are_not_looked_for_in_attribute_keys() -> None:
    rules = ScreeningRules(sensitive_words=KeywordMatcher(["贷款"]))
    screening = screen_contact(RawContact(phone="13800138000", attributes={"贷款金额": "10万"}), rules)
    assert screening.rejections == []


def test_sensitive_word_hidden_with_zero_width_space_and_full_width() -> None:
    rules = ScreeningRules(sensitive_words=KeywordMatcher(["加微信"]))
    screening = screen_contact(
        RawContact(phone="13800138000", attributes={"备注": "加\u200b微信ｖｘ123"}), rules
    )
    assert [(r.code, r.rule) for r in screening.rejections] == [(RejectionCode.SENSITIVE_WORD, "加微信")]


# --- dead numbers and the blocklist -------------------------------------------------------------------------


def test_dead_number_from_a_set_and_from_a_predicate() -> None:
    for dead in (frozenset({MOBILE}), lambda e164: e164.endswith("8000")):
        screening = screen_contact(RawContact(phone="+86 138-0013-8000"), ScreeningRules(dead_numbers=dead))
        assert [(r.code, r.field, r.rule) for r in screening.rejections] == [
            (RejectionCode.PHONE_DEAD_NUMBER, "phone", "phone.dead_number")
        ]
    assert (
        screen_contact(
            RawContact(phone=OTHER_MOBILE), ScreeningRules(dead_numbers=frozenset({MOBILE}))
        ).rejections
        == []
    )


def test_blocklisted_phone_rule_names_the_masked_entry() -> None:
    screening = screen_contact(
        RawContact(phone="138 0013 8000"), ScreeningRules(blocked_phones=frozenset({MOBILE}))
    )
    [rejection] = screening.rejections
    assert rejection == Rejection(
        RejectionCode.BLOCKLISTED_PHONE,
        "phone",
        "The phone number is on the tenant's blocklist.",
        "blocklist:138****8000",
    )


def test_phone_from_wechat_is_then_blocklisted() -> None:
    screening = screen_contact(
        RawContact(wechat="+86 138 0013 8000"), ScreeningRules(blocked_phones=frozenset({MOBILE}))
    )
    assert screening.contact.phone == MOBILE and screening.contact.phone_from_wechat
    assert screening.contact.wechat == MOBILE
    assert [(r.code, r.field) for r in screening.rejections] == [(RejectionCode.BLOCKLISTED_PHONE, "wechat")]


def test_phone_from_wechat_is_then_dead() -> None:
    screening = screen_contact(
        RawContact(wechat="13800138000"), ScreeningRules(dead_numbers=frozenset({MOBILE}))
    )
    assert screening.contact.phone_from_wechat
    assert [(r.code, r.field) for r in screening.rejections] == [(RejectionCode.PHONE_DEAD_NUMBER, "wechat")]


def test_given_phone_wins_over_a_different_wechat_number() -> None:
    screening = screen_contact(RawContact(phone="13912345678", wechat="13800138000"), RULES)
    assert screening.rejections == []
    assert screening.contact.phone == OTHER_MOBILE and not screening.contact.phone_from_wechat
    assert screening.contact.wechat == MOBILE


def test_blocklisted_number_in_the_wechat_field_beside_another_phone() -> None:
    rules = ScreeningRules(blocked_phones=frozenset({MOBILE}), dead_numbers=frozenset({MOBILE}))
    screening = screen_contact(RawContact(phone="13912345678", wechat="13800138000"), rules)
    # Blocklisted wherever it appears; "dead" only matters for the number the lead will be called on.
    assert [(r.code, r.field) for r in screening.rejections] == [(RejectionCode.BLOCKLISTED_PHONE, "wechat")]


def test_invalid_given_phone_is_not_replaced_by_the_wechat_number() -> None:
    screening = screen_contact(RawContact(phone="12345", wechat="13800138000"), RULES)
    assert codes(screening) == [RejectionCode.PHONE_INVALID]
    assert screening.contact.phone == "" and not screening.contact.phone_from_wechat
    assert screening.contact.wechat == MOBILE


def test_same_number_in_both_fields_is_reported_once() -> None:
    screening = screen_contact(
        RawContact(phone="13800138000", wechat="+8613800138000"),
        ScreeningRules(blocked_phones=frozenset({MOBILE})),
    )
    assert [(r.code, r.field) for r in screening.rejections] == [(RejectionCode.BLOCKLISTED_PHONE, "phone")]


# --- violations are not rejections ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (RawContact(phone="13800138000", ip="not-an-ip"), "ip"),
        (RawContact(phone="13800138000", ip="1" * 65), "ip"),
        (RawContact(phone="13800138000", email="zhangsan@qq"), "email"),
        (RawContact(phone="13800138000", email="a" * 250 + "@qq.com"), "email"),
        (RawContact(phone="13800138000", device_id="abc def"), "device_id"),
        (RawContact(phone="13800138000", device_id="x" * 129), "device_id"),
        (RawContact(phone="13800138000", name="张" * 101), "name"),
        (RawContact(phone="1" * 65), "phone"),
        (RawContact(wechat="a" * 65), "wechat"),
        (RawContact(phone="13800138000", attributes={f"k{i}": "v" for i in range(65)}), "attributes"),
        (RawContact(phone="13800138000", attributes={" ": "v"}), 'attributes[" "]'),
        (RawContact(phone="13800138000", attributes={"k" * 65: "v"}), 'attributes["' + "k" * 64 + '…"]'),
        (RawContact(phone="13800138000", attributes={"备注": "v" * 1025}), 'attributes["备注"]'),
        (RawContact(phone="13800138000", attributes={"city": "a", " city ": "b"}), 'attributes[" city "]'),
        (RawContact(phone="13800138000", attributes={'say "hi"': "x" * 1025}), 'attributes["say \\"hi\\""]'),
    ],
)
def test_structural_problems_are_violations(raw: RawContact, field: str) -> None:
    screening = screen_contact(raw, RULES)
    assert [v.field for v in screening.violations] == [field]
    assert screening.rejections == []


def test_limits_are_configurable() -> None:
    limits = FieldLimits(name=2, attributes=1)
    screening = screen_contact(
        RawContact(phone="13800138000", name="张三丰", attributes={"a": "1", "b": "2"}), RULES, limits
    )
    assert screening.violations == [
        FieldViolation("name", "must be at most 2 characters after cleaning, got 3"),
        FieldViolation("attributes", "must have at most 1 entries, got 2"),
    ]


def test_violations_and_rejections_are_both_reported() -> None:
    screening = screen_contact(RawContact(phone="12345", ip="999.1.1.1"), RULES)
    assert [v.field for v in screening.violations] == ["ip"]
    assert codes(screening) == [RejectionCode.PHONE_INVALID]


def test_device_placeholder_is_no_device() -> None:
    screening = screen_contact(
        RawContact(phone="13800138000", device_id="00000000-0000-0000-0000-000000000000"), RULES
    )
    assert screening.violations == [] and screening.contact.device_id == ""


def test_rules_validate_the_region() -> None:
    assert ScreeningRules(default_region="us").default_region == "US"
    with pytest.raises(ValueError, match="default_region"):
        ScreeningRules(default_region="XX")


# --- properties ----------------------------------------------------------------------------------------------

phone_like = st.one_of(
    st.text(),
    st.text(alphabet="0123456789０１２３４５６７８９ +-().－—tel:手机abc", max_size=40),
    st.from_regex(r"(\+86|0086|86)?[ -]?1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"0[1-9][0-9]{1,2}-[0-9]{7,8}", fullmatch=True),
    st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True),
    # Spreadsheet artefacts, extensions and several numbers in one cell (issue 12).
    st.from_regex(
        r"(=\"|')?1[3-9][0-9]{9}(\.0|\"|-[0-9]{1,5}|转[0-9]{3,6}| ?[/,、] ?1[3-9][0-9]{9}| 1[3-9][0-9]{9})?",
        fullmatch=True,
    ),
    st.from_regex(r"[0-9]\.[0-9]{1,12}E\+1[0-2]", fullmatch=True),
)
contacts = st.builds(
    RawContact,
    name=st.text(),
    phone=phone_like,
    wechat=st.one_of(st.text(), phone_like, st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{4,21}", fullmatch=True)),
    email=st.one_of(st.text(), st.emails().map(str)),
    ip=st.one_of(st.text(), st.ip_addresses().map(str)),
    device_id=st.one_of(st.text(), st.uuids().map(str)),
    attributes=st.dictionaries(st.text(max_size=70), st.text(), max_size=70),
)


def _valid_e164(text: str) -> str | None:
    check = normalise_phone(text) if text.strip() else None
    return check.e164 if check is not None else None


def _digit_runs(text: str) -> list[str]:
    return re.findall(r"[0-9]+", unicodedata.normalize("NFKC", text))


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))  # full-width digits count too


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=contacts, mobile_only=st.booleans(), require_phone=st.booleans())
@example(raw=RawContact(phone="100/8610000"), mobile_only=False, require_phone=False)  # a mask spelling a run
@example(raw=RawContact(phone="010-86100000"), mobile_only=False, require_phone=True)
@example(raw=RawContact(wechat="+3523000"), mobile_only=False, require_phone=False)  # 7 digits: mask hides 4
def test_screen_contact_never_raises_and_never_leaks_the_number(
    raw: RawContact, mobile_only: bool, require_phone: bool
) -> None:
    # Put the very numbers of this input on the dead and block lists, so that those paths run with them too.
    listed = frozenset(n for n in (_valid_e164(raw.phone), _valid_e164(raw.wechat)) if n)
    rules = ScreeningRules(
        allow_landline=not mobile_only,
        require_phone=require_phone,
        blocked_phones=listed,
        dead_numbers=listed,
        sensitive_words=KeywordMatcher(["vip", "加微信"]),
    )
    screening = screen_contact(raw, rules)

    assert all(isinstance(r.code, RejectionCode) for r in screening.rejections)
    assert all(isinstance(v, FieldViolation) for v in screening.violations)
    secrets = {d for d in (_digits(raw.phone), _digits(raw.wechat)) if len(d) >= 7}
    secrets |= {run for text in (raw.phone, raw.wechat) for run in _digit_runs(text) if len(run) >= 7}
    secrets |= {_digits(n) for n in listed}
    contact = screening.contact
    # A number's mask (138****8000) is how a message may name it: its digits are the mask's, which hides at
    # least four. A mask can happen to spell a run of the input (+86 10 0861 0000 is "861****0000", and the
    # input "100/8610000" has the run 8610000), so the masks are taken out before looking for the runs.
    numbers = {n for n in (*listed, contact.phone, *contact.alternate_phones) if n}
    masks = {mask_phone(n) for n in numbers}
    assert all(len(_digits(mask_phone(n))) <= len(_digits(n)) - 4 for n in numbers)

    def unmasked(text: str) -> str:
        for mask in masks:
            text = text.replace(mask, "****")
        return _digits(text)

    for text in [r.message for r in screening.rejections] + [r.rule for r in screening.rejections]:
        assert not any(secret in unmasked(text) for secret in secrets), text
    for violation in screening.violations:
        assert not any(secret in unmasked(violation.description) for secret in secrets)
    assert contact.phone == "" or contact.phone.startswith("+")
    assert contact.phone_from_wechat <= bool(contact.phone)
    assert all(alt.startswith("+") and alt != contact.phone for alt in contact.alternate_phones)
    assert contact.phone_extension == "" or (contact.phone and contact.phone_extension.isdigit())
