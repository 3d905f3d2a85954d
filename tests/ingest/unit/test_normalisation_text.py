"""Free text: clean_text for storage, fold_for_matching and KeywordMatcher for sensitive words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.domain.normalisation import KeywordMatcher, TextTooLong, clean_text, fold_for_matching


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  张三  ", "张三"),
        ("张\t\n三", "张 三"),
        ("a   b", "a b"),
        ("a\u3000\u3000b", "a b"),  # ideographic spaces
        ("a\u00a0b", "a b"),  # no-break space
        ("a\u2028b", "a b"),  # line separator
        ("e\u0301", "\u00e9"),  # NFC
        ("a\u200bb", "ab"),  # zero-width space
        ("\ufeffabc", "abc"),  # BOM
        ("abc\u202edcba", "abcdcba"),  # right-to-left override
        ("a\u2066b\u2069", "ab"),  # bidi isolates
        ("so\u00adft", "soft"),  # soft hyphen
        ("a\x00b\x07c\x7f", "abc"),  # C0 controls and DEL
        ("a\x85b", "a b"),  # NEL is whitespace
        ("x\U000e0041y", "xy"),  # tag character
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        ),  # ZWJ kept
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),  # ZWNJ
        ("ＶＩＰ客户", "ＶＩＰ客户"),  # full width is kept for display (matching folds it)
        ("\ud800x", "x"),  # lone surrogate
        ("", ""),
        (" \t\n ", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw, max_length=100) == expected


def test_clean_text_limit_applies_after_cleaning() -> None:
    assert clean_text("   abc   ", max_length=3) == "abc"
    assert clean_text("a\u200b\u200b\u200bb", max_length=2) == "ab"
    with pytest.raises(TextTooLong) as info:
        clean_text("秘密的名字abcd", max_length=8)
    assert info.value.max_length == 8
    assert info.value.length == 9
    assert "秘密" not in str(info.value) and "abcd" not in str(info.value)
    assert isinstance(info.value, ValueError)


@given(st.text())
def test_clean_text_is_idempotent_and_clean(text: str) -> None:
    once = clean_text(text, max_length=10_000)
    assert clean_text(once, max_length=10_000) == once
    assert once == once.strip()
    assert "  " not in once
    assert all(ch == " " or not ch.isspace() for ch in once)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＶＩＰ", "vip"),
        ("Vip", "vip"),
        ("ｖｉｐ", "vip"),
        ("Straße", "strasse"),
        ("①号", "1号"),
        ("V\u200bI\u200dP", "vip"),  # zero-width characters cannot hide a keyword
        ("加微信", "加微信"),
    ],
)
def test_fold_for_matching(raw: str, expected: str) -> None:
    assert fold_for_matching(raw) == expected


def test_keyword_matcher_is_case_and_width_insensitive() -> None:
    matcher = KeywordMatcher(["vip"])
    assert matcher.find(["我是ＶＩＰ客户"]) == "vip"
    assert matcher.find(["我是VIP客户"]) == "vip"
    assert matcher.find(["我是Ｖip客户"]) == "vip"
    assert matcher.find(["普通客户"]) is None
    assert KeywordMatcher(["ＶＩＰ"]).find(["vip"]) == "ＶＩＰ"  # the keyword comes back as configured


def test_keyword_matcher_returns_first_configured_keyword_in_any_text() -> None:
    matcher = KeywordMatcher(["贷款", "加微信", "vip"])
    assert matcher.find(["想加微信", "要VIP贷款"]) == "贷款"
    assert (
        matcher.find(["", "加 微信", "vip"]) == "加微信"
    )  # spaces no longer hide a keyword (issue 12 item 8)
    assert matcher.find(["", "加 微", "vip"]) == "vip"
    assert matcher.find([]) is None
    assert matcher.find(["加\u200b微信"]) == "加微信"


def test_keyword_matcher_ignores_empty_and_duplicate_keywords() -> None:
    matcher = KeywordMatcher(["", "  ", "VIP", "ｖｉｐ", " 贷款 "])
    assert matcher.keywords == ("VIP", "贷款")
    assert len(matcher) == 2
    assert matcher.find(["无抵押贷款"]) == "贷款"
    empty = KeywordMatcher([])
    assert len(empty) == 0 and empty.find(["anything"]) is None
    assert "VIP" not in repr(matcher)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=10))
def test_full_width_text_matches_ascii_keyword(word: str) -> None:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in word)
    assert KeywordMatcher([word]).find([f"前{full_width.upper()}后"]) == word
    assert KeywordMatcher([full_width]).find([f"前{word.lower()}后"]) == full_width
