"""lead.erased in assign (``domain.erasure`` says what changes), inside the consumer's inbox transaction: remember
the lead as erased, close its active assignment (held slot back, timers cancelled), drop its pool entry, empty the
free texts and the phone region of its facts, assignments and follow-ups. A redelivery finds nothing left to do."""

from __future__ import annotations

from services.assign.domain.erasure import close_for_erasure
from services.assign.domain.ports import AssignUnitOfWork
from services.assign.handlers import moves
from services.common.clock import Clock


class ErasureHandlers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def on_lead_erased(self, uow: AssignUnitOfWork, tenant: str, lead_id: str) -> bool:
        """True when this event erased the lead (False: it was erased before)."""

        def erase() -> bool:
            now = self._clock.now()
            first = uow.erased.mark(tenant, lead_id, now)
            closing = close_for_erasure(uow.assignments.of_lead(tenant, lead_id), now)
            for closed in closing.closed:
                moves.finish(uow, tenant, closed, closing.cancel)
            uow.pool.remove(tenant, lead_id)
            uow.leads.erase(tenant, lead_id)
            uow.assignments.erase(tenant, lead_id)
            uow.follow_ups.erase(tenant, lead_id)
            return first

        return moves.retrying(uow, erase)
