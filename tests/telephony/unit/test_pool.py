"""X selection by region and limits, number status, bindings, quarantine."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.telephony.domain.binding import DEFAULT_BINDING_TTL, Binding, BindingState, reusable_binding
from services.telephony.domain.errors import NoNumberAvailable
from services.telephony.domain.numbers import MaskedNumber, NumberStatus
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.quarantine import QuarantinePolicy, assess
from services.telephony.domain.selection import (
    ANY_REGION,
    SAME_CITY,
    SAME_PROVINCE,
    NumberUsage,
    PoolDefaults,
    choose_number,
)
from tests.telephony.unit.helpers import T0, at


def number(suffix, province="广东省", city="深圳市", last_bind=None, **kwargs):
    return MaskedNumber(
        f"n{suffix}",
        f"+86170000000{suffix:02d}",
        province,
        city,
        "aliyun",
        last_bind_time=last_bind,
        **kwargs,
    )


def usage(n, bindings=0, calls=0):
    return NumberUsage(n, bindings, calls)


def test_same_city_beats_same_province_beats_any():
    pool = [usage(number(1, "北京市", "北京市")), usage(number(2, "广东省", "广州市")), usage(number(3))]
    assert choose_number(pool, "广东省", "深圳市", T0).number.number_id == "n3"
    assert choose_number(pool, "广东省", "深圳市", T0).match == SAME_CITY
    assert choose_number(pool[:2], "广东省", "深圳市", T0).match == SAME_PROVINCE
    assert choose_number(pool[:1], "广东省", "深圳市", T0).match == ANY_REGION


def test_least_recently_bound_first_and_never_bound_before_all():
    pool = [
        usage(number(1, last_bind=at(100))),
        usage(number(2, last_bind=at(50))),
        usage(number(3, last_bind=at(70))),
    ]
    assert choose_number(pool, "广东省", "深圳市", T0).number.number_id == "n2"
    pool.append(usage(number(4)))
    assert choose_number(pool, "广东省", "深圳市", T0).number.number_id == "n4"


def test_region_beats_recency():
    pool = [usage(number(1, "北京市", "北京市")), usage(number(2, last_bind=at(999)))]
    assert choose_number(pool, "广东省", "深圳市", T0).number.number_id == "n2"


def test_unknown_lead_region_takes_any_number_least_recently_used():
    pool = [usage(number(1, last_bind=at(9))), usage(number(2, "北京市", "北京市", last_bind=at(1)))]
    choice = choose_number(pool, "", "", T0)
    assert choice.number.number_id == "n2" and choice.match == ANY_REGION


def test_concurrent_binding_limit_default_200_and_per_number():
    full = usage(number(1), bindings=200)
    other = usage(number(2, "北京市", "北京市"), bindings=199)
    assert choose_number([full, other], "广东省", "深圳市", T0).number.number_id == "n2"
    small = usage(number(3, max_concurrent_bindings=5), bindings=5)
    with pytest.raises(NoNumberAvailable) as refused:
        choose_number([full, small], "广东省", "深圳市", T0)
    assert refused.value.limit == "max_concurrent_bindings"
    assert refused.value.at_binding_limit == 2
    assert (
        choose_number(
            [full], "广东省", "深圳市", T0, PoolDefaults(max_concurrent_bindings=300)
        ).number.number_id
        == "n1"
    )


def test_daily_call_limit():
    pool = [usage(number(1), calls=30), usage(number(2, max_daily_calls=10), calls=10)]
    assert choose_number(pool, "广东省", "深圳市", T0).number.number_id == "n1"  # no tenant limit by default
    with pytest.raises(NoNumberAvailable) as refused:
        choose_number(pool, "广东省", "深圳市", T0, PoolDefaults(max_daily_calls=30))
    assert refused.value.limit == "max_daily_calls"


def test_only_active_numbers_and_resting_numbers_come_back_after_their_rest():
    resting = number(1).rest(NumberStatus.QUARANTINED, at(3600), "answer rate 2% against 30%", T0)
    retired = number(2).retire("carrier took it back", T0)
    with pytest.raises(NoNumberAvailable) as refused:
        choose_number([usage(resting), usage(retired)], "广东省", "深圳市", T0)
    assert refused.value.limit == "no_active_number"
    assert resting.why_not_active(T0).startswith("QUARANTINED until")
    assert "answer rate 2%" in resting.why_not_active(T0)
    assert choose_number([usage(resting)], "广东省", "深圳市", at(3600)).number.number_id == "n1"
    assert resting.why_not_active(at(3600)) is None
    assert retired.rest(NumberStatus.COOLING, at(60), "x", T0).status is NumberStatus.RETIRED


def test_binding_ttl_release_and_reuse():
    binding = Binding.new("b1", "n1", "lead-1", "agent-1", T0, DEFAULT_BINDING_TTL)
    assert binding.expire_time == T0 + timedelta(hours=72)
    assert binding.state_at(T0 + timedelta(hours=71)) is BindingState.ACTIVE
    assert binding.state_at(T0 + timedelta(hours=72)) is BindingState.EXPIRED
    released = binding.release(at(10))
    assert released.state_at(at(11)) is BindingState.RELEASED
    assert released.release(at(20)) == released  # releasing twice changes nothing
    other = Binding.new("b2", "n2", "lead-2", "agent-1", T0, DEFAULT_BINDING_TTL)
    # Only a binding the carrier confirmed (its id known) is reused.
    assert reusable_binding([other, binding], "lead-1", "agent-1", at(5)) is None
    confirmed = replace(binding, provider_binding_id="subs-1")
    assert reusable_binding([other, binding, confirmed], "lead-1", "agent-1", at(5)) == confirmed
    assert (
        reusable_binding(
            [other, replace(released, provider_binding_id="subs-1")], "lead-1", "agent-1", at(15)
        )
        is None
    )
    with pytest.raises(ValueError):
        Binding.new("b3", "n1", "l", "a", T0, timedelta(0))


POLICY = QuarantinePolicy(window_calls=20, ratio=0.3, duration=timedelta(days=7))


def outcomes(answered, total, other=CallOutcome.REJECTED):
    return [CallOutcome.ANSWERED] * answered + [other] * (total - answered)


def test_quarantine_when_far_below_the_pool():
    decision = assess(outcomes(1, 20), outcomes(30, 100), T0, POLICY)  # 5% against 30%
    assert decision is not None
    assert decision.until == T0 + timedelta(days=7)
    assert decision.reason == "answer rate 5% over the last 20 calls against 30% for the pool"


def test_no_quarantine_at_or_above_the_ratio_or_on_too_few_calls():
    assert assess(outcomes(2, 20), outcomes(30, 100), T0, POLICY) is None  # 10% = 0.33 × 30%: not far below
    assert assess(outcomes(0, 19), outcomes(30, 100), T0, POLICY) is None  # too few calls to judge
    assert assess(outcomes(0, 20), outcomes(0, 100), T0, POLICY) is None  # the pool answers nothing either


def test_caller_cancelled_calls_are_not_counted_and_only_the_last_window_counts():
    cancelled = [CallOutcome.CALLER_CANCELLED] * 30
    assert assess(outcomes(0, 10) + cancelled, outcomes(30, 100), T0, POLICY) is None
    recovered = outcomes(0, 40) + outcomes(10, 20)  # bad long ago, 50% over the last 20
    assert assess(recovered, outcomes(30, 100), T0, POLICY) is None


def test_policy_is_validated():
    with pytest.raises(ValueError):
        QuarantinePolicy(window_calls=0)
    with pytest.raises(ValueError):
        QuarantinePolicy(ratio=1.5)
