"""The demo's day plan: the same seed gives the same submissions; numbers are real allocated mobiles of the region
the plan meant, written in forms that keep the number; every story shows in a small day."""

from __future__ import annotations

import random
import re
import unicodedata

import phonenumbers
import pytest

from services.cli.demo import cast
from services.cli.demo.people import OPERATOR_SHARES, draw_mobile
from services.cli.demo.phoneformats import FORMS, write
from services.cli.demo.plan import MIN_LEADS_FOR_EVERY_STORY, Story, plan_day, story_quota
from services.common.phoneregion import lookup
from services.ingest.domain.normalisation.mobile_prefixes import allocated_cn_mobile


def test_the_same_seed_plans_the_same_day_and_another_seed_another() -> None:
    first, again, other = plan_day(11, 120), plan_day(11, 120), plan_day(12, 120)
    assert first == again
    assert first.digest() == again.digest()
    assert other.digest() != first.digest()
    assert [s.phone for s in first.day] != [s.phone for s in other.day]


def test_submissions_come_in_time_order_within_the_day_and_the_history_before_it() -> None:
    plan = plan_day(3, 200)
    offsets = [s.offset_seconds for s in plan.day]
    assert offsets == sorted(offsets)
    assert 0 <= offsets[0] and offsets[-1] < 16 * 3600  # 08:00 to midnight
    assert plan.history and all(s.offset_seconds < -30 * 86400 and s.cost_fen == 0 for s in plan.history)
    assert len({s.request_id for s in plan.submissions}) == len(plan.submissions)


@pytest.mark.parametrize(("province", "city"), cast.MASKED_NUMBER_PLACES[:4] + (("四川省", ""),))
def test_a_drawn_number_is_an_allocated_mobile_whose_home_is_the_region_asked_for(
    province: str, city: str
) -> None:
    rng = random.Random(5)
    for _ in range(20):
        number = draw_mobile(rng, province, city)
        row = allocated_cn_mobile(number.digits)
        assert row is not None and row.service == "mobile" and row.operator == number.operator
        assert number.operator in OPERATOR_SHARES
        place = lookup(number.e164)
        assert place is not None and place.province == province
        assert not city or place.city == city
        assert phonenumbers.is_valid_number(phonenumbers.parse(number.e164))


@pytest.mark.parametrize("form", [form for form, _ in FORMS])
def test_every_written_form_keeps_the_number(form: str) -> None:
    text = unicodedata.normalize("NFKC", write(form, "13800138000")).removesuffix(".0")
    digits = re.sub(r"\D", "", text)
    assert digits in ("13800138000", "8613800138000", "008613800138000")


def test_the_spreadsheet_and_pasted_forms_are_the_ones_asked_for() -> None:
    assert write("formula", "13800138000") == '="13800138000"'
    assert write("float", "13800138000") == "13800138000.0"
    assert write("bidi", "13800138000") == "\u202d13800138000\u202c"
    assert write("fullwidth", "13800138000") == "１３８００１３８０００"


def test_a_small_day_still_has_every_story() -> None:
    quota = story_quota(MIN_LEADS_FOR_EVERY_STORY)
    assert all(quota[story] >= 1 for story in Story if story not in (Story.HISTORY,))
    assert sum(quota.values()) == MIN_LEADS_FOR_EVERY_STORY
    plan = plan_day(2, 60)
    stories = {s.story for s in plan.day}
    for story in (
        Story.DUPLICATE_SAME_ACCOUNT,
        Story.RETURNING,
        Story.WECHAT_PHONE,
        Story.SEVERAL_NUMBERS,
        Story.BAD_NUMBER,
        Story.BLOCKED_PHONE,
        Story.SENSITIVE_WORD,
    ):
        assert story in stories


def test_stories_carry_what_they_mean() -> None:
    plan = plan_day(4, 300)
    people = {s.person: s for s in plan.submissions if s.story in (Story.NEW, Story.HISTORY)}
    for s in plan.day:
        if s.story == Story.WECHAT_PHONE:
            assert s.phone == "" and s.channel == "WECHAT" and allocated_cn_mobile(s.wechat) is not None
        if s.story == Story.DUPLICATE_SAME_ACCOUNT and s.person in people:
            assert s.account_id == people[s.person].account_id and s.cost_fen > 0
        if s.story == Story.DUPLICATE_OTHER_ACCOUNT and s.person in people:
            assert s.account_id != people[s.person].account_id
            assert s.account_id in cast.GROUP_ACCOUNTS
        if s.story == Story.RETURNING:
            assert people[s.person].story == Story.HISTORY
        if s.story == Story.SENSITIVE_WORD:
            assert any(word in value for _, value in s.attributes for word in cast.BLOCKED_KEYWORDS)
        if s.story == Story.BLOCKED_PHONE:
            assert s.phone in cast.draw_cast(4).blocked_phones
        if s.story == Story.LATE_REPEAT:
            assert s.offset_seconds >= 11 * 3600
