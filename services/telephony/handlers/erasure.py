"""lead.erased in telephony (the PIPL right to deletion), inside the consumer's inbox transaction.

Erased: the lead's phone number, region and time zone (telephony's copy of the lead keeps its ids and holder), the
dead-number entry of that number, the free texts of its calls' carrier evidence (redacted: announcement transcripts
can read the number out) and their recording links. Its active bindings are released here at once (their places on
X given back, their expiry timers cancelled), and those the carrier holds are marked for the unbinder
(``BindingHandlers.unbind_pending``), which asks the carrier to unbind them outside any transaction: from then on X
connects the agent to nobody. Kept: calls (ids, agents, X, times, outcomes, codes), which refund's evidence and the
number-health statistics rest on.

The lead is remembered as erased (``uow.erased``): a later lead.accepted stores no phone, and StartCall answers
FAILED_PRECONDITION LEAD_ERASED.
"""

from __future__ import annotations

from dataclasses import replace

from services.common.clock import Clock
from services.telephony.domain.ports import TelephonyUnitOfWork
from services.telephony.handlers.calls import BINDING_EXPIRY


class ErasureHandlers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def on_lead_erased(self, uow: TelephonyUnitOfWork, tenant: str, lead_id: str) -> bool:
        """True when this event erased the lead (False: erased before, a redelivery)."""
        now = self._clock.now()
        first = uow.erased.mark(tenant, lead_id, now)
        lead = uow.leads.get(tenant, lead_id, for_update=True)
        if lead is not None:
            if lead.phone:
                uow.dead.forget(tenant, lead.phone)
            uow.leads.put(tenant, replace(lead, phone="", province="", city="", time_zone=""))
        for binding in uow.bindings.active_of_lead(tenant, lead_id, now):
            if uow.bindings.release(tenant, binding.binding_id, now):
                uow.numbers.give_back(tenant, binding.number_id)
            uow.timers.cancel(BINDING_EXPIRY, f"{tenant}/{binding.binding_id}")
            uow.bindings.mark_unbind(tenant, binding.binding_id)
        uow.calls.erase_evidence(tenant, lead_id)
        return first
