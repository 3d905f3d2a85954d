"""The events telephony consumes, decoded (``converters.events``, sealed phones opened) and handed to
``handlers.parties`` inside the consumer's inbox transaction:

- ``lead.accepted`` (ingest's stream): the lead's phone, region and time zone;
- ``lead.assigned`` (assign's stream): who holds the lead;
- ``leadflow.agent.v1.created|updated|deleted`` (assign's stream): each agent's A-leg phone and user;
- ``lead.erased`` (ingest's stream): the lead's phone and its calls' free texts are erased, its bindings released
  (``handlers.erasure``).

A payload that does not decode or open raises, so the shared consumer retries it and finally dead-letters it.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.common.events import INGEST_STREAM, LEAD_ACCEPTED, LEAD_ASSIGNED, LEAD_ERASED
from services.common.messaging import Delivery
from services.common.protoconv import erased_lead
from services.common.runtime import ConsumerSpec, by_lead
from services.common.sealing import Sealer
from services.telephony.converters import events
from services.telephony.domain.ports import TelephonyUnitOfWork
from services.telephony.handlers.erasure import ErasureHandlers
from services.telephony.handlers.parties import PartyHandlers


def consumer_specs(handlers: PartyHandlers, erasure: ErasureHandlers, sealer: Sealer) -> list[ConsumerSpec]:
    def on_lead_accepted(uow: TelephonyUnitOfWork, delivery: Delivery) -> None:
        handlers.on_lead_accepted(uow, events.lead_accepted(delivery.data, sealer))

    def on_lead_assigned(uow: TelephonyUnitOfWork, delivery: Delivery) -> None:
        handlers.on_lead_assigned(uow, events.lead_assigned(delivery.data))

    # Both come once per lead: a batch's events in a few statements for all of them (ConsumerSpec.batch_handler).
    def on_leads_accepted(uow: TelephonyUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        handlers.on_leads_accepted(uow, [events.lead_accepted(d.data, sealer) for d in deliveries])

    def on_leads_assigned(uow: TelephonyUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        handlers.on_leads_assigned(uow, [events.lead_assigned(d.data) for d in deliveries])

    def on_agent_changed(uow: TelephonyUnitOfWork, delivery: Delivery) -> None:
        handlers.on_agent_changed(uow, events.agent_changed(delivery.subject, delivery.data, sealer))

    def on_lead_erased(uow: TelephonyUnitOfWork, delivery: Delivery) -> None:
        erasure.on_lead_erased(uow, *erased_lead(delivery.data))

    return [
        # These write the lead's row: batches apply them in lead order (ConsumerSpec.order_key).
        ConsumerSpec(
            "telephony-lead-accepted",
            INGEST_STREAM,
            [LEAD_ACCEPTED],
            on_lead_accepted,
            order_key=by_lead,
            batch_handler=on_leads_accepted,
        ),
        ConsumerSpec(
            "telephony-lead-erased", INGEST_STREAM, [LEAD_ERASED], on_lead_erased, order_key=by_lead
        ),
        ConsumerSpec(
            "telephony-lead-assigned",
            events.AGENT_STREAM,
            [LEAD_ASSIGNED],
            on_lead_assigned,
            order_key=by_lead,
            batch_handler=on_leads_assigned,
        ),
        ConsumerSpec("telephony-agents", events.AGENT_STREAM, list(events.AGENT_SUBJECTS), on_agent_changed),
    ]
