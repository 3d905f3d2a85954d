"""Assign's background loops and timers.

- Timers (``timer_specs``): REMINDER and RECLAIM rows fired by ``handlers.timers``; the reminders sent and leads
  reclaimed are counted here.
- ``TimerRunner``: fires due timers, each exactly once in a write transaction that runs its handler and deletes
  its row (``fire_one``, wired by bootstrap on the store). It serves until the runtime's own timer runner
  (``ServiceApp.timers``) takes over.
- ``GaugeRefresher``: the pool gauge and the overdue-reminders gauge, from the store, every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services.assign import metrics
from services.assign.domain.ports import AssignUnitOfWork, Timer
from services.assign.domain.timers import TimerKind
from services.assign.handlers.timers import TimerHandlers, TimerResult
from services.common.clock import Clock
from services.common.errors import Unavailable
from services.common.messaging.waiting import Backoff, wait_for_any
from services.common.runtime import BackgroundTask
from services.common.uow import Transactions

log = logging.getLogger("leadflow.assign.timers")


@dataclass(frozen=True)
class TimerSpec:
    """A kind of timer and its handler, run in the firing transaction: ``handler(uow, timer)``."""

    kind: str
    handler: Callable[[Any, Timer], object]


def timer_specs(handlers: TimerHandlers) -> list[TimerSpec]:
    def on_reminder(uow: AssignUnitOfWork, timer: Timer) -> TimerResult:
        result = handlers.on_reminder(uow, timer)
        if result.reminder is not None:
            for notice in result.reminder.notices:
                metrics.REMINDERS_SENT.labels(notice.role.name).inc()
        return result

    def on_reclaim(uow: AssignUnitOfWork, timer: Timer) -> TimerResult:
        result = handlers.on_reclaim(uow, timer)
        if result.reclaimed is not None:
            metrics.RECLAIMS.inc()
        return result

    return [TimerSpec(TimerKind.REMINDER, on_reminder), TimerSpec(TimerKind.RECLAIM, on_reclaim)]


# fire_one(): fire the earliest due timer no other replica holds; False when none is due.
FireOne = Callable[[], Awaitable[bool]]


class TimerRunner:
    """Fires due timers until stopped: as many as are due, then waits ``poll`` seconds (or ``wake()``)."""

    def __init__(self, fire_one: FireOne, poll_seconds: float = 1.0, batch: int = 200) -> None:
        self._fire_one = fire_one
        self._poll = poll_seconds
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        retry = Backoff(initial=0.5, maximum=10.0)
        while not stop.is_set():
            try:
                fired = await self.run_once()
                wait = 0.0 if fired >= self._batch else self._poll
                retry.reset()
            except Unavailable as exc:
                wait = retry.next()
                log.warning("timers: %s; retrying in %.1fs", exc.reason, wait)
            await wait_for_any(stop, self._wake, timeout=wait)
            self._wake.clear()

    async def run_once(self) -> int:
        fired = 0
        while fired < self._batch and await self._fire_one():
            fired += 1
        return fired


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


def background_tasks(runner: TimerRunner, gauges: GaugeRefresher) -> list[BackgroundTask]:
    return [runner.run, gauges.run]
