"""Policy rules: validation of an update with its field mask, effective policy resolution, and diffs.

Update semantics (AIP-134):

- ``update_mask`` names the fields to change among ``scope``, ``dimensions``, ``windows``, ``ip_window`` and
  ``action``; ``*`` replaces all of them (an unset ``ip_window`` then means the default of one day, an unset scope
  or action is an error). Output-only fields (``account_id``, ``inherited_from_account_id``, ``update_time``,
  ``updated_by``) in the mask are refused with INVALID_ARGUMENT on ``update_mask.paths[i]``.
- An empty mask means "every field the request populates" (a non-zero enum, a non-empty list, a set duration).
  Emptying ``dimensions`` (no deduplication at all) therefore needs an explicit mask.
- Windows: zero (or unset) means forever, so a zero entry is dropped; negative windows are refused; IP has no entry
  in ``windows`` (it has ``ip_window``, which must be positive while IP is among the dimensions, because addresses
  are shared).
- An update that changes nothing writes nothing: no history entry and no event.

Accounts are namespaced by tenant (the tenant comes from the token), so a binding across tenants cannot even be
expressed: the other tenant's account id names a different, unrelated account of the caller's tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from services.common.errors import FailedPrecondition, ViolationCollector
from services.common.validation import check_account_id
from services.dedup.domain.model import (
    DEFAULT_IP_WINDOW,
    DEFAULT_RULES,
    OUTPUT_ONLY_FIELDS,
    WRITABLE_FIELDS,
    Action,
    Binding,
    Dimension,
    EffectivePolicy,
    PolicyRules,
    Scope,
    StoredPolicy,
)


@dataclass(frozen=True)
class PolicyPatch:
    """An UpdateDedupPolicy request, as plain values (enums as the numbers the caller sent).

    ``ip_window`` is None when the request leaves it unset; ``mask`` is the list of field-mask paths (may be empty).
    """

    account_id: str
    mask: tuple[str, ...] = ()
    scope: int = 0
    dimensions: tuple[int, ...] = ()
    windows: tuple[tuple[int, timedelta], ...] = ()
    ip_window: timedelta | None = None
    action: int = 0


@dataclass
class _Draft:
    values: dict[str, object] = field(default_factory=dict)


def _populated(patch: PolicyPatch) -> list[str]:
    present = {
        "scope": patch.scope != 0,
        "dimensions": bool(patch.dimensions),
        "windows": bool(patch.windows),
        "ip_window": patch.ip_window is not None,
        "action": patch.action != 0,
    }
    return [name for name in WRITABLE_FIELDS if present[name]]


def mask_fields(patch: PolicyPatch, errors: ViolationCollector) -> list[str]:
    """The writable fields the update changes, in canonical order."""
    if not patch.mask:
        fields = _populated(patch)
        if not fields:
            errors.add("update_mask", "names no field and the policy populates none")
        return fields
    chosen: set[str] = set()
    for index, path in enumerate(patch.mask):
        if path == "*":
            chosen.update(WRITABLE_FIELDS)
        elif path in WRITABLE_FIELDS:
            chosen.add(path)
        elif path in OUTPUT_ONLY_FIELDS:
            errors.add(f"update_mask.paths[{index}]", f"{path!r} is output only and cannot be updated")
        else:
            errors.add(f"update_mask.paths[{index}]", f"{path!r} is not a field of DedupPolicy")
    return [name for name in WRITABLE_FIELDS if name in chosen]


def _scope(value: int, errors: ViolationCollector) -> Scope:
    try:
        return Scope(value)
    except ValueError:
        errors.add("policy.scope", "must be DEDUP_SCOPE_ACCOUNT or DEDUP_SCOPE_ACCOUNT_GROUP")
        return Scope.ACCOUNT


def _action(value: int, errors: ViolationCollector) -> Action:
    if value in (Action.MERGE, Action.FLAG):
        return Action(value)
    errors.add("policy.action", "must be DEDUP_ACTION_MERGE or DEDUP_ACTION_FLAG")
    return Action.MERGE


def _dimensions(values: tuple[int, ...], errors: ViolationCollector) -> tuple[Dimension, ...]:
    seen: set[Dimension] = set()
    for index, value in enumerate(values):
        try:
            dimension = Dimension(value)
        except ValueError:
            errors.add(f"policy.dimensions[{index}]", "must be a DEDUP_DIMENSION other than UNSPECIFIED")
            continue
        if dimension in seen:
            errors.add(f"policy.dimensions[{index}]", f"repeats {dimension.name}")
        seen.add(dimension)
    return tuple(sorted(seen))


def _windows(
    values: tuple[tuple[int, timedelta], ...], errors: ViolationCollector
) -> tuple[tuple[Dimension, timedelta], ...]:
    seen: dict[Dimension, timedelta] = {}
    for index, (value, window) in enumerate(values):
        path = f"policy.windows[{index}]"
        try:
            dimension = Dimension(value)
        except ValueError:
            errors.add(path + ".dimension", "must be a DEDUP_DIMENSION other than UNSPECIFIED")
            continue
        if dimension is Dimension.IP:
            errors.add(path + ".dimension", "IP has its own window: set policy.ip_window instead")
            continue
        if dimension in seen:
            errors.add(path + ".dimension", f"repeats {dimension.name}")
            continue
        if window < timedelta(0):
            errors.add(path + ".window", "must not be negative (zero means forever)")
            continue
        seen[dimension] = window
    # Zero is forever, the same as no entry: normalise it away so equal policies compare equal.
    return tuple((dim, seen[dim]) for dim in sorted(seen) if seen[dim] > timedelta(0))


def apply_patch(current: PolicyRules, patch: PolicyPatch) -> tuple[PolicyRules, tuple[str, ...]]:
    """Validate ``patch`` and apply it to ``current``; returns the new rules and the fields that changed.

    Raises InvalidArgument with one field violation per bad field.
    """
    errors = ViolationCollector()
    check_account_id(errors, "policy.account_id", patch.account_id)
    fields = mask_fields(patch, errors)
    new = current
    if "scope" in fields:
        new = replace(new, scope=_scope(patch.scope, errors))
    if "dimensions" in fields:
        new = replace(new, dimensions=_dimensions(patch.dimensions, errors))
    if "windows" in fields:
        new = replace(new, windows=_windows(patch.windows, errors))
    if "ip_window" in fields:
        ip_window = DEFAULT_IP_WINDOW if patch.ip_window is None else patch.ip_window
        if ip_window < timedelta(0):
            errors.add("policy.ip_window", "must not be negative")
        new = replace(new, ip_window=ip_window)
    if "action" in fields:
        new = replace(new, action=_action(patch.action, errors))
    if Dimension.IP in new.dimensions and new.ip_window <= timedelta(0) and not errors.violations:
        errors.add(
            "policy.ip_window", "must be positive while IP is among the dimensions (addresses are shared)"
        )
    errors.raise_if_any()
    return new, diff_rules(current, new)


def diff_rules(old: PolicyRules, new: PolicyRules) -> tuple[str, ...]:
    """The writable fields whose values differ, in canonical order."""
    return tuple(name for name in WRITABLE_FIELDS if old.field_value(name) != new.field_value(name))


def diff_effective(old: EffectivePolicy, new: EffectivePolicy) -> tuple[str, ...]:
    changed = list(diff_rules(old.rules, new.rules))
    if old.inherited_from != new.inherited_from:
        changed.append("inherited_from_account_id")
    return tuple(changed)


def effective_policy(
    account_id: str, own: StoredPolicy | None, binding: Binding | None, parent: StoredPolicy | None
) -> EffectivePolicy:
    """The policy that applies to ``account_id``.

    While bound, the parent's policy (or the default when the parent never set one) applies and the child's own
    row is left untouched, so unbinding gives back exactly the policy the child had before binding.
    """
    if binding is not None:
        return effective_from_source(account_id, binding.parent_account_id, parent)
    return effective_from_source(account_id, "", own)


def effective_from_source(
    account_id: str, parent_account_id: str, source: StoredPolicy | None
) -> EffectivePolicy:
    """The effective policy from the account's parent ("" when unbound) and the stored policy that applies (the
    parent's while bound, else the account's own; None when never set)."""
    inherited = parent_account_id
    if source is None:
        return EffectivePolicy(account_id=account_id, rules=DEFAULT_RULES, inherited_from=inherited)
    return EffectivePolicy(
        account_id=account_id,
        rules=source.rules,
        inherited_from=inherited,
        update_time=source.update_time,
        updated_by=source.updated_by,
    )


class AccountBound(FailedPrecondition):
    """The account is bound to a parent: it reads the parent's policy and cannot change its own."""

    reason = "ACCOUNT_BOUND"

    def __init__(self, account_id: str, parent_account_id: str) -> None:
        super().__init__(
            f"account {account_id} is bound to parent account {parent_account_id}; change the parent's policy "
            f"or unbind the account first",
            metadata={"account_id": account_id, "parent_account_id": parent_account_id},
        )


