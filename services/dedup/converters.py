"""Protobuf <-> domain conversions for the dedup service, used by the gRPC servicer and the event adapter.

Mechanical only: no rule lives here (validation happens in the domain, on the plain values converted here), except
that a timestamp or duration outside the range protobuf defines is INVALID_ARGUMENT on its field, as it has no
Python value. Timestamps and durations are truncated from nanoseconds to microseconds, the precision the domain
stores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf import duration_pb2, field_mask_pb2, timestamp_pb2

from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import events_pb2
from services.common.errors import FieldViolation, InvalidArgument
from services.dedup.domain.claims import ClaimCommand
from services.dedup.domain.model import (
    Binding,
    ClaimResult,
    EffectivePolicy,
    ExplainedKey,
    HistoryEntry,
    PolicyChange,
)
from services.dedup.domain.policy import PolicyPatch

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# The ranges protobuf defines for Timestamp (years 0001..9999) and Duration (about +-10,000 years).
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799
_MAX_DURATION_SECONDS = 315_576_000_000


def to_datetime(value: timestamp_pb2.Timestamp, path: str) -> datetime:
    """A Timestamp as a UTC datetime (microseconds); outside the protobuf range: INVALID_ARGUMENT on ``path``."""
    if not (_MIN_SECONDS <= value.seconds <= _MAX_SECONDS and 0 <= value.nanos <= 999_999_999):
        raise InvalidArgument(FieldViolation(path, "is not a valid timestamp (years 0001 to 9999)"))
    return EPOCH + timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


def to_timedelta(value: duration_pb2.Duration, path: str) -> timedelta:
    """A Duration as a timedelta (microseconds); outside the protobuf range: INVALID_ARGUMENT on ``path``."""
    if not (abs(value.seconds) <= _MAX_DURATION_SECONDS and abs(value.nanos) <= 999_999_999):
        raise InvalidArgument(FieldViolation(path, "is not a valid duration (at most 10,000 years)"))
    return timedelta(seconds=value.seconds, microseconds=int(value.nanos / 1000))


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    delta = value - EPOCH
    micros = delta // timedelta(microseconds=1)
    return timestamp_pb2.Timestamp(seconds=micros // 1_000_000, nanos=(micros % 1_000_000) * 1000)


def duration(value: timedelta) -> duration_pb2.Duration:
    micros = value // timedelta(microseconds=1)
    sign = -1 if micros < 0 else 1
    seconds, rest = divmod(abs(micros), 1_000_000)
    return duration_pb2.Duration(seconds=sign * seconds, nanos=sign * rest * 1000)


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
        scope=int(rules.scope),  # type: ignore[arg-type]
        dimensions=[int(d) for d in rules.dimensions],  # type: ignore[misc]
        windows=[
            pb.DimensionWindow(dimension=int(d), window=duration(w))  # type: ignore[arg-type]
            for d, w in rules.windows
        ],
        ip_window=duration(rules.ip_window),
        action=int(rules.action),  # type: ignore[arg-type]
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


def claim_command(request: pb.ClaimLeadRequest) -> ClaimCommand:
    return ClaimCommand(
        account_id=request.account_id,
        candidate_lead_id=request.candidate_lead_id,
        fingerprints=tuple((int(f.dimension), bytes(f.keyed_hash)) for f in request.fingerprints),
        submit_time=to_datetime(request.submit_time, "submit_time")
        if request.HasField("submit_time")
        else None,
        request_id=request.request_id,
        collect_account_id=request.collect_account_id,
    )


def claim_response(result: ClaimResult) -> pb.ClaimLeadResponse:
    return pb.ClaimLeadResponse(
        verdict=int(result.verdict),  # type: ignore[arg-type]
        canonical_lead_id=result.canonical_lead_id,
        action=int(result.action),  # type: ignore[arg-type]
        matches=[
            pb.Match(
                dimension=int(m.dimension),  # type: ignore[arg-type]
                lead_id=m.lead_id,
                first_seen_time=timestamp(m.first_seen),
                policy_account_id=m.policy_account_id,
                window=duration(m.window),
                within_window=m.within_window,
            )
            for m in result.matches
        ],
    )


def index_key_message(key: ExplainedKey) -> pb.IndexKey:
    return pb.IndexKey(
        dimension=int(key.dimension),  # type: ignore[arg-type]
        key_hash_prefix=key.key_hash_prefix,
        scope_account_id=key.scope_account_id,
        first_seen_time=timestamp(key.first_seen),
        last_seen_time=timestamp(key.last_seen),
        reason=key.reason,
    )


def policy_changed_event(tenant: str, change: PolicyChange, event_id: str) -> events_pb2.DedupPolicyChanged:
    event = events_pb2.DedupPolicyChanged(
        event_id=event_id,
        tenant_id=tenant,
        occurred_time=timestamp(change.change_time),
        account_id=change.account_id,
        new_policy=policy_message(change.new),
        changed_fields=field_mask_pb2.FieldMask(paths=list(change.changed_fields)),
        changed_by=change.actor,
        affected_account_ids=list(change.affected_account_ids),
    )
    if change.old is not None:
        event.old_policy.CopyFrom(policy_message(change.old))
    return event
