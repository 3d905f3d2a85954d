"""The events dedup publishes, from the domain events its use cases record (``domain.ports.PolicyChanged``). The one
it consumes, ``lead.erased``, is decoded by ``services.common.protoconv.erased_lead``."""

from __future__ import annotations

from google.protobuf import field_mask_pb2

from leadflow.dedup.v1 import events_pb2
from services.common.events import DEDUP_POLICY_CHANGED
from services.common.messaging.outbox import OutboxMessage
from services.common.protoconv import timestamp
from services.dedup.converters.policies import policy_message
from services.dedup.domain.ports import PolicyChanged


def encode_event(event: object) -> OutboxMessage:
    """The bus message of a recorded domain event (the outbox's ``EventEncoder``)."""
    if isinstance(event, PolicyChanged):
        return OutboxMessage(
            DEDUP_POLICY_CHANGED,
            policy_changed_event(event),
            f"{event.tenant_id}/{event.change.account_id}",
            event.event_id,
        )
    raise TypeError(f"dedup records no event of type {type(event).__name__}")


def policy_changed_event(event: PolicyChanged) -> events_pb2.DedupPolicyChanged:
    change = event.change
    message = events_pb2.DedupPolicyChanged(
        event_id=event.event_id,
        tenant_id=event.tenant_id,
        occurred_time=timestamp(change.change_time),
        account_id=change.account_id,
        new_policy=policy_message(change.new),
        changed_fields=field_mask_pb2.FieldMask(paths=list(change.changed_fields)),
        changed_by=change.actor,
        affected_account_ids=list(change.affected_account_ids),
    )
    if change.old is not None:
        message.old_policy.CopyFrom(policy_message(change.old))
    return message
