"""Row and JSON mapping of the dedup tables: policies as JSON documents, bindings and index keys as rows.

Times are integer microseconds since the epoch (``services.common.timeconv``), durations likewise.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.common.timeconv import from_us, span_us, to_us
from services.dedup.domain.model import (
    Action,
    Binding,
    Dimension,
    EffectivePolicy,
    IndexKey,
    KeyOrigin,
    PolicyRules,
    Scope,
    StoredPolicy,
)


def rules_to_json(rules: PolicyRules) -> dict[str, Any]:
    return {
        "scope": int(rules.scope),
        "dimensions": [int(d) for d in rules.dimensions],
        "windows": [[int(d), span_us(w)] for d, w in rules.windows],
        "ip_window_us": span_us(rules.ip_window),
        "action": int(rules.action),
    }


def rules_from_json(data: dict[str, Any]) -> PolicyRules:
    return PolicyRules(
        scope=Scope(data["scope"]),
        dimensions=tuple(Dimension(d) for d in data["dimensions"]),
        windows=tuple((Dimension(d), timedelta(microseconds=w)) for d, w in data["windows"]),
        ip_window=timedelta(microseconds=data["ip_window_us"]),
        action=Action(data["action"]),
    )


def effective_to_json(policy: EffectivePolicy) -> dict[str, Any]:
    return {
        "account_id": policy.account_id,
        "rules": rules_to_json(policy.rules),
        "inherited_from": policy.inherited_from,
        "update_us": to_us(policy.update_time) if policy.update_time is not None else None,
        "updated_by": policy.updated_by,
    }


def effective_from_json(data: dict[str, Any]) -> EffectivePolicy:
    return EffectivePolicy(
        account_id=data["account_id"],
        rules=rules_from_json(data["rules"]),
        inherited_from=data["inherited_from"],
        update_time=from_us(data["update_us"]) if data["update_us"] is not None else None,
        updated_by=data["updated_by"],
    )


def stored_policy(account_id: str, row: Any) -> StoredPolicy:
    return StoredPolicy(
        account_id=account_id,
        rules=rules_from_json(row.policy),
        update_time=from_us(row.update_us),
        updated_by=row.updated_by,
    )


def binding(row: Any) -> Binding:
    return Binding(
        parent_account_id=row.parent_account_id,
        child_account_id=row.child_account_id,
        bind_time=from_us(row.bind_us),
        bound_by=row.bound_by,
    )


def index_key(row: Any) -> IndexKey:
    return IndexKey(
        id=row.id,
        scope_key=row.scope_key,
        dimension=Dimension(row.dimension),
        key_hash=bytes(row.key_hash),
        lead_id=row.lead_id,
        first_seen=from_us(row.first_seen_us),
        last_seen=from_us(row.last_seen_us),
        policy_account_id=row.policy_account_id,
        origin=KeyOrigin(row.origin),
        origin_lead_id=row.origin_lead_id,
    )
