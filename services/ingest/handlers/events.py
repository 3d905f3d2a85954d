"""What other services' events change in ingest's leads. Each handler runs inside the consumer's inbox transaction,
on the unit of work bound to it, so a redelivered event changes nothing.

- ``refund.issued``: the lead becomes INVALID with the refund's reason (EMPTY_NUMBER ...); a refund of a duplicate
  charge (DUPLICATE_CHARGE) refunds the second submission only, and the lead itself stays valid.
- ``call.completed``: EMPTY_NUMBER and SUSPENDED put the lead's phone on the tenant's dead-number list (later leads
  with it are rejected as PHONE_DEAD_NUMBER), unless the lead was erased; ANSWERED moves a NEW or ASSIGNED lead to
  CONTACTED.
- ``lead.assigned``: the lead becomes ASSIGNED; a consumer batch of them with one statement run for all
  (``on_leads_assigned``), as one lead's event would.
- ``lead.status_changed``: an agent's follow-up made the lead CONVERTED or INVALID (with the agent's reason); the
  consumer then schedules the push of the change (``handlers.push``) when the status did change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from services.common.clock import Clock
from services.common.iterutil import grouped_by
from services.ingest.domain.events import CallCompleted, LeadAssigned, LeadStatusChanged, RefundIssued
from services.ingest.domain.model import LeadStatus
from services.ingest.domain.ports import IngestUnitOfWork
from services.ingest.domain.status import moves_to

log = logging.getLogger("leadflow.ingest")

DEAD_NUMBER_OUTCOMES = ("EMPTY_NUMBER", "SUSPENDED")


class EventHandlers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def on_refund_issued(self, uow: IngestUnitOfWork, event: RefundIssued) -> None:
        if event.reason == "DUPLICATE_CHARGE":
            return
        self._move(uow, event.tenant_id, event.lead_id, LeadStatus.INVALID, event.reason or "REFUNDED")

    def on_call_completed(self, uow: IngestUnitOfWork, event: CallCompleted) -> None:
        tenant, lead_id = event.tenant_id, event.lead_id
        if event.outcome in DEAD_NUMBER_OUTCOMES:
            lead = uow.leads.get(tenant, lead_id) if lead_id else None
            if lead is not None and lead.erase_time is not None:
                return  # a late call of an erased lead must not bring its number back
            phone = lead.contact.phone if lead is not None and lead.contact.phone else event.lead_phone
            if phone:
                uow.rules.add_dead_number(
                    tenant, phone, event.outcome, lead_id, event.call_id, self._clock.now()
                )
        elif event.outcome == "ANSWERED":
            self._move(uow, tenant, lead_id, LeadStatus.CONTACTED, "")

    def on_lead_assigned(self, uow: IngestUnitOfWork, event: LeadAssigned) -> None:
        self._move(uow, event.tenant_id, event.lead_id, LeadStatus.ASSIGNED, "")

    def on_leads_assigned(self, uow: IngestUnitOfWork, events: Sequence[LeadAssigned]) -> None:
        """``on_lead_assigned`` of each event, in one statement for all of them: the consumer's batch handler. When
        fewer leads moved than events came (a repeat assignment, or a lead ingest does not have), the leads are
        read to warn about the unknown ones, as the single path does."""
        moves = [(e.tenant_id, e.lead_id) for e in events if e.lead_id]
        wanted = LeadStatus.ASSIGNED
        changed = uow.leads.move_status_many(moves, wanted, "", self._clock.now(), only_from=moves_to(wanted))
        if changed == len(events):
            return
        unknown = [""] * (len(events) - len(moves))
        for tenant, of_tenant in grouped_by(moves, lambda move: move[0]).items():
            lead_ids = [lead_id for _, lead_id in of_tenant]
            stored = uow.leads.get_many(tenant, lead_ids)
            unknown += [lead_id for lead_id in lead_ids if lead_id not in stored]
        for lead_id in unknown:
            log.warning("event for a lead ingest does not have", extra={"lead_id": lead_id})

    def on_lead_status_changed(self, uow: IngestUnitOfWork, event: LeadStatusChanged) -> bool:
        """Settle the lead as the agent did; True when its status changed (a final status never changes again, so
        a conversion after a refund made it INVALID changes nothing)."""
        if event.status not in (LeadStatus.CONVERTED, LeadStatus.INVALID):
            log.warning("lead.status_changed with status %s ignored", event.status.name)
            return False
        return self._move(uow, event.tenant_id, event.lead_id, event.status, event.invalid_reason or "OTHER")

    def _move(
        self, uow: IngestUnitOfWork, tenant: str, lead_id: str, wanted: LeadStatus, reason: str
    ) -> bool:
        """Move the lead to ``wanted`` where ``next_status`` allows it, with one conditional UPDATE (the status is
        read only when nothing changed, to tell an unknown lead apart)."""
        invalid_reason = reason if wanted is LeadStatus.INVALID else ""
        if lead_id and uow.leads.move_status(
            tenant, lead_id, wanted, invalid_reason, self._clock.now(), only_from=moves_to(wanted)
        ):
            return True
        if not lead_id or uow.leads.status_of(tenant, lead_id) is None:
            # Not ours (another tenant's, or never stored): nothing to change; the event is still consumed.
            log.warning("event for a lead ingest does not have", extra={"lead_id": lead_id})
        return False
