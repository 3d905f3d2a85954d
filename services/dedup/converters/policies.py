"""Policies, history entries and account bindings: requests to domain values, domain values to messages."""

from __future__ import annotations

from google.protobuf import field_mask_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from services.common.protoconv import duration, timestamp, to_enum, to_timedelta
from services.dedup.domain.model import Binding, EffectivePolicy, HistoryEntry
from services.dedup.domain.policy import PolicyPatch


def policy_patch(request: pb.UpdateDedupPolicyRequest) -> PolicyPatch:
    policy = request.policy
    return PolicyPatch(
        account_id=policy.account_id,
        mask=tuple(request.update_mask.paths),
        scope=int(policy.scope),
        dimensions=tuple(int(d) for d in policy.dimensions),
        windows=tuple(
            (int(w.dimension), to_timedelta(w.window, f"policy.windows[{i}].window"))
            for i, w in enumerate(policy.windows)
        ),
        ip_window=to_timedelta(policy.ip_window, "policy.ip_window")
        if policy.HasField("ip_window")
        else None,
        action=int(policy.action),
    )


def policy_message(policy: EffectivePolicy) -> pb.DedupPolicy:
    rules = policy.rules
    message = pb.DedupPolicy(
        account_id=policy.account_id,
        scope=to_enum(pb.DedupScope, rules.scope),
        dimensions=[to_enum(lead_pb2.DedupDimension, d) for d in rules.dimensions],
        windows=[
            pb.DimensionWindow(dimension=to_enum(lead_pb2.DedupDimension, d), window=duration(w))
            for d, w in rules.windows
        ],
        ip_window=duration(rules.ip_window),
        action=to_enum(pb.DedupAction, rules.action),
        inherited_from_account_id=policy.inherited_from,
        updated_by=policy.updated_by,
    )
    if policy.update_time is not None:
        message.update_time.CopyFrom(timestamp(policy.update_time))
    return message


def history_message(entry: HistoryEntry) -> pb.PolicyHistoryEntry:
    message = pb.PolicyHistoryEntry(
        id=entry.id,
        actor=entry.actor,
        change_time=timestamp(entry.change_time),
        changed_fields=field_mask_pb2.FieldMask(paths=list(entry.changed_fields)),
        new_policy=policy_message(entry.new),
    )
    if entry.old is not None:
        message.old_policy.CopyFrom(policy_message(entry.old))
    return message


def binding_message(binding: Binding) -> pb.AccountBinding:
    return pb.AccountBinding(
        parent_account_id=binding.parent_account_id,
        child_account_id=binding.child_account_id,
        bind_time=timestamp(binding.bind_time),
        bound_by=binding.bound_by,
    )
