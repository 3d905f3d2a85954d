"""Pure dedup rules: windows, verdicts, the canonical lead, policy updates, bindings and claim validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.clock import FakeClock
from services.common.errors import FailedPrecondition, InvalidArgument
from services.dedup.domain.claims import (
    ClaimCommand,
    result_from_record,
    result_to_record,
    validate_claim,
)
from services.dedup.domain.model import (
    DEFAULT_IP_WINDOW,
    DEFAULT_RULES,
    FOREVER,
    Action,
    Binding,
    Dimension,
    EffectivePolicy,
    IndexKey,
    KeyOrigin,
    PolicyRules,
    Scope,
    StoredPolicy,
    Verdict,
)
from services.dedup.domain.policy import (
    AccountBound,
    BindingRefused,
    PolicyPatch,
    apply_patch,
    check_bind,
    effective_policy,
)
from services.dedup.domain.verdict import FoundKey, judge, within_window
from tests.dedup.helpers import T0

DAY = timedelta(days=1)
US = timedelta(microseconds=1)


def key(dimension: Dimension, lead: str, first_seen=T0, key_id: int = 1, scope: str = "acct") -> IndexKey:
    return IndexKey(
        id=key_id,
        scope_key=scope,
        dimension=dimension,
        key_hash=bytes(32),
        lead_id=lead,
        first_seen=first_seen,
        last_seen=first_seen,
        policy_account_id="acct",
    )


def found(*keys: IndexKey, rules: PolicyRules = DEFAULT_RULES) -> list[FoundKey]:
    return [FoundKey(key=k, rules=rules, policy_account_id="acct") for k in keys]


def rules(**windows: timedelta) -> PolicyRules:
    return PolicyRules(
        dimensions=tuple(Dimension),
        windows=tuple((Dimension[name.upper()], w) for name, w in windows.items() if name != "ip"),
        ip_window=windows.get("ip", DEFAULT_IP_WINDOW),
    )


# ---------------------------------------------------------------- windows


@pytest.mark.parametrize("window", [DAY, 30 * DAY, timedelta(seconds=1)])
def test_a_match_exactly_at_the_window_boundary_is_a_duplicate_and_one_microsecond_later_is_not(
    window,
) -> None:
    assert within_window(window, T0, T0 + window)
    assert not within_window(window, T0, T0 + window + US)
    assert within_window(window, T0, T0)


def test_a_zero_window_means_forever() -> None:
    assert FOREVER == timedelta(0)
    assert within_window(FOREVER, T0, T0 + 100_000 * DAY)


def test_a_submission_earlier_than_first_seen_is_within_the_window() -> None:
    assert within_window(DAY, T0, T0 - 10 * DAY)


# ---------------------------------------------------------------- verdicts


def test_no_match_is_new_and_the_candidate_is_canonical() -> None:
    plan = judge("cand", T0, [], Action.MERGE)
    assert plan.result.verdict is Verdict.NEW
    assert plan.result.canonical_lead_id == "cand" == plan.target_lead_id
    assert plan.result.action is Action.UNSPECIFIED
    assert plan.inserted_origin is KeyOrigin.CLAIMED


def test_a_match_within_its_window_is_a_duplicate_of_that_lead() -> None:
    plan = judge(
        "cand", T0 + 30 * DAY, found(key(Dimension.PHONE, "A"), rules=rules(phone=30 * DAY)), Action.MERGE
    )
    assert plan.result.verdict is Verdict.DUPLICATE
    assert plan.result.canonical_lead_id == "A" == plan.target_lead_id
    assert plan.result.action is Action.MERGE
    assert plan.inserted_origin is KeyOrigin.ATTACHED
    assert plan.touch == (1,) and plan.repoint == ()
    (match,) = plan.result.matches
    assert match.within_window and match.window == 30 * DAY and match.lead_id == "A"


def test_matches_all_outside_their_windows_are_returning_and_keys_move_to_the_candidate() -> None:
    plan = judge(
        "cand",
        T0 + 30 * DAY + US,
        found(key(Dimension.PHONE, "A"), rules=rules(phone=30 * DAY)),
        Action.MERGE,
    )
    assert plan.result.verdict is Verdict.RETURNING
    assert plan.result.canonical_lead_id == "cand"
    assert plan.result.action is Action.UNSPECIFIED
    (move,) = plan.repoint
    assert move.lead_id == "cand" and move.origin is KeyOrigin.RETURNING
    assert [m.within_window for m in plan.result.matches] == [False]


def test_conflicting_dimensions_name_all_matches_and_the_phone_match_is_canonical() -> None:
    phone = key(Dimension.PHONE, "A", first_seen=T0 + DAY, key_id=1)
    device = key(Dimension.DEVICE, "B", first_seen=T0, key_id=2)  # older, but a weaker dimension
    plan = judge("cand", T0 + 2 * DAY, found(device, phone), Action.MERGE)
    assert plan.result.verdict is Verdict.DUPLICATE
    assert plan.result.canonical_lead_id == "A"
    assert [(m.dimension, m.lead_id) for m in plan.result.matches] == [
        (Dimension.PHONE, "A"),
        (Dimension.DEVICE, "B"),
    ]
    # The device key stays with B: a key is never taken from a live lead.
    assert plan.repoint == () and set(plan.touch) == {1, 2}


@pytest.mark.parametrize(
    ("stronger", "weaker"),
    [
        (Dimension.PHONE, Dimension.WECHAT),
        (Dimension.WECHAT, Dimension.EMAIL),
        (Dimension.EMAIL, Dimension.DEVICE),
        (Dimension.DEVICE, Dimension.IP),
    ],
)
def test_dimension_priority_decides_before_age(stronger: Dimension, weaker: Dimension) -> None:
    plan = judge(
        "cand",
        T0 + DAY,
        found(
            key(weaker, "OLD", first_seen=T0 - DAY, key_id=1), key(stronger, "NEW", first_seen=T0, key_id=2)
        ),
        Action.MERGE,
    )
    assert plan.result.canonical_lead_id == "NEW"


def test_same_dimension_in_two_key_spaces_picks_the_oldest_then_the_lowest_lead_id() -> None:
    a = key(Dimension.PHONE, "Z", first_seen=T0, key_id=1, scope="ad")
    b = key(Dimension.PHONE, "Y", first_seen=T0 + DAY, key_id=2, scope="collect")
    assert judge("cand", T0 + 2 * DAY, found(b, a), Action.MERGE).result.canonical_lead_id == "Z"
    c = key(Dimension.PHONE, "M", first_seen=T0, key_id=3, scope="collect")
    assert judge("cand", T0 + 2 * DAY, found(a, c), Action.MERGE).result.canonical_lead_id == "M"


def test_an_expired_strong_match_does_not_beat_a_live_weak_one() -> None:
    policy = rules(phone=DAY)
    phone = key(Dimension.PHONE, "A", first_seen=T0, key_id=1)
    device = key(Dimension.DEVICE, "B", first_seen=T0 + 5 * DAY, key_id=2)
    plan = judge("cand", T0 + 6 * DAY, found(phone, device, rules=policy), Action.MERGE)
    assert plan.result.verdict is Verdict.DUPLICATE and plan.result.canonical_lead_id == "B"
    # The expired phone key moves to the lead the submission resolved to, measured from now.
    (move,) = plan.repoint
    assert move.key.id == 1 and move.lead_id == "B" and move.origin is KeyOrigin.MOVED


def test_flag_reports_the_action_and_still_resolves_to_the_canonical_lead() -> None:
    plan = judge("cand", T0, found(key(Dimension.PHONE, "A")), Action.FLAG)
    assert plan.result.verdict is Verdict.DUPLICATE and plan.result.action is Action.FLAG
    assert plan.target_lead_id == "A"


def test_ip_uses_its_own_shorter_window() -> None:
    policy = rules(ip=timedelta(hours=1))
    plan = judge("cand", T0 + timedelta(hours=2), found(key(Dimension.IP, "A"), rules=policy), Action.MERGE)
    assert plan.result.verdict is Verdict.RETURNING
    assert plan.result.matches[0].window == timedelta(hours=1)


def test_one_match_per_dimension_and_lead_is_reported() -> None:
    a = key(Dimension.PHONE, "A", first_seen=T0, key_id=1, scope="ad")
    b = key(Dimension.PHONE, "A", first_seen=T0 + DAY, key_id=2, scope="collect")
    plan = judge("cand", T0 + 2 * DAY, found(b, a), Action.MERGE)
    assert len(plan.result.matches) == 1 and plan.result.matches[0].first_seen == T0


def test_a_claim_answer_survives_its_stored_form() -> None:
    plan = judge(
        "cand", T0 + 2 * DAY, found(key(Dimension.PHONE, "A"), key(Dimension.IP, "B", key_id=2)), Action.FLAG
    )
    assert result_from_record(result_to_record(plan.result)) == plan.result


# ---------------------------------------------------------------- policy updates


def patch(**values) -> PolicyPatch:  # type: ignore[no-untyped-def]
    return PolicyPatch(account_id=values.pop("account_id", "acct"), **values)


def violations(error: pytest.ExceptionInfo[InvalidArgument]) -> list[str]:
    return [v.field for v in error.value.violations]


def test_the_default_policy_dedups_by_phone_forever_with_merge() -> None:
    assert DEFAULT_RULES.scope is Scope.ACCOUNT
    assert DEFAULT_RULES.dimensions == (Dimension.PHONE,)
    assert DEFAULT_RULES.window_of(Dimension.PHONE) == FOREVER
    assert DEFAULT_RULES.action is Action.MERGE
    assert timedelta(0) < DEFAULT_RULES.ip_window <= DAY


def test_an_update_changes_only_the_masked_fields_and_reports_them() -> None:
    new, changed = apply_patch(
        DEFAULT_RULES,
        patch(
            mask=("dimensions", "windows"),
            scope=2,
            action=2,
            dimensions=(int(Dimension.IP), int(Dimension.PHONE), int(Dimension.DEVICE)),
            windows=((int(Dimension.PHONE), 30 * DAY),),
        ),
    )
    assert changed == ("dimensions", "windows")
    assert new.dimensions == (Dimension.PHONE, Dimension.IP, Dimension.DEVICE)
    assert new.window_of(Dimension.PHONE) == 30 * DAY
    assert new.scope is Scope.ACCOUNT and new.action is Action.MERGE


def test_an_empty_mask_means_the_populated_fields() -> None:
    new, changed = apply_patch(DEFAULT_RULES, patch(scope=2, action=2))
    assert changed == ("scope", "action")
    assert new.scope is Scope.ACCOUNT_GROUP and new.action is Action.FLAG


def test_the_wildcard_replaces_everything_and_an_unchanged_update_changes_nothing() -> None:
    new, changed = apply_patch(DEFAULT_RULES, patch(mask=("*",), scope=1, action=1, dimensions=(1,)))
    assert new == DEFAULT_RULES and changed == ()


def test_a_zero_window_is_forever_and_equal_to_no_entry() -> None:
    new, changed = apply_patch(DEFAULT_RULES, patch(mask=("windows",), windows=((1, timedelta(0)),)))
    assert new.windows == () and changed == ()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mask": ("update_time",)}, "update_mask.paths[0]"),
        ({"mask": ("scope", "inherited_from_account_id")}, "update_mask.paths[1]"),
        ({"mask": ("colour",)}, "update_mask.paths[0]"),
        ({}, "update_mask"),
        ({"account_id": ""}, "policy.account_id"),
        ({"mask": ("scope",), "scope": 0}, "policy.scope"),
        ({"mask": ("action",), "action": 7}, "policy.action"),
        ({"dimensions": (1, 9)}, "policy.dimensions[1]"),
        ({"dimensions": (1, 1)}, "policy.dimensions[1]"),
        ({"dimensions": (0,)}, "policy.dimensions[0]"),
        ({"windows": ((1, DAY), (4, DAY))}, "policy.windows[1].dimension"),
        ({"windows": ((1, DAY), (1, DAY))}, "policy.windows[1].dimension"),
        ({"windows": ((2, DAY), (1, -DAY))}, "policy.windows[1].window"),
        ({"ip_window": -DAY}, "policy.ip_window"),
        ({"dimensions": (1, 4), "ip_window": timedelta(0)}, "policy.ip_window"),
    ],
)
def test_invalid_updates_name_the_field(kwargs, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument) as error:
        apply_patch(DEFAULT_RULES, patch(**kwargs))
    assert field in violations(error)


def test_an_unset_ip_window_under_the_wildcard_is_the_default() -> None:
    new, _ = apply_patch(DEFAULT_RULES, patch(mask=("*",), scope=1, action=1, dimensions=(1, 4)))
    assert new.ip_window == DEFAULT_IP_WINDOW


# ---------------------------------------------------------------- effective policy and bindings


def test_a_bound_child_uses_its_parents_policy_and_keeps_its_own_for_later() -> None:
    own = StoredPolicy("child", PolicyRules(action=Action.FLAG), T0, "bob")
    parent = StoredPolicy("parent", PolicyRules(scope=Scope.ACCOUNT_GROUP), T0 + DAY, "alice")
    binding = Binding("parent", "child", T0, "alice")
    bound = effective_policy("child", own, binding, parent)
    assert bound.rules == parent.rules and bound.inherited_from == "parent" and bound.updated_by == "alice"
    assert bound.policy_account_id == "parent" and bound.scope_key == "parent"
    assert effective_policy("child", own, None, None).rules == own.rules


def test_the_key_space_follows_the_scope() -> None:
    group = PolicyRules(scope=Scope.ACCOUNT_GROUP)
    assert EffectivePolicy("c", DEFAULT_RULES, inherited_from="p").scope_key == "c"
    assert EffectivePolicy("c", group, inherited_from="p").scope_key == "p"
    assert EffectivePolicy("p", group).scope_key == "p"
    assert EffectivePolicy("c", group, inherited_from="p").key_spaces == ("p", "c")
    assert EffectivePolicy("c", DEFAULT_RULES, inherited_from="p").key_spaces == ("c",)
    assert EffectivePolicy("p", group).key_spaces == ("p",)
    assert effective_policy("x", None, Binding("p", "x", T0, "a"), None).rules == DEFAULT_RULES


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"parent_id": "a", "child_id": "a"}, "SELF_BINDING"),
        ({"child_binding": Binding("other", "c", T0, "x")}, "ALREADY_BOUND"),
        ({"child_has_children": True}, "CHILD_IS_PARENT"),
        ({"parent_binding": Binding("grand", "p", T0, "x")}, "PARENT_IS_CHILD"),
    ],
)
def test_binding_refusals(args, reason: str) -> None:  # type: ignore[no-untyped-def]
    call = {
        "parent_id": "p",
        "child_id": "c",
        "child_binding": None,
        "parent_binding": None,
        "child_has_children": False,
        **args,
    }
    with pytest.raises(BindingRefused) as error:
        check_bind(call.pop("parent_id"), call.pop("child_id"), **call)
    assert error.value.reason == reason
    assert isinstance(error.value, FailedPrecondition)


def test_binding_the_same_pair_again_is_accepted_as_is() -> None:
    assert check_bind(
        "p", "c", child_binding=Binding("p", "c", T0, "x"), parent_binding=None, child_has_children=False
    )


def test_account_bound_names_the_parent() -> None:
    error = AccountBound("child", "parent")
    assert "parent" in error.message and error.metadata["parent_account_id"] == "parent"
    assert error.reason == "ACCOUNT_BOUND"


# ---------------------------------------------------------------- claim validation


def command(**values) -> ClaimCommand:  # type: ignore[no-untyped-def]
    base = {
        "account_id": "acct",
        "candidate_lead_id": "lead",
        "fingerprints": ((1, bytes(32)),),
        "submit_time": T0,
        "request_id": "r1",
    }
    return ClaimCommand(**{**base, **values})


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"fingerprints": ((1, bytes(31)),)}, "fingerprints[0].keyed_hash"),
        ({"fingerprints": ((1, bytes(32)), (5, b"13800138000"))}, "fingerprints[1].keyed_hash"),
        ({"fingerprints": ((0, bytes(32)),)}, "fingerprints[0].dimension"),
        # Several phones are allowed (a cell with several numbers), up to five; a sixth names itself.
        ({"fingerprints": tuple((1, bytes([n]) * 32) for n in range(6))}, "fingerprints[5].dimension"),
        ({"account_id": ""}, "account_id"),
        ({"candidate_lead_id": ""}, "candidate_lead_id"),
        ({"request_id": ""}, "request_id"),
        ({"request_id": "r" * 65}, "request_id"),
        ({"collect_account_id": "c" * 200}, "collect_account_id"),
    ],
)
def test_invalid_claims_name_the_field(values, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument) as error:
        validate_claim(command(**values), T0)
    assert field in violations(error)


def test_a_wrong_length_hash_is_described_without_echoing_the_value() -> None:
    with pytest.raises(InvalidArgument) as error:
        validate_claim(command(fingerprints=((1, b"+8613800138000"),)), T0)
    assert "13800138000" not in error.value.message


def test_a_claim_without_submit_time_is_submitted_now_and_fingerprints_are_canonical() -> None:
    clock = FakeClock(T0 + DAY)
    claim = validate_claim(
        command(submit_time=None, fingerprints=((5, b"d" * 32), (1, b"p" * 32))), clock.now()
    )
    assert claim.submit_time == T0 + DAY
    assert [f.dimension for f in claim.fingerprints] == [Dimension.PHONE, Dimension.DEVICE]


def test_the_digest_ignores_the_request_id_and_covers_the_rest() -> None:
    a = validate_claim(command(), T0)
    assert a.digest() == validate_claim(command(request_id="other"), T0).digest()
    assert a.digest() != validate_claim(command(submit_time=T0 + US), T0).digest()
    assert a.digest() != validate_claim(command(fingerprints=((1, b"x" * 32),)), T0).digest()


def test_a_collect_account_equal_to_the_account_is_no_collect_account() -> None:
    assert validate_claim(command(collect_account_id="acct"), T0).collect_account_id == ""
