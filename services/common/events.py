"""The event catalog: every subject, the stream of its producer, and its protobuf payload (ARCHITECTURE §4).

One stream per producing service, with explicit subjects, so no two streams overlap. Consumers name subjects
from here, never as string literals of their own.
"""

from __future__ import annotations

import functools
from typing import Any

from services.common.messaging import StreamSpec

# Subjects: leadflow.<domain>.v1.<event>
LEAD_ACCEPTED = "leadflow.lead.v1.accepted"
LEAD_DUPLICATE = "leadflow.lead.v1.duplicate"
LEAD_REJECTED = "leadflow.lead.v1.rejected"
LEAD_ERASED = "leadflow.lead.v1.erased"
DEDUP_POLICY_CHANGED = "leadflow.dedup.v1.policy_changed"
LEAD_ASSIGNED = "leadflow.lead.v1.assigned"
LEAD_RECLAIMED = "leadflow.lead.v1.reclaimed"
REMINDER_DUE = "leadflow.reminder.v1.due"
LEAD_STATUS_CHANGED = "leadflow.lead.v1.status_changed"
AGENT_CREATED = "leadflow.agent.v1.created"
AGENT_UPDATED = "leadflow.agent.v1.updated"
AGENT_DELETED = "leadflow.agent.v1.deleted"
CALL_STARTED = "leadflow.call.v1.started"
CALL_COMPLETED = "leadflow.call.v1.completed"
CALLABLE_HOURS_CHANGED = "leadflow.telephony.v1.callable_hours_changed"
REFUND_ISSUED = "leadflow.refund.v1.issued"
REFUND_REJECTED = "leadflow.refund.v1.rejected"

INGEST_STREAM = StreamSpec(
    name="LEADFLOW_INGEST", subjects=(LEAD_ACCEPTED, LEAD_DUPLICATE, LEAD_REJECTED, LEAD_ERASED)
)
DEDUP_STREAM = StreamSpec(name="LEADFLOW_DEDUP", subjects=(DEDUP_POLICY_CHANGED,))
ASSIGN_STREAM = StreamSpec(
    name="LEADFLOW_ASSIGN",
    subjects=(
        LEAD_ASSIGNED,
        LEAD_RECLAIMED,
        REMINDER_DUE,
        LEAD_STATUS_CHANGED,
        AGENT_CREATED,
        AGENT_UPDATED,
        AGENT_DELETED,
    ),
)
TELEPHONY_STREAM = StreamSpec(
    name="LEADFLOW_TELEPHONY", subjects=(CALL_STARTED, CALL_COMPLETED, CALLABLE_HOURS_CHANGED)
)
REFUND_STREAM = StreamSpec(name="LEADFLOW_REFUND", subjects=(REFUND_ISSUED, REFUND_REJECTED))

STREAM_OF_SERVICE = {
    "ingest": INGEST_STREAM,
    "dedup": DEDUP_STREAM,
    "assign": ASSIGN_STREAM,
    "telephony": TELEPHONY_STREAM,
    "refund": REFUND_STREAM,
}


def payload_types() -> dict[str, type]:
    """Subject -> protobuf message class. Imported lazily so the catalog has no import-time cost."""
    from leadflow.assign.v1 import events_pb2 as assign_events
    from leadflow.dedup.v1 import events_pb2 as dedup_events
    from leadflow.ingest.v1 import events_pb2 as ingest_events
    from leadflow.refund.v1 import events_pb2 as refund_events
    from leadflow.telephony.v1 import events_pb2 as telephony_events

    return {
        LEAD_ACCEPTED: ingest_events.LeadAccepted,
        LEAD_DUPLICATE: ingest_events.LeadDuplicate,
        LEAD_REJECTED: ingest_events.LeadRejected,
        LEAD_ERASED: ingest_events.LeadErased,
        DEDUP_POLICY_CHANGED: dedup_events.DedupPolicyChanged,
        LEAD_ASSIGNED: assign_events.LeadAssigned,
        LEAD_RECLAIMED: assign_events.LeadReclaimed,
        REMINDER_DUE: assign_events.ReminderDue,
        LEAD_STATUS_CHANGED: assign_events.LeadStatusChanged,
        AGENT_CREATED: assign_events.AgentCreated,
        AGENT_UPDATED: assign_events.AgentUpdated,
        AGENT_DELETED: assign_events.AgentDeleted,
        CALL_STARTED: telephony_events.CallStarted,
        CALL_COMPLETED: telephony_events.CallCompleted,
        CALLABLE_HOURS_CHANGED: telephony_events.CallableHoursChanged,
        REFUND_ISSUED: refund_events.RefundIssued,
        REFUND_REJECTED: refund_events.RefundRejected,
    }


_payload_types = functools.cache(payload_types)


def lead_key(subject: str, data: bytes) -> str:
    """The lead an event is about, as one sortable text, "<tenant_id>\\x00<lead_id>" (a NUL between them): the order consumers apply
    their batches in when their handlers lock the lead's rows (``ConsumerSpec.order_key``; see
    ``services.common.runtime.by_lead``). Raises KeyError for a subject outside the catalog, AttributeError for one
    whose payload names no lead, and protobuf's DecodeError for a payload that does not decode."""
    message: Any = _payload_types()[subject].FromString(data)  # type: ignore[attr-defined]
    return f"{message.tenant_id}\x00{message.lead_id}"
