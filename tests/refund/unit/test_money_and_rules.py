"""Money in fen, and refund rules: defaults, sources, bounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.common.errors import InvalidArgument
from services.refund.domain import rules as rules_module
from services.refund.domain.money import Money, MoneyError, total
from services.refund.domain.rules import DEFAULT_RULES, RULE_FIELDS, check_rules, rule_violations


def test_money_converts_to_and_from_units_and_nanos() -> None:
    assert Money.from_units_nanos("CNY", 12, 340_000_000) == Money("CNY", 1234)
    assert Money.from_units_nanos("CNY", -1, -750_000_000) == Money("CNY", -175)
    assert Money("CNY", 1234).to_units_nanos() == (12, 340_000_000)
    assert Money("CNY", -175).to_units_nanos() == (-1, -750_000_000)
    assert Money.yuan("50") == Money("CNY", 5000)
    assert str(Money.yuan("-0.05")) == "-0.05 CNY"


@pytest.mark.parametrize(("units", "nanos"), [(0, 1), (1, -10_000_000), (0, 1_000_000_000), (1, 5_000_000)])
def test_money_refuses_what_it_cannot_hold(units: int, nanos: int) -> None:
    with pytest.raises(MoneyError):
        Money.from_units_nanos("CNY", units, nanos)


def test_money_never_mixes_currencies() -> None:
    with pytest.raises(MoneyError):
        Money("CNY", 1) + Money("USD", 1)
    with pytest.raises(MoneyError):
        Money("cny", 1)
    with pytest.raises(MoneyError):
        Money("CNY", 1.5)  # type: ignore[arg-type]
    assert total([Money("CNY", 1), Money("CNY", 2)], "CNY") == Money("CNY", 3)
    assert total([], "USD") == Money("USD", 0)


def test_default_rules_are_the_documented_ones() -> None:
    assert DEFAULT_RULES.min_talk_duration == timedelta(seconds=10)
    assert DEFAULT_RULES.min_ring_duration == timedelta(seconds=15)
    assert DEFAULT_RULES.min_attempts == 3
    assert DEFAULT_RULES.min_distinct_hours == 2
    assert DEFAULT_RULES.reach_window == timedelta(hours=24)
    assert DEFAULT_RULES.first_attempt_callable_duration == timedelta(hours=12)
    assert DEFAULT_RULES.powered_off_calls == 2
    assert DEFAULT_RULES.claim_window == timedelta(days=7)
    assert DEFAULT_RULES.settling_period == timedelta(hours=6)
    assert DEFAULT_RULES.refund_duplicate_charges is True
    assert rule_violations(DEFAULT_RULES) == []


def test_every_rule_is_documented_with_a_source() -> None:
    doc = rules_module.RefundRules.__doc__ or ""
    for name in RULE_FIELDS:
        assert f"``{name}``" in doc, name
    assert "developers.e.qq.com" in (rules_module.__doc__ or "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_talk_duration": timedelta(0)}, "min_talk_duration"),
        ({"min_ring_duration": timedelta(minutes=3)}, "min_ring_duration"),
        ({"min_attempts": 0}, "min_attempts"),
        ({"min_attempts": 2, "min_distinct_hours": 3}, "min_distinct_hours"),
        ({"reach_window": timedelta(days=8)}, "reach_window"),
        ({"first_attempt_callable_duration": timedelta(hours=25)}, "first_attempt_callable_duration"),
        ({"powered_off_calls": 0}, "powered_off_calls"),
        ({"claim_window": timedelta(days=91), "reach_window": timedelta(days=1)}, "claim_window"),
        ({"settling_period": timedelta(seconds=-1)}, "settling_period"),
        ({"duplicate_charge_window": timedelta(0)}, "duplicate_charge_window"),
    ],
)
def test_rules_out_of_bounds_name_their_field(changes: dict[str, object], field: str) -> None:
    bad = replace(DEFAULT_RULES, **changes)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument) as raised:
        check_rules(bad)
    assert field in [v.field for v in raised.value.violations]


def test_a_rules_patch_keeps_only_what_differs_from_the_defaults_and_names_bad_fields() -> None:
    from datetime import timedelta

    import pytest

    from services.common.errors import InvalidArgument
    from services.refund.domain.rules import RulesPatch, StoredRules, apply_rules_patch

    current = StoredRules("a", {"min_attempts": 5})
    overrides, changed = apply_rules_patch(
        current, RulesPatch("a", ("*",), {"min_attempts": 3, "claim_window": timedelta(days=14)})
    )
    assert overrides == {"claim_window": timedelta(days=14)}  # min_attempts back at its default: not stored
    assert changed == ("min_attempts", "claim_window")
    with pytest.raises(InvalidArgument) as raised:
        apply_rules_patch(
            current, RulesPatch("a", ("settling_period", "nope"), {"settling_period": timedelta(days=8)})
        )
    assert [v.field for v in raised.value.violations] == ["update_mask.paths[1]"]
    with pytest.raises(InvalidArgument) as raised:
        apply_rules_patch(
            current, RulesPatch("a", ("settling_period",), {"settling_period": timedelta(days=8)})
        )
    assert [v.field for v in raised.value.violations] == ["rules.settling_period"]
