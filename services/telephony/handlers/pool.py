"""The pool's size and load for the gauges: numbers per status as of now, and bindings holding a place."""

from __future__ import annotations

from services.common.clock import Clock
from services.common.uow import Transactions
from services.telephony.domain.numbers import NumberStatus
from services.telephony.domain.ports import TelephonyUnitOfWork


class PoolGauges:
    def __init__(self, transactions: Transactions[TelephonyUnitOfWork], clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock

    async def read(self) -> tuple[dict[NumberStatus, int], int]:
        now = self._clock.now()
        return await self._tx.read(
            lambda uow: (uow.numbers.status_counts(now), uow.numbers.active_binding_total())
        )
