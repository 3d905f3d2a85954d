"""What other services' events change in telephony's copy of leads and agents. Each runs inside the consumer's
inbox transaction, on the unit of work bound to it, so a redelivered event changes nothing; and each keeps the
newest version by the event's own order (``occurred_time`` for assignments, ``revision`` for agents), so a late
or replayed event never undoes a newer one.
"""

from __future__ import annotations

from dataclasses import replace

from services.telephony.domain.commands import AgentChanged, LeadAccepted, LeadAssigned
from services.telephony.domain.parties import AgentRecord, LeadRecord, time_zone_of_phone
from services.telephony.domain.ports import TelephonyUnitOfWork


class PartyHandlers:
    def on_lead_accepted(self, uow: TelephonyUnitOfWork, event: LeadAccepted) -> None:
        if uow.erased.contains(event.tenant_id, event.lead_id):
            return  # lead.erased was handled first: its phone never comes in (handlers.erasure)
        current = uow.leads.get(event.tenant_id, event.lead_id)
        lead = LeadRecord(
            lead_id=event.lead_id,
            account_id=event.account_id,
            phone=event.phone,
            province=event.province,
            city=event.city,
            time_zone=time_zone_of_phone(event.phone),
            accepted_time=event.occurred_time,
        )
        if current is not None:
            # lead.assigned may have arrived first: keep its holder.
            lead = replace(lead, holder_agent_id=current.holder_agent_id, holder_time=current.holder_time)
        uow.leads.put(event.tenant_id, lead)

    def on_lead_assigned(self, uow: TelephonyUnitOfWork, event: LeadAssigned) -> None:
        current = uow.leads.get(event.tenant_id, event.lead_id)
        # Assigned before telephony saw lead.accepted: remember the holder; the phone comes with that event.
        base = current or LeadRecord(event.lead_id, event.account_id, "", "", "", "")
        updated = base.assigned(event.agent_id, event.occurred_time)
        if current is None or updated != current:
            uow.leads.put(event.tenant_id, updated)

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
