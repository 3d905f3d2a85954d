"""The events assign consumes, decoded (``converters.events``) and handed to the use cases inside the consumer's
inbox transaction, on the unit of work bound to it (a redelivered event changes nothing).

- ``lead.accepted`` and ``lead.duplicate`` (ingest's stream, one consumer so that a lead's duplicate is handled
  after the lead): routing by the account's policy, and familiarity for a pooled lead (``handlers.intake``); a
  batch of lead.accepted is routed at once (``handlers.intake_batch``);
- ``call.completed`` (telephony's): a call follow-up (``handlers.followups``);
- ``refund.issued`` (refund's): the lead stops counting against its agents (``handlers.refunds``);
- ``lead.erased`` (ingest's): the lead leaves the queues and its free texts and phone region are erased
  (``handlers.erasure``); its own consumer, so an erasure is never queued behind other leads' routing.

A payload that does not decode raises, so the shared consumer retries it and finally dead-letters it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from services.assign import metrics
from services.assign.converters import events
from services.assign.domain.ports import AssignUnitOfWork
from services.assign.domain.routing import ToPool
from services.assign.handlers.erasure import ErasureHandlers
from services.assign.handlers.followups import FollowUpHandlers
from services.assign.handlers.intake import IntakeHandlers, IntakeResult
from services.assign.handlers.intake_batch import BatchIntake
from services.assign.handlers.refunds import RefundHandlers
from services.common.events import (
    CALL_COMPLETED,
    INGEST_STREAM,
    LEAD_ACCEPTED,
    LEAD_DUPLICATE,
    LEAD_ERASED,
    REFUND_ISSUED,
    REFUND_STREAM,
    TELEPHONY_STREAM,
)
from services.common.iterutil import grouped_by
from services.common.messaging import Delivery
from services.common.protoconv import erased_lead
from services.common.runtime import ConsumerSpec

log = logging.getLogger("leadflow.assign")

LEADS_CONSUMER = "assign-leads"


def count(result: IntakeResult | None) -> None:
    if result is None:
        return
    if result.assignment is not None:
        metrics.count_assignment(result.assignment, result.method)
    elif isinstance(result.routing.outcome, ToPool):
        metrics.count_pooled(result.routing.outcome.reason.name, result.method)


def _log(lead_id: str, result: IntakeResult) -> None:
    outcome = result.routing.outcome
    trace = [f"{t.rule_id}:{t.result}" for t in result.routing.trace]
    target = result.assignment.agent_id if result.assignment is not None else "pool"
    reason = outcome.reason.name
    # DEBUG: one line per lead is the volume of the traffic itself; the outcome is in metrics and the assignment.
    log.debug("lead %s routed to %s (%s; rules %s)", lead_id, target, reason, ", ".join(trace) or "none")


def consumer_specs(
    intake: IntakeHandlers,
    batch_intake: BatchIntake,
    follow_ups: FollowUpHandlers,
    refunds: RefundHandlers,
    erasure: ErasureHandlers,
) -> list[ConsumerSpec]:
    def on_lead(uow: AssignUnitOfWork, delivery: Delivery) -> None:
        if delivery.subject == LEAD_DUPLICATE:
            duplicate = events.duplicate_submission(delivery.data)
            result = intake.duplicate(uow, duplicate.tenant_id, duplicate.lead_id)
            lead_id = duplicate.lead_id
        else:
            accepted = events.accepted_lead(delivery.data)
            result = intake.accept(uow, accepted.tenant_id, accepted.facts)
            lead_id = accepted.facts.lead_id
        if result is not None:
            _log(lead_id, result)
            count(result)

    # A batch of lead.accepted is routed at once (``handlers.intake_batch``). lead.duplicate moves a pooled lead of
    # the same stream, perhaps one this batch routes: a batch holding one runs event by event, in stream order.
    def on_leads(uow: AssignUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        if any(delivery.subject == LEAD_DUPLICATE for delivery in deliveries):
            for delivery in deliveries:
                on_lead(uow, delivery)
            return
        accepted = [events.accepted_lead(delivery.data) for delivery in deliveries]
        for tenant, group in grouped_by(accepted, lambda event: event.tenant_id).items():
            for lead_id, result in batch_intake.accept_many(uow, tenant, [event.facts for event in group]):
                _log(lead_id, result)
                count(result)

    def on_call_completed(uow: AssignUnitOfWork, delivery: Delivery) -> None:
        ended = events.call_ended(delivery.data)
        follow_ups.on_call_completed(uow, ended.tenant_id, ended.call)

    def on_refund_issued(uow: AssignUnitOfWork, delivery: Delivery) -> None:
        paid = events.refund_paid(delivery.data)
        refunds.on_refund_issued(uow, paid.tenant_id, paid.lead_id, paid.reason)

    def on_lead_erased(uow: AssignUnitOfWork, delivery: Delivery) -> None:
        erasure.on_lead_erased(uow, *erased_lead(delivery.data))

    return [
        ConsumerSpec(
            LEADS_CONSUMER, INGEST_STREAM, [LEAD_ACCEPTED, LEAD_DUPLICATE], on_lead, batch_handler=on_leads
        ),
        ConsumerSpec("assign-lead-erased", INGEST_STREAM, [LEAD_ERASED], on_lead_erased),
        ConsumerSpec("assign-call-completed", TELEPHONY_STREAM, [CALL_COMPLETED], on_call_completed),
        ConsumerSpec("assign-refund-issued", REFUND_STREAM, [REFUND_ISSUED], on_refund_issued),
    ]
