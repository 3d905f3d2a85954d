"""The events ingest consumes, decoded (``converters.events``) and handed to the use cases inside the consumer's
inbox transaction, on the unit of work bound to it.

- ``refund.issued`` (refund's stream), ``call.completed`` (telephony's), ``lead.assigned`` (assign's): lead status
  and the dead-number list (``handlers.events``);
- ``lead.status_changed`` (assign's): an agent's CONVERTED or INVALID, then the push of the change (回传) when the
  status did change (``handlers.events``, ``handlers.push``);
- ``lead.accepted`` (ingest's own stream, consumer ``ingest-push``): kept for the events of ingest versions that
  did not schedule the push of an accepted lead in the submission's transaction: it schedules it (``handlers.push``),
  once per event. Every event this version records carries ``converters.events.PUSH_SCHEDULED_HEADER`` and is
  acknowledged as it arrives, without a transaction (``ConsumerSpec.already_applied``). Retiring the consumer (and
  deleting its durable) is for a later release, once no older ingest can still be running (docs/architecture.md).

A payload that does not decode raises, so the shared consumer retries it and finally dead-letters it.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadflow.ingest.v1 import events_pb2
from services.common.events import (
    ASSIGN_STREAM,
    CALL_COMPLETED,
    INGEST_STREAM,
    LEAD_ACCEPTED,
    LEAD_ASSIGNED,
    LEAD_STATUS_CHANGED,
    REFUND_ISSUED,
    REFUND_STREAM,
    TELEPHONY_STREAM,
)
from services.common.messaging import Delivery
from services.common.runtime import ConsumerSpec, by_lead
from services.common.sealing import Sealer
from services.ingest import metrics
from services.ingest.converters import events, push
from services.ingest.domain.ports import IngestUnitOfWork
from services.ingest.domain.push import PushEventType
from services.ingest.handlers.events import EventHandlers
from services.ingest.handlers.push import PushHandlers

# The durable consumer that schedules pushes: its own name, so its inbox rows are its own.
PUSH_CONSUMER = "ingest-push"


def consumer_specs(
    handlers: EventHandlers, push_handlers: PushHandlers, sealer: Sealer
) -> list[ConsumerSpec]:
    def on_refund_issued(uow: IngestUnitOfWork, delivery: Delivery) -> None:
        handlers.on_refund_issued(uow, events.refund_issued(delivery.data))

    def on_call_completed(uow: IngestUnitOfWork, delivery: Delivery) -> None:
        handlers.on_call_completed(uow, events.call_completed(delivery.data, sealer))

    def on_lead_assigned(uow: IngestUnitOfWork, delivery: Delivery) -> None:
        handlers.on_lead_assigned(uow, events.lead_assigned(delivery.data))

    def on_leads_assigned(uow: IngestUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        handlers.on_leads_assigned(uow, [events.lead_assigned(d.data) for d in deliveries])

    def on_lead_status_changed(uow: IngestUnitOfWork, delivery: Delivery) -> None:
        change = events.lead_status_changed(delivery.data, delivery.event_id)
        if handlers.on_lead_status_changed(uow, change) and push_handlers.schedule_status_change(uow, change):
            metrics.PUSH_SCHEDULED.inc()

    def on_lead_accepted(uow: IngestUnitOfWork, delivery: Delivery) -> None:
        event = events_pb2.LeadAccepted.FromString(delivery.data)
        # Most accounts push nothing: their rule is read first, so their events are never opened (the sealed phone)
        # nor turned into a payload (about 16 µs an event).
        rule = push_handlers.rule_pushing(uow, event.tenant_id, event.account_id, PushEventType.LEAD_ACCEPTED)
        if rule is None:
            return
        accepted = push.accepted_lead(event, delivery.event_id, sealer)
        if push_handlers.schedule(uow, accepted, rule=rule) is not None:
            metrics.PUSH_SCHEDULED.inc()

    return [
        # The status events update the lead's row: batches apply them in lead order (ConsumerSpec.order_key).
        ConsumerSpec(
            "ingest-refund-issued", REFUND_STREAM, [REFUND_ISSUED], on_refund_issued, order_key=by_lead
        ),
        ConsumerSpec(
            "ingest-call-completed", TELEPHONY_STREAM, [CALL_COMPLETED], on_call_completed, order_key=by_lead
        ),
        # One per lead: a batch's moves in one statement (an UPDATE each cost ingest a tenth of its CPU per lead).
        ConsumerSpec(
            "ingest-lead-assigned",
            ASSIGN_STREAM,
            [LEAD_ASSIGNED],
            on_lead_assigned,
            order_key=by_lead,
            batch_handler=on_leads_assigned,
        ),
        ConsumerSpec(
            "ingest-lead-status-changed",
            ASSIGN_STREAM,
            [LEAD_STATUS_CHANGED],
            on_lead_status_changed,
            order_key=by_lead,
        ),
        # Older versions' events only (the module docstring); this version's are acknowledged as they come.
        ConsumerSpec(
            PUSH_CONSUMER,
            INGEST_STREAM,
            [LEAD_ACCEPTED],
            on_lead_accepted,
            already_applied=events.push_scheduled,
        ),
    ]
