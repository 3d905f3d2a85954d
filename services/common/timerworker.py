"""The timer worker: fires due timers exactly once, on every replica safely (see ``services.common.timers``).

Each round claims up to ``batch`` due timers in one write transaction and fires each in a savepoint of it: the row
is deleted, then the kind's handler runs on the service's unit of work bound to the transaction (so it may schedule
the same key again). A handler that
raises rolls back its savepoint only (its effects and events); the timer is counted as failed and made due again
after a backoff, and after ``max_attempts`` it is moved to the dead-letter table (consumer ``timer-<kind>``) so a
bug never fires it forever, and never drops it silently. Between rounds the worker sleeps until the next due time
(at most ``poll_interval``), or until the clock moves (a dev clock) or it is stopped.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.clock import Clock
from services.common.db import Database
from services.common.dberrors import translated
from services.common.errors import DomainError
from services.common.messaging.inbox import describe_error, insert_dead_letter
from services.common.messaging.tables import MessagingTables
from services.common.messaging.waiting import Backoff, wait_for_any
from services.common.metrics import TIMER_FAILURES, TIMERS_FIRED, TIMERS_OVERDUE
from services.common.timers import Timer
from services.common.timerstore import SqlTimers
from services.common.uow import TransientConflict

log = logging.getLogger(__name__)

# A handler runs in the firing transaction on the service's unit of work; raising rolls its savepoint back.
TimerHandler = Callable[[Any, Timer], None]
TRANSIENT_RETRIES = (
    3  # a handler that lost a race runs again this often in the round before it counts as failed
)
OVERDUE_AFTER = timedelta(minutes=1)  # a timer this late counts as overdue (leadflow_timers_overdue)


@dataclass(frozen=True)
class TimerSpec:
    """A kind of timer and its handler. ``order_key``: for handlers that lock a row per key (a lead), the key a
    round fires its timers of this kind in order of, so that rounds and consumer batches that lock the same rows take
    them in one order (``ConsumerSpec.order_key``) and never deadlock each other on PostgreSQL. Kinds without one
    fire first, in due order."""

    kind: str
    handler: TimerHandler
    order_key: Callable[[Timer], str] | None = None


@dataclass(frozen=True)
class TimerSet:
    """What a service with timers gives the runtime: its timers table and a handler per kind."""

    table: sa.Table
    specs: tuple[TimerSpec, ...]


class TimerWorker:
    def __init__(
        self,
        database: Database,
        messaging: MessagingTables,
        timers: TimerSet,
        bind: Callable[[Connection], Any],
        clock: Clock,
        *,
        wake_relay: Callable[[], None] = lambda: None,
        batch: int = 100,
        poll_interval: float = 1.0,
        max_attempts: int = 8,
        retry_after: timedelta = timedelta(seconds=30),
    ) -> None:
        self._db = database
        self._messaging = messaging
        self._table = timers.table
        self._handlers = {spec.kind: spec.handler for spec in timers.specs}
        self._order_keys = {spec.kind: spec.order_key for spec in timers.specs if spec.order_key is not None}
        self._bind = bind
        self._clock = clock
        self._wake_relay = wake_relay
        self._batch = batch
        self._poll_interval = poll_interval
        self._max_attempts = max_attempts
        self._retry_after = retry_after
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due timers now (thread-safe through the loop: call it on the worker's loop)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        retry = Backoff(initial=0.5, maximum=10.0)
        while not stop.is_set():
            try:
                fired = await self._in_write_thread(self.fire_due)
                if fired >= self._batch:
                    continue  # more may be due right now
                wait = await self._in_write_thread(self._idle_seconds)
                retry.reset()
            except (sa.exc.OperationalError, DomainError) as exc:
                wait = retry.next()
                log.warning(
                    "timer worker: database unavailable (%s); retrying in %.1fs", type(exc).__name__, wait
                )
            await wait_for_any(stop, self._wake, timeout=wait)
            self._wake.clear()

    async def _in_write_thread(self, function: Callable[[], Any]) -> Any:
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db.write_executor, functools.partial(context.run, function))

    def fire_due(self) -> int:
        """One round (on a worker thread): fire what is due now; returns how many timers were claimed."""
        recorded = 0
        fired: list[str] = []
        with self._db.transaction() as session:
            store = SqlTimers(session, self._table)
            due = store.claim_due(self._clock.now(), self._batch)
            for timer in self._in_lock_order(due):
                events = self._fire(session, store, timer)
                if events is not None:
                    fired.append(timer.kind)
                    recorded += events
        # Counted once committed: a round whose commit fails fires nothing.
        for kind in fired:
            TIMERS_FIRED.labels(kind=kind).inc()
        if recorded:
            self._wake_relay()
        return len(due)

    def _in_lock_order(self, due: list[Timer]) -> list[Timer]:
        """``due`` (in due order) stably sorted by their kinds' order keys; kinds without one first."""
        if not self._order_keys:
            return due
        return sorted(due, key=self._lock_key)

    def _lock_key(self, timer: Timer) -> tuple[int, str]:
        order_key = self._order_keys.get(timer.kind)
        if order_key is None:
            return (0, "")
        try:
            return (1, order_key(timer))
        except Exception:  # noqa: BLE001 - a payload without its key: the handler fails it, counted as usual
            return (0, "")

    def _fire(self, session: Connection, store: SqlTimers, timer: Timer) -> int | None:
        """Fire one timer in a savepoint; the number of events it recorded, or None when it failed. A lost race
        (``TransientConflict``, a deadlock or serialization failure) is run again at once, a few times, before it
        counts as a failed attempt."""
        handler = self._handlers.get(timer.kind)
        for attempt in range(TRANSIENT_RETRIES + 1):
            savepoint = session.begin_nested()
            try:
                if handler is None:
                    raise LookupError(f"no handler for timers of kind {timer.kind!r}")
                uow = self._bind(session)
                with translated():
                    store.fired(timer)  # first, so that the handler may schedule the same key again
                    handler(uow, timer)
                savepoint.commit()
            except TransientConflict as exc:
                savepoint.rollback()
                if attempt < TRANSIENT_RETRIES:
                    continue
                self._failed(session, store, timer, exc)
                return None
            except Exception as exc:  # noqa: BLE001 - a failing handler must not block the other timers
                savepoint.rollback()
                self._failed(session, store, timer, exc)
                return None
            return int(getattr(getattr(uow, "events", None), "count", 0))
        return None

    def _failed(self, session: Connection, store: SqlTimers, timer: Timer, exc: Exception) -> None:
        TIMER_FAILURES.labels(kind=timer.kind).inc()
        log.warning(
            "timer %s/%s failed (attempt %d)", timer.kind, timer.key, timer.attempts + 1, exc_info=exc
        )
        if timer.attempts + 1 < self._max_attempts:
            store.failed(timer, self._retry_after * (2**timer.attempts), describe_error(exc))
            return
        insert_dead_letter(
            session,
            self._messaging,
            consumer=f"timer-{timer.kind}",
            subject=f"timer:{timer.kind}",
            event_id=None,
            stream_sequence=0,
            payload=json.dumps({"key": timer.key, "payload": dict(timer.payload)}).encode(),
            headers={"tenant_id": timer.tenant_id},
            error=describe_error(exc),
            attempts=timer.attempts + 1,
        )
        store.fired(timer)
        log.error(
            "timer %s/%s moved to dead letters after %d attempts", timer.kind, timer.key, timer.attempts + 1
        )

    def _idle_seconds(self) -> float:
        now = self._clock.now()
        with self._db.read() as session:
            store = SqlTimers(session, self._table)
            due = store.next_due_time()
            overdue = store.overdue_by_kind(now - OVERDUE_AFTER)
        for kind in self._handlers:
            TIMERS_OVERDUE.labels(kind=kind).set(overdue.get(kind, 0))
        if due is None:
            return self._poll_interval
        return min(self._poll_interval, max(0.01, (due - now).total_seconds()))