class BindingRefused(FailedPrecondition):
    reason = "BINDING_REFUSED"


def check_bind(
    parent_id: str,
    child_id: str,
    *,
    child_binding: Binding | None,
    parent_binding: Binding | None,
    child_has_children: bool,
) -> bool:
    """Refuse what would not be a two-level group; returns True when exactly this binding already exists.

    Refused (FAILED_PRECONDITION): binding an account to itself; a child that is itself a parent (groups do not
    nest); a parent that is itself a child; a child already bound to another parent.
    """
    errors = ViolationCollector()
    check_account_id(errors, "parent_account_id", parent_id)
    check_account_id(errors, "child_account_id", child_id)
    errors.raise_if_any()
    if parent_id == child_id:
        raise BindingRefused(
            f"account {child_id} cannot be bound to itself",
            reason="SELF_BINDING",
            metadata={"account_id": child_id},
        )
    if child_binding is not None:
        if child_binding.parent_account_id == parent_id:
            return True
        raise BindingRefused(
            f"account {child_id} is already bound to parent account {child_binding.parent_account_id}",
            reason="ALREADY_BOUND",
            metadata={"child_account_id": child_id, "parent_account_id": child_binding.parent_account_id},
        )
    if child_has_children:
        raise BindingRefused(
            f"account {child_id} is a parent account and cannot be bound as a child",
            reason="CHILD_IS_PARENT",
            metadata={"child_account_id": child_id},
        )
    if parent_binding is not None:
        raise BindingRefused(
            f"account {parent_id} is bound to parent account {parent_binding.parent_account_id} and cannot be a "
            "parent itself",
            reason="PARENT_IS_CHILD",
            metadata={
                "parent_account_id": parent_id,
                "its_parent_account_id": parent_binding.parent_account_id,
            },
        )
    return False
