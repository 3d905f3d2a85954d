"""GetRefundRules / UpdateRefundRules: defaults with sources, field masks, bounds named per field, nothing changed
on a bad request, tenancy, and open cases re-evaluated under new rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import InvalidArgument
from services.refund.domain.rules import DEFAULT_RULES, RulesPatch
from tests.harness import run_sync
from tests.refund.handlers.helpers import principal
from tests.refund.world import FakeWorld


def update(world: FakeWorld, tenant: str, patch: RulesPatch):  # type: ignore[no-untyped-def]
    return run_sync(world.handlers.rules.update_rules(principal(tenant, subject="bob"), patch))


def get(world: FakeWorld, tenant: str, account: str = "acct-1"):  # type: ignore[no-untyped-def]
    return run_sync(world.handlers.rules.get_rules(principal(tenant), account))


def test_an_account_that_never_set_rules_gets_the_defaults(world: FakeWorld, tenant: str) -> None:
    stored = get(world, tenant)
    assert stored.rules == DEFAULT_RULES
    assert stored.update_time is None and stored.updated_by == ""


def test_an_update_changes_only_the_masked_fields_and_records_who(world: FakeWorld, tenant: str) -> None:
    patch = RulesPatch(
        "acct-1",
        ("min_attempts", "settling_period"),
        {"min_attempts": 4, "settling_period": timedelta(hours=2), "min_distinct_hours": 3},
    )
    stored = update(world, tenant, patch)
    assert (stored.rules.min_attempts, stored.rules.settling_period) == (4, timedelta(hours=2))
    assert stored.rules.min_distinct_hours == DEFAULT_RULES.min_distinct_hours  # not in the mask
    assert stored.updated_by == "bob" and stored.update_time == world.clock.now()
    assert get(world, tenant).rules == stored.rules
    assert get(world, "another-tenant").rules == DEFAULT_RULES


def test_a_masked_field_left_unset_goes_back_to_its_default(world: FakeWorld, tenant: str) -> None:
    update(world, tenant, RulesPatch("acct-1", ("min_attempts",), {"min_attempts": 5}))
    stored = update(world, tenant, RulesPatch("acct-1", ("min_attempts",), {}))
    assert stored.rules.min_attempts == 3
    assert "min_attempts" not in stored.overrides


def test_without_a_mask_the_populated_fields_change(world: FakeWorld, tenant: str) -> None:
    stored = update(world, tenant, RulesPatch("acct-1", (), {"refund_duplicate_charges": False}))
    assert stored.rules.refund_duplicate_charges is False


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        (
            RulesPatch("acct-1", ("min_talk_duration",), {"min_talk_duration": timedelta(0)}),
            ["rules.min_talk_duration"],
        ),
        (RulesPatch("acct-1", ("min_attempts",), {"min_attempts": 21}), ["rules.min_attempts"]),
        (
            RulesPatch(
                "acct-1", ("min_distinct_hours", "min_attempts"), {"min_distinct_hours": 4, "min_attempts": 3}
            ),
            ["rules.min_distinct_hours"],
        ),
        (
            RulesPatch("acct-1", ("claim_window",), {"claim_window": timedelta(hours=12)}),
            ["rules.reach_window"],
        ),
        (
            RulesPatch("acct-1", ("update_time", "bogus"), {}),
            ["update_mask.paths[0]", "update_mask.paths[1]"],
        ),
        (RulesPatch("acct-1", (), {}), ["update_mask"]),
        (RulesPatch("", ("min_attempts",), {"min_attempts": 4}), ["rules.account_id"]),
    ],
)
def test_bad_updates_name_every_field_and_change_nothing(
    world: FakeWorld, tenant: str, patch: RulesPatch, fields: list[str]
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        update(world, tenant, patch)
    assert [v.field for v in raised.value.violations] == fields
    assert world.uow.rules.rows == {} and world.uow.timers.rows == {}


def test_an_update_that_changes_nothing_stores_nothing(world: FakeWorld, tenant: str) -> None:
    stored = update(world, tenant, RulesPatch("acct-1", ("min_attempts",), {"min_attempts": 3}))
    assert stored.update_time is None and world.uow.rules.rows == {}
