"""Assign's timers and background loops.

- Timers (``timer_specs``): REMINDER and RECLAIM rows, fired exactly once by the runtime's timer worker
  (``services.common.timerworker``) on ``handlers.timers``; the reminders sent and leads reclaimed are counted here.
- ``GaugeRefresher``: the pool gauge and the overdue-reminders gauge, from the store, every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from services.assign import metrics
from services.assign.domain.ports import AssignUnitOfWork, Timer
from services.assign.domain.timers import TimerKind
from services.assign.handlers.timers import TimerHandlers
from services.common.clock import Clock
from services.common.errors import Unavailable
from services.common.messaging.waiting import wait_for_any
from services.common.runtime import BackgroundTask
from services.common.timerworker import TimerSpec
from services.common.uow import Transactions

log = logging.getLogger("leadflow.assign.timers")


def timer_specs(handlers: TimerHandlers) -> list[TimerSpec]:
    def on_reminder(uow: AssignUnitOfWork, timer: Timer) -> None:
        result = handlers.on_reminder(uow, timer)
        if result.reminder is not None:
            for notice in result.reminder.notices:
                metrics.REMINDERS_SENT.labels(notice.role.name).inc()

    def on_reclaim(uow: AssignUnitOfWork, timer: Timer) -> None:
        if handlers.on_reclaim(uow, timer).reclaimed is not None:
            metrics.RECLAIMS.inc()

    return [TimerSpec(TimerKind.REMINDER, on_reminder), TimerSpec(TimerKind.RECLAIM, on_reclaim)]


class GaugeRefresher:
    """Sets the pool and overdue-reminder gauges from the store every ``interval`` seconds."""

    def __init__(
        self,
        transactions: Transactions[AssignUnitOfWork],
        clock: Clock,
        interval: float = 15.0,
        overdue_grace: timedelta = timedelta(seconds=60),
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._interval = interval
        self._grace = overdue_grace

    async def refresh(self) -> tuple[int, int]:
        before = self._clock.now() - self._grace

        def read(uow: AssignUnitOfWork) -> tuple[int, int]:
            return uow.pool.size(), uow.timers.count_due(TimerKind.REMINDER, before)

        pooled, overdue = await self._tx.read(read)
        metrics.POOL_LEADS.set(pooled)
        metrics.REMINDERS_OVERDUE.set(overdue)
        return pooled, overdue

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh()
            except Unavailable as exc:
                log.warning("gauges: %s", exc.reason)
            await wait_for_any(stop, timeout=self._interval)


def background_tasks(gauges: GaugeRefresher) -> list[BackgroundTask]:
    return [gauges.run]
