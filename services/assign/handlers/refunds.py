"""refund.issued: a refunded lead stops counting against its agents. Every assignment of the lead stops counting
toward the daily capacity of the day it was received, the active one closes (its held slot and timers released),
and a pooled lead leaves the pool (it is invalid; nobody should claim it).

A refund of a duplicate charge (DUPLICATE_CHARGE) refunds the second submission only: the lead itself stays valid
and nothing changes here, as in ingest.
"""

from __future__ import annotations

from services.assign.domain.handover import Refunded, apply_refund
from services.assign.domain.ports import AssignUnitOfWork
from services.assign.handlers import moves
from services.common.clock import Clock

LEAD_STAYS_VALID = frozenset({"DUPLICATE_CHARGE"})


class RefundHandlers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def on_refund_issued(
        self, uow: AssignUnitOfWork, tenant: str, lead_id: str, reason: str
    ) -> Refunded | None:
        """What the refund changed, or None when nothing of the lead counted any more."""
        if reason in LEAD_STAYS_VALID or not lead_id:
            return None

        def refund() -> Refunded | None:
            before = {a.id: a for a in uow.assignments.of_lead(tenant, lead_id)}
            refunded = apply_refund(list(before.values()), self._clock.now())
            for changed in refunded.assignments:
                original = before[changed.id]
                if original.active:
                    moves.finish(uow, tenant, changed)
                else:
                    moves.save(uow, tenant, changed)
                if original.counts_toward_capacity:
                    uow.loads.uncount(tenant, changed.agent_id, changed.assign_time)
            moves.cancel_timers(uow, refunded.cancel)
            pooled = uow.pool.remove(tenant, lead_id)
            return refunded if refunded.assignments or pooled else None

        return moves.retrying(uow, refund)
