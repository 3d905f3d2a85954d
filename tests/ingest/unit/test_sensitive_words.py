"""Issue 12 item 8: sensitive words matched on a normalised form (width, case, spaces, punctuation, symbols and
zero-width characters removed; traditional → simplified), with an Aho–Corasick automaton; the matched rule is still
the keyword as configured, and ten thousand keywords give the same answers as a naive scan."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.ingest.domain.normalisation import (
    KeywordMatcher,
    RawContact,
    RejectionCode,
    ScreeningRules,
    fold_for_matching,
    screen_contact,
)

EVASIONS = [
    "加 微 信",
    "加.微.信",
    "加-微-信",
    "加_微_信",
    "加~微~信",
    "加*微*信",
    "加·微·信",
    "加|微|信",
    "加/微/信",
    "加　微　信",  # ideographic spaces
    "加\n微\t信",
    "加\u200b微\u200d信",  # zero-width characters
    "加\ufe0f微\u2060信",
    "加🌹微🌹信",  # emoji as separators
    "加❤微❤信",
    "加，微，信",  # full-width punctuation
    "加＿微＿信",
    "【加】【微】【信】",
    "请加微信：abc",
]


@pytest.mark.parametrize("text", EVASIONS)
def test_spacing_punctuation_and_invisible_characters_do_not_hide_a_keyword(text: str) -> None:
    assert KeywordMatcher(["加微信"]).find([text]) == "加微信"


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("贷款", "無抵押貸款"),  # traditional text, simplified keyword
        ("貸款", "无抵押贷款"),  # traditional keyword, simplified text
        ("加微信", "加微信"),
        ("頭髮", "护理头发"),
        ("vip", "ＶＩＰ客户"),  # width and case
        ("VIP", "v.i.p客户"),
        ("vip", "V I P"),
        ("ＶＩＰ", "vip"),
        ("刷单", "刷 單"),  # traditional and a space at once
        ("兼职", "兼\u200b職"),
        ("strasse", "Straße"),  # case folding
        ("1号", "①号"),  # NFKC
    ],
)
def test_width_case_and_script_are_folded_on_both_sides(keyword: str, text: str) -> None:
    assert KeywordMatcher([keyword]).find([text]) == keyword


@pytest.mark.parametrize("text", ["加微", "微信号", "加个微", "加入微博信息", "vivo手机"])
def test_what_is_not_the_keyword_does_not_match(text: str) -> None:
    assert KeywordMatcher(["加微信", "vip"]).find([text]) is None


@pytest.mark.parametrize(
    ("keyword", "hit", "miss"),
    [
        ("$$$", "赚$$$快", "赚$$快"),  # only symbols: matched as written (after width and case)
        ("🔞", "内容🔞", "内容"),
        ("+v", "加+V详聊", "vivo"),  # one character once compacted: matched as written, not as "v"
        ("!!!", "快！！！", "快!!"),
    ],
)
def test_keywords_that_compaction_would_empty_or_shrink_to_one_character_are_literal(
    keyword: str, hit: str, miss: str
) -> None:
    matcher = KeywordMatcher([keyword])
    assert matcher.find([hit]) == keyword
    assert matcher.find([miss]) is None


def test_the_rule_reported_is_the_keyword_as_configured() -> None:
    rules = ScreeningRules(sensitive_words=KeywordMatcher(["  貸款 ", "加V信"]))
    screening = screen_contact(
        RawContact(phone="13800138000", name="张三", attributes={"备注": "无抵押 贷-款", "微信": "加 v 信"}),
        rules,
    )
    assert [(r.code, r.field, r.rule) for r in screening.rejections] == [
        (RejectionCode.SENSITIVE_WORD, 'attributes["备注"]', "貸款"),
        (RejectionCode.SENSITIVE_WORD, 'attributes["微信"]', "加V信"),
    ]


def test_keywords_that_fold_alike_keep_the_first_spelling() -> None:
    matcher = KeywordMatcher(["加微信", "加 微 信", "加.微.信", "加微信", "貸款", "贷款"])
    assert matcher.keywords == ("加微信", "貸款")


def test_overlapping_keywords_answer_in_configuration_order() -> None:
    matcher = KeywordMatcher(["无抵押贷款", "贷款", "款"])
    assert matcher.find(["无抵押贷款"]) == "无抵押贷款"
    assert KeywordMatcher(["款", "贷款", "无抵押贷款"]).find(["无抵押贷款"]) == "款"
    assert matcher.find(["贷  款"]) == "贷款"


@pytest.mark.parametrize(
    ("raw", "folded"), [("加 微.信", "加微信"), ("ＶＩＰ 客户！", "vip客户"), ("貸款", "贷款")]
)
def test_fold_for_matching(raw: str, folded: str) -> None:
    assert fold_for_matching(raw) == folded


def _keywords(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = (
        "的一是不了在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"
    )
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 6))) for _ in range(count)]


def test_ten_thousand_keywords_find_the_same_keyword_as_a_naive_scan() -> None:
    keywords = _keywords(10_000, seed=12) + ["加微信", "贷款"]
    matcher = KeywordMatcher(keywords)
    assert len(matcher) == len(dict.fromkeys(fold_for_matching(k) for k in keywords))
    rng = random.Random(8)
    texts = ["这是一条正常的留言，想了解一下价格。", "请 加 微 信 详谈", "無抵押貸款"]
    texts += ["".join(rng.choice("的一是不了在人有我他这中大来上国个") for _ in range(60)) for _ in range(50)]
    for text in texts:
        folded = fold_for_matching(text)
        expected = next((k for k in matcher.keywords if fold_for_matching(k) in folded), None)
        assert matcher.find([text]) == expected


@settings(max_examples=300, deadline=None)
@given(
    keywords=st.lists(st.text(alphabet="abAB加微信貸贷款", min_size=1, max_size=4), min_size=1, max_size=8),
    texts=st.lists(st.text(alphabet="abAB加微信貸贷款 .-🌹\u200b", max_size=20), max_size=3),
)
def test_matcher_agrees_with_a_naive_scan(keywords: list[str], texts: list[str]) -> None:
    matcher = KeywordMatcher(keywords)
    folded = [fold_for_matching(text) for text in texts]
    expected = next((k for k in matcher.keywords if any(fold_for_matching(k) in f for f in folded)), None)
    assert matcher.find(texts) == expected
