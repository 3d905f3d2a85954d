"""The events ingest consumes, decoded and handed to the use cases inside the consumer's inbox transaction.

- ``refund.issued`` (refund's stream): the lead becomes INVALID with the refund's reason (``EMPTY_NUMBER`` ...).
- ``call.completed`` (telephony's stream): EMPTY_NUMBER / SUSPENDED put the phone on the tenant's dead-number
  list; ANSWERED moves the lead to CONTACTED.
- ``lead.assigned`` (assign's stream): the lead becomes ASSIGNED.

A payload that does not decode raises, so the shared consumer retries it and finally dead-letters it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import call_pb2
from leadflow.refund.v1 import events_pb2 as refund_events
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.events import (
    ASSIGN_STREAM,
    CALL_COMPLETED,
    LEAD_ASSIGNED,
    REFUND_ISSUED,
    REFUND_STREAM,
    TELEPHONY_STREAM,
)
from services.common.messaging import Delivery
from services.common.runtime import ConsumerSpec
from services.ingest.adapters.repository import SqlIngestStore
from services.ingest.handlers import IngestHandlers


def _name(enum: Any, value: int, prefix: str) -> str:
    """An enum value's name without its prefix ("EMPTY_NUMBER"); a value newer than this code keeps its number."""
    try:
        name = str(enum.Name(value))
    except ValueError:
        return str(value)
    return name[len(prefix) :] if name.startswith(prefix) else name


def consumer_specs(handlers: IngestHandlers, store: SqlIngestStore) -> list[ConsumerSpec]:
    def on_refund_issued(session: Session, delivery: Delivery) -> None:
        event = refund_events.RefundIssued.FromString(delivery.data)
        reason = _name(refund_pb.RefundReason, event.reason, "REFUND_REASON_")
        handlers.on_refund_issued(store.bind(session), event.tenant_id, event.lead_id, reason)

    def on_call_completed(session: Session, delivery: Delivery) -> None:
        event = telephony_events.CallCompleted.FromString(delivery.data)
        outcome = _name(call_pb2.CallOutcome, event.outcome, "CALL_OUTCOME_")
        handlers.on_call_completed(
            store.bind(session), event.tenant_id, event.lead_id, event.call_id, outcome, event.lead_phone
        )

    def on_lead_assigned(session: Session, delivery: Delivery) -> None:
        event = assign_events.LeadAssigned.FromString(delivery.data)
        handlers.on_lead_assigned(store.bind(session), event.tenant_id, event.lead_id)

    return [
        ConsumerSpec(
            name="ingest-refund-issued",
            stream=REFUND_STREAM,
            subjects=[REFUND_ISSUED],
            handler=on_refund_issued,
        ),
        ConsumerSpec(
            name="ingest-call-completed",
            stream=TELEPHONY_STREAM,
            subjects=[CALL_COMPLETED],
            handler=on_call_completed,
        ),
        ConsumerSpec(
            name="ingest-lead-assigned",
            stream=ASSIGN_STREAM,
            subjects=[LEAD_ASSIGNED],
            handler=on_lead_assigned,
        ),
    ]
