"""The events dedup consumes: ``lead.erased`` (ingest's stream), so an erased lead's keys are forgotten even when
ingest's own ForgetLead call never happened (``handlers.erasure``). Claims stay synchronous: ingest calls ClaimLead,
and only ingest does. A payload that does not decode raises, so the shared consumer retries it and finally
dead-letters it (an erasure in the dead letters is treated first: docs/runbooks/LeadflowDeadLetters.md).
"""

from __future__ import annotations

from services.common.events import INGEST_STREAM, LEAD_ERASED
from services.common.messaging import Delivery
from services.common.protoconv import erased_lead
from services.common.runtime import ConsumerSpec
from services.dedup.domain.ports import DedupUnitOfWork
from services.dedup.handlers.erasure import ErasureHandlers

ERASED_CONSUMER = "dedup-lead-erased"


def consumer_specs(erasure: ErasureHandlers) -> list[ConsumerSpec]:
    def on_lead_erased(uow: DedupUnitOfWork, delivery: Delivery) -> None:
        tenant, lead_id = erased_lead(delivery.data)
        erasure.on_lead_erased(uow, tenant, lead_id)

    return [ConsumerSpec(ERASED_CONSUMER, INGEST_STREAM, [LEAD_ERASED], on_lead_erased)]
