"""The ledger check behind ``leadflow_refund_ledger_imbalance_fen{currency}``: debits minus credits per currency
over the whole ledger, every tenant, kept as a running sum so a check reads only the entries posted lately.

The ledger is insert only (``adapters/db/tables.py``), so the sum over the entries posted before a moment never
changes once every transaction that could post before it has committed. The check keeps that sum for a watermark
``settle_after`` behind the clock (10 minutes: far longer than a posting transaction, and than the clocks of two
replicas differ), adds the entries posted between the last watermark and the new one, and sums the ones after it
afresh each time: two range reads on ``ix_refund_ledger_entries_posted`` instead of a scan of the whole table.

Everything is counted again from the start (one full scan) at the first check, every ``recount_every`` (6 hours),
and when the clock went back past the watermark (the dev clock, ``leadflow clock``): what a replica with a clock
further off than ``settle_after`` posted under the watermark is counted at the next recount at the latest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from services.common.clock import Clock
from services.common.uow import Transactions
from services.refund.domain.ports import RefundUnitOfWork

SETTLE_AFTER = timedelta(minutes=10)
RECOUNT_EVERY = timedelta(hours=6)


def _added(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    total = dict(a)
    for currency, fen in b.items():
        total[currency] = total.get(currency, 0) + fen
    return total


class LedgerCheck:
    """``imbalance()``: debits minus credits in fen per currency over the whole ledger (0s when balanced, a
    currency without entries absent). Raises what the store raises (Unavailable) and keeps its running sum as it
    was. One check at a time (the refund worker's loop)."""

    def __init__(
        self,
        transactions: Transactions[RefundUnitOfWork],
        clock: Clock,
        *,
        settle_after: timedelta = SETTLE_AFTER,
        recount_every: timedelta = RECOUNT_EVERY,
    ) -> None:
        if settle_after <= timedelta(0) or recount_every <= timedelta(0):
            raise ValueError("the ledger check's settle_after and recount_every must be positive")
        self._tx = transactions
        self._clock = clock
        self._settle_after = settle_after
        self._recount_every = recount_every
        # The sum over the entries posted before the watermark, the watermark, and when to count from the start
        # again; None until the first check.
        self._running: tuple[dict[str, int], datetime, datetime] | None = None
        self.full_counts = 0  # checks that counted from the start (tests and the docstring's claim)

    async def imbalance(self) -> dict[str, int]:
        now = self._clock.now()
        watermark = now - self._settle_after
        running = self._running
        if running is not None and (watermark < running[1] or now >= running[2]):
            running = None  # the clock went back past the watermark, or the recount is due

        def read(uow: RefundUnitOfWork) -> tuple[dict[str, int], dict[str, int]]:
            if running is None:
                before = uow.ledger.imbalance(posted_before=watermark)
            else:
                settled, since, _ = running
                before = _added(settled, uow.ledger.imbalance(posted_from=since, posted_before=watermark))
            return before, uow.ledger.imbalance(posted_from=watermark)

        before, recent = await self._tx.read(read)
        if running is None:
            self.full_counts += 1
            recount_due = now + self._recount_every
        else:
            recount_due = running[2]
        self._running = (before, watermark, recount_due)
        return _added(before, recent)
