"""Issue 12 item 1: invisible formatting characters around or inside contact fields.

A number pasted from a phone's contacts app arrives wrapped in U+202D…U+202C; others carry U+200E, U+200B, U+FEFF.
One cleaning step (``clean_contact_value``) serves every contact field: phone, WeChat, e-mail, IP, device id, and the
text blocklists and sensitive words see. Each invisible character below is tried in each field.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.domain.normalisation import (
    KeywordMatcher,
    RawContact,
    RejectionCode,
    ScreeningRules,
    clean_contact_value,
    is_placeholder,
    normalise_phone,
    screen_contact,
)
from services.ingest.domain.normalisation.cleaning import IGNORABLES

MOBILE = "+8613800138000"

# (name, prefix, suffix): how the invisible characters wrap or pad a value.
WRAPPINGS = {
    "LRO…PDF (contacts app)": ("\u202d", "\u202c"),
    "RLO…PDF": ("\u202e", "\u202c"),
    "LRM after": ("", "\u200e"),
    "RLM before": ("\u200f", ""),
    "ZWSP after": ("", "\u200b"),
    "BOM before": ("\ufeff", ""),
    "word joiner": ("\u2060", "\u2060"),
    "LRI…PDI isolate": ("\u2066", "\u2069"),
    "soft hyphen": ("\u00ad", ""),
    "ZWJ and ZWNJ": ("\u200d", "\u200c"),
    "Mongolian vowel separator": ("\u180e", ""),
    "variation selector": ("", "\ufe0f"),
    "Hangul filler": ("\u3164", ""),
    "braille blank": ("\u2800", "\u2800"),
    "tag characters": ("\U000e0041", "\U000e007f"),
    "NBSP and ideographic space": ("\u00a0", "\u3000"),
    "tab and newline": ("\t", "\n"),
    "C0 control": ("\x07", ""),
}
WRAPPING_IDS = list(WRAPPINGS)


def _wrap(name: str, value: str) -> str:
    before, after = WRAPPINGS[name]
    return before + value + after


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_phone_wrapped_in_invisible_characters_is_the_number(wrapping: str) -> None:
    screening = screen_contact(RawContact(phone=_wrap(wrapping, "138 0013 8000")), ScreeningRules())
    assert screening.violations == [] and screening.rejections == []
    assert screening.contact.phone == MOBILE


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_invisible_characters_inside_a_phone_number(wrapping: str) -> None:
    before, after = WRAPPINGS[wrapping]
    assert normalise_phone(f"138{before}0013{after}8000").e164 == MOBILE


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_blocklisted_number_pasted_with_invisible_characters_is_reported_as_blocklisted(
    wrapping: str,
) -> None:
    rules = ScreeningRules(blocked_phones=frozenset({MOBILE}))
    screening = screen_contact(RawContact(phone=_wrap(wrapping, "13800138000")), rules)
    assert [(r.code, r.rule) for r in screening.rejections] == [
        (RejectionCode.BLOCKLISTED_PHONE, "blocklist:138****8000")
    ]


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_blocklist_entries_are_cleaned_the_same_way(wrapping: str) -> None:
    # Blocklist entries are configured through normalise_phone (handlers.blocklist_phone).
    assert normalise_phone(_wrap(wrapping, "+86 138-0013-8000")).e164 == MOBILE


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_wechat_id_with_invisible_characters_is_the_id(wrapping: str) -> None:
    screening = screen_contact(RawContact(wechat=_wrap(wrapping, "ZhangSan88")), ScreeningRules())
    assert screening.rejections == [] and screening.violations == []
    assert screening.contact.wechat == "zhangsan88"


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_wechat_phone_with_invisible_characters_is_the_phone(wrapping: str) -> None:
    screening = screen_contact(RawContact(wechat=_wrap(wrapping, "13800138000")), ScreeningRules())
    assert screening.rejections == []
    assert screening.contact.phone == MOBILE and screening.contact.phone_from_wechat


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_email_with_invisible_characters_is_not_an_invalid_argument(wrapping: str) -> None:
    screening = screen_contact(RawContact(email=_wrap(wrapping, "Zhang@QQ.com")), ScreeningRules())
    assert screening.violations == [] and screening.rejections == []
    assert screening.contact.email == "zhang@qq.com"


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_ip_and_device_id_with_invisible_characters(wrapping: str) -> None:
    screening = screen_contact(
        RawContact(
            phone="13800138000",
            ip=_wrap(wrapping, "203.0.113.7"),
            device_id=_wrap(wrapping, "6D92078A-8246-4BA4-AE5B-76104861E7DC"),
        ),
        ScreeningRules(),
    )
    assert screening.violations == []
    assert screening.contact.ip == "203.0.113.7"
    assert screening.contact.device_id == "6d92078a-8246-4ba4-ae5b-76104861e7dc"


@pytest.mark.parametrize("wrapping", WRAPPING_IDS)
def test_sensitive_word_hidden_by_invisible_characters_is_found(wrapping: str) -> None:
    before, after = WRAPPINGS[wrapping]
    rules = ScreeningRules(sensitive_words=KeywordMatcher(["加微信"]))
    screening = screen_contact(
        RawContact(phone="13800138000", attributes={"备注": f"请加{before}微{after}信"}), rules
    )
    assert [(r.code, r.rule) for r in screening.rejections] == [(RejectionCode.SENSITIVE_WORD, "加微信")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u202d13800138000\u202c", "13800138000"),
        ("１３８　００１３　８０００", "138 0013 8000"),  # NFKC: full-width digits and ideographic space
        ("ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "zhang@qq.com"),
        ("微信：abc", "微信:abc"),  # full-width colon
        ("  a \t\n b  ", "a b"),
        ("e\u200b\u0301", "é"),  # invisible removed before NFKC composes
        ("\u200b\u200b", ""),
        ("", ""),
        ("plain", "plain"),
    ],
)
def test_clean_contact_value(raw: str, expected: str) -> None:
    assert clean_contact_value(raw) == expected


@given(st.text())
def test_clean_contact_value_is_idempotent_and_leaves_nothing_invisible(text: str) -> None:
    once = clean_contact_value(text)
    assert clean_contact_value(once) == once
    assert once == once.strip()
    assert all(ch == " " or not ch.isspace() for ch in once)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") or ord(ch) in IGNORABLES for ch in once)


@pytest.mark.parametrize("raw", ["无", "暂无", "None", "N/A", "-", "--", "null", "  无  ", "\u200b无"])
def test_placeholders_count_as_not_given(raw: str) -> None:
    assert is_placeholder(clean_contact_value(raw))
    screening = screen_contact(RawContact(phone=raw, wechat=raw, email=raw, name="张三"), ScreeningRules())
    assert screening.violations == []
    assert [r.code for r in screening.rejections] == [RejectionCode.CONTACT_EMPTY]
    # With a real contact beside it, a placeholder is simply absent: no rejection, no violation.
    assert (
        screen_contact(RawContact(phone="13800138000", wechat=raw, email=raw), ScreeningRules()).rejections
        == []
    )
