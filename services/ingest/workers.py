"""Ingest's background loops: the push worker, which delivers due pushes until the service stops.

One runs per replica; replicas share the work through leases (``adapters/db/push.py``). Each round claims a batch
of due deliveries, attempts them concurrently, and sleeps until the next delivery is due (at most
``poll_interval``), or until woken, or until stopped.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from services.common.errors import Unavailable
from services.common.messaging.waiting import Backoff, wait_for_any
from services.common.runtime import BackgroundTask
from services.ingest import metrics
from services.ingest.domain.push import ClaimedDelivery, DeliveryStatus
from services.ingest.handlers.push import PushDispatch

log = logging.getLogger("leadflow.ingest.push")


@dataclass(frozen=True)
class PushWorkerConfig:
    poll_interval: float = 1.0  # longest idle sleep, seconds: how soon a new delivery is noticed
    min_wait: float = 0.05  # shortest idle sleep, seconds

    def __post_init__(self) -> None:
        if self.poll_interval <= 0 or not 0 < self.min_wait <= self.poll_interval:
            raise ValueError("push worker needs 0 < min_wait <= poll_interval")


class PushWorker:
    """Sends due deliveries until stopped."""

    def __init__(self, dispatch: PushDispatch, config: PushWorkerConfig | None = None) -> None:
        self._dispatch = dispatch
        self._config = config or PushWorkerConfig()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due deliveries now rather than after the idle sleep (call from the worker's event loop)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim, send and record until ``stop`` is set; the attempts in hand are finished first."""
        retry = Backoff(initial=0.5, maximum=10.0)
        while not stop.is_set():
            try:
                claimed = await self.run_once()
                if claimed >= self._dispatch.config.batch:
                    continue  # more may be due right now
                wait = await self._idle_seconds()
                retry.reset()
            except Unavailable as exc:
                # The database is unavailable: nothing was lost (leases expire), try again later.
                wait = retry.next()
                log.warning("push worker: %s; retrying in %.1fs", exc.reason, wait)
            await wait_for_any(stop, self._wake, timeout=wait)
            self._wake.clear()

    async def run_once(self) -> int:
        """One round: claim a batch of due deliveries, attempt them concurrently, record each result."""
        claimed = await self._dispatch.claim_due()
        if claimed:
            await asyncio.gather(*(self._attempt(item) for item in claimed))
        return len(claimed)

    async def _idle_seconds(self) -> float:
        due = await self._dispatch.next_due_time()
        if due is None:
            return self._config.poll_interval
        until_due = (due - self._dispatch.now()).total_seconds()
        return min(self._config.poll_interval, max(self._config.min_wait, until_due))

    async def _attempt(self, item: ClaimedDelivery) -> None:
        delivery = item.delivery
        try:
            result = await self._dispatch.attempt(item)
        except Unavailable as exc:
            # Unrecorded: the delivery becomes due again when its lease ends and is attempted again.
            metrics.PUSH_ATTEMPTS.labels(result="lease_lost").inc()
            log.warning(
                "push delivery %s account %s attempt %d: result not recorded (%s)",
                delivery.id,
                delivery.account_id,
                item.attempt,
                exc.reason,
            )
            return
        transition = result.transition
        if transition is None:
            metrics.PUSH_ATTEMPTS.labels(result="lease_lost").inc()
            log.warning(
                "push delivery %s account %s attempt %d: lease lost, result not recorded",
                delivery.id,
                delivery.account_id,
                item.attempt,
            )
            return
        outcome = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.GAVE_UP: "gave_up"}
        metrics.PUSH_ATTEMPTS.labels(result=outcome.get(transition.status, "failed")).inc()
        log.log(
            logging.WARNING if transition.status == DeliveryStatus.GAVE_UP else logging.INFO,
            "push delivery %s account %s attempt %d: http %d %s -> %s",
            delivery.id,
            delivery.account_id,
            item.attempt,
            transition.last_http_status,
            transition.last_error or "ok",
            transition.status.name,
            extra={
                "next_attempt": transition.next_attempt_time.isoformat()
                if transition.next_attempt_time
                else None
            },
        )


def background_tasks(worker: PushWorker) -> list[BackgroundTask]:
    return [worker.run]
