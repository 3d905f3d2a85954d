"""The events refund consumes, decoded (``converters.events``) and handed to the case use cases inside the
consumer's inbox transaction, on the unit of work bound to it.

- ``refund-charges``: ``lead.accepted`` and ``lead.duplicate`` (ingest's stream): a case per charge with a cost;
- ``refund-calls``: ``call.completed`` (telephony's stream), corrections included: the lead's cases are evaluated;
- ``refund-callable-hours``: ``telephony.callable_hours_changed`` (telephony's stream): the tenant's callable hours,
  by which leads no call has reported a window for are judged;
- ``refund-lead-erased``: ``lead.erased`` (ingest's stream): the free texts of the lead's refunds and appeals are
  redacted (``handlers.erasure``).

A payload that does not decode raises, so the shared consumer retries it and finally dead-letters it.
"""

from __future__ import annotations

from services.common.events import (
    CALL_COMPLETED,
    CALLABLE_HOURS_CHANGED,
    INGEST_STREAM,
    LEAD_ACCEPTED,
    LEAD_DUPLICATE,
    LEAD_ERASED,
    TELEPHONY_STREAM,
)
from services.common.messaging import Delivery
from services.common.protoconv import erased_lead
from services.common.runtime import ConsumerSpec, by_lead
from services.refund import metrics
from services.refund.converters import events
from services.refund.domain.ports import RefundUnitOfWork
from services.refund.handlers.cases import CaseHandlers
from services.refund.handlers.erasure import ErasureHandlers

CHARGES_CONSUMER = "refund-charges"
CALLS_CONSUMER = "refund-calls"


def consumer_specs(cases: CaseHandlers, erasure: ErasureHandlers) -> list[ConsumerSpec]:
    def on_charge(uow: RefundUnitOfWork, delivery: Delivery) -> None:
        decode = events.lead_duplicate if delivery.subject == LEAD_DUPLICATE else events.lead_accepted
        metrics.count_refresh(cases.on_charge(uow, decode(delivery.data)))

    def on_call(uow: RefundUnitOfWork, delivery: Delivery) -> None:
        metrics.count_refresh(cases.on_call(uow, events.call_completed(delivery.data)))

    def on_callable_hours(uow: RefundUnitOfWork, delivery: Delivery) -> None:
        cases.on_callable_hours(uow, events.callable_hours_changed(delivery.data))

    def on_lead_erased(uow: RefundUnitOfWork, delivery: Delivery) -> None:
        erasure.on_lead_erased(uow, *erased_lead(delivery.data))

    return [
        # Each charge, call and erasure locks its lead (refund_lead_locks): batches apply them in lead order.
        ConsumerSpec(
            CHARGES_CONSUMER, INGEST_STREAM, [LEAD_ACCEPTED, LEAD_DUPLICATE], on_charge, order_key=by_lead
        ),
        ConsumerSpec(CALLS_CONSUMER, TELEPHONY_STREAM, [CALL_COMPLETED], on_call, order_key=by_lead),
        ConsumerSpec("refund-callable-hours", TELEPHONY_STREAM, [CALLABLE_HOURS_CHANGED], on_callable_hours),
        ConsumerSpec("refund-lead-erased", INGEST_STREAM, [LEAD_ERASED], on_lead_erased, order_key=by_lead),
    ]
