"""What other services' events change in telephony's copy of leads and agents. Each runs inside the consumer's
inbox transaction, on the unit of work bound to it, so a redelivered event changes nothing; and each keeps the
newest version by the event's own order (``occurred_time`` for assignments, ``revision`` for agents), so a late
or replayed event never undoes a newer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.common.iterutil import grouped_by
from services.telephony.domain.commands import AgentChanged, LeadAccepted, LeadAssigned
from services.telephony.domain.parties import AgentRecord, LeadRecord, time_zone_of_phone
from services.telephony.domain.ports import TelephonyUnitOfWork


class PartyHandlers:
    def on_lead_accepted(self, uow: TelephonyUnitOfWork, event: LeadAccepted) -> None:
        self.on_leads_accepted(uow, [event])

    def on_leads_accepted(self, uow: TelephonyUnitOfWork, events: Sequence[LeadAccepted]) -> None:
        """Each lead's phone, region and time zone, keeping a holder ``lead.assigned`` brought first; nothing of a
        lead ``lead.erased`` was handled for. A consumer batch in three statements (erased, current, upsert)."""
        for tenant, batch in grouped_by(events, lambda e: e.tenant_id).items():
            ids = [e.lead_id for e in batch]
            erased = uow.erased.contains_many(tenant, ids)
            current = uow.leads.get_many(tenant, ids)
            changed: dict[str, LeadRecord] = {}
            for event in batch:
                if event.lead_id in erased:
                    continue  # lead.erased was handled first: its phone never comes in (handlers.erasure)
                lead = LeadRecord(
                    lead_id=event.lead_id,
                    account_id=event.account_id,
                    phone=event.phone,
                    province=event.province,
                    city=event.city,
                    time_zone=time_zone_of_phone(event.phone),
                    accepted_time=event.occurred_time,
                )
                known = current.get(event.lead_id)
                if known is not None:
                    # lead.assigned may have arrived first: keep its holder.
                    lead = replace(lead, holder_agent_id=known.holder_agent_id, holder_time=known.holder_time)
                current[event.lead_id] = changed[event.lead_id] = lead
            uow.leads.put_many(tenant, list(changed.values()))

    def on_lead_assigned(self, uow: TelephonyUnitOfWork, event: LeadAssigned) -> None:
        self.on_leads_assigned(uow, [event])

    def on_leads_assigned(self, uow: TelephonyUnitOfWork, events: Sequence[LeadAssigned]) -> None:
        """Who holds each lead, the newest assignment by its own time winning; a lead not accepted yet is
        remembered with its holder (the phone comes with lead.accepted). A batch in two statements."""
        for tenant, batch in grouped_by(events, lambda e: e.tenant_id).items():
            current = uow.leads.get_many(tenant, [e.lead_id for e in batch])
            changed: dict[str, LeadRecord] = {}
            for event in batch:
                known = current.get(event.lead_id)
                # Assigned before telephony saw lead.accepted: remember the holder; the phone comes with that event.
                base = known or LeadRecord(event.lead_id, event.account_id, "", "", "", "")
                updated = base.assigned(event.agent_id, event.occurred_time)
                if known is None or updated != known:
                    current[event.lead_id] = changed[event.lead_id] = updated
            uow.leads.put_many(tenant, list(changed.values()))

    def on_agent_changed(self, uow: TelephonyUnitOfWork, event: AgentChanged) -> None:
        incoming = AgentRecord(
            agent_id=event.agent_id,
            user_id="" if event.deleted else event.user_id,
            phone="" if event.deleted else event.phone,
            revision=event.revision,
            deleted=event.deleted,
        )
        if incoming.supersedes(uow.agents.get(event.tenant_id, event.agent_id)):
            uow.agents.put(event.tenant_id, incoming)
