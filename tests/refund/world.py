"""A refund service without its transports, for tests that go through the consumers and timers: events are
delivered to the real consumer handlers (``consumers.consumer_specs``) with the inbox's once-per-event semantics,
and due timers are fired as the runtime fires them (handler, then the fired row deleted, in one transaction).

- ``FakeWorld``: the in-memory fakes (``tests.refund.fakes``) on ``FakeTransactions``.
- ``SqlWorld``: a real database (SQLite file or PostgreSQL) on ``SqlTransactions``, the runtime's ``TimerWorker``
  and inbox.

Both run on a ``FakeClock``; ``advance_to(moment)`` moves it and fires every timer due by then, in due order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.messaging import Delivery
from services.common.messaging.inbox import claim_inbox
from services.common.paging import PageTokens
from services.common.runtime import ConsumerSpec
from services.common.timers import Timer
from services.common.timerstore import SqlTimers
from services.common.timerworker import TimerSet, TimerWorker
from services.refund import consumers, workers
from services.refund.adapters.db.tables import messaging, timers
from services.refund.adapters.db.uow import SqlRefundUnitOfWork
from services.refund.bootstrap import RefundHandlerSet, build_handlers
from services.refund.converters.events import encode_event
from services.refund.domain.ports import CASE_TIMER
from tests.common.fakes import FakeTransactions
from tests.refund.events import Event
from tests.refund.fakes import FakeRefundUnitOfWork

TOKENS = PageTokens(b"refund-test-page-key-" + b"k" * 16)


def _delivery(event: Event, delivered: int = 1) -> Delivery:
    return Delivery(event.subject, event.event_id, event.data, {}, delivered, 0)


def _by_subject(specs: list[ConsumerSpec]) -> dict[str, ConsumerSpec]:
    return {subject: spec for spec in specs for subject in spec.subjects}


class FakeWorld:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.uow = FakeRefundUnitOfWork()
        self.tx: FakeTransactions[Any] = FakeTransactions(self.uow)
        self.handlers: RefundHandlerSet = build_handlers(self.tx, clock, TOKENS)
        self._consumers = _by_subject(consumers.consumer_specs(self.handlers.cases, self.handlers.erasure))
        self._timers = workers.timer_set(timers, self.handlers.cases, self.handlers.rules)
        self._inbox: set[tuple[str, str]] = set()

    def deliver(self, *events: Event) -> None:
        for event in events:
            spec = self._consumers[event.subject]
            if (spec.name, event.event_id) in self._inbox:
                continue
            self.tx.write_now(lambda uow, spec=spec, event=event: spec.handler(uow, _delivery(event)))
            self._inbox.add((spec.name, event.event_id))

    def fire_due(self) -> int:
        handlers = {spec.kind: spec.handler for spec in self._timers.specs}
        fired = 0
        while due := self.uow.timers.due(self.clock.now()):
            for timer in due:

                def fire(uow: FakeRefundUnitOfWork, timer: Any = timer) -> None:
                    handlers[timer.kind](uow, timer)
                    uow.timers.rows.pop((timer.kind, timer.key), None)  # as the runtime's fired() does

                self.tx.write_now(fire)
                fired += 1
        return fired

    def advance_to(self, moment: datetime) -> None:
        """Move the clock to ``moment`` through every due time before it, firing timers in order."""
        advance(self, moment)

    def next_due(self) -> datetime | None:
        return min((t.due_time for t in self.uow.timers.rows.values()), default=None)

    def recorded_events(self) -> list[object]:
        return list(self.uow.events.recorded)

    def timers_of(self, case_id: str) -> list[Timer]:
        return [t for (_, key), t in self.uow.timers.rows.items() if key.startswith(case_id + "@")]


class SqlWorld:
    def __init__(
        self,
        database: Database,
        clock: FakeClock,
        unit_of_work: type[SqlRefundUnitOfWork] = SqlRefundUnitOfWork,
    ) -> None:
        """``unit_of_work``: a subclass that instruments the repositories (the race tests hold transactions at a
        chosen point with it)."""
        self.clock = clock
        self.database = database
        self.tx = SqlTransactions(database, unit_of_work, messaging, encode_event, attempts=20)
        self.handlers: RefundHandlerSet = build_handlers(self.tx, clock, TOKENS)
        self._consumers = _by_subject(consumers.consumer_specs(self.handlers.cases, self.handlers.erasure))
        timer_set: TimerSet = workers.timer_set(timers, self.handlers.cases, self.handlers.rules)
        self._worker = TimerWorker(database, messaging, timer_set, self.tx.bind, clock, max_attempts=1)

    def deliver(self, *events: Event) -> None:
        for event in events:
            spec = self._consumers[event.subject]
            with self.database.transaction() as session:
                if claim_inbox(session, messaging, spec.name, event.event_id):
                    spec.handler(self.tx.bind(session), _delivery(event))

    def fire_due(self) -> int:
        """Fire every due timer; a handler that failed (the worker moves it to dead letters) fails the test."""
        fired = 0
        while claimed := self._worker.fire_due():
            fired += claimed
        with self.database.read() as session:
            errors = list(session.execute(sa.select(messaging.dead_letters.c.error)).scalars())
        assert not errors, errors[0]
        return fired

    def advance_to(self, moment: datetime) -> None:
        advance(self, moment)

    def next_due(self) -> datetime | None:
        with self.database.read() as session:
            return SqlTimers(session, timers).next_due_time()

    def timers_of(self, case_id: str) -> list[Timer]:
        with self.database.read() as session:
            keys = session.execute(sa.select(timers.c.key).where(timers.c.key.like(case_id + "@%"))).scalars()
            store = SqlTimers(session, timers)
            return [t for key in keys if (t := store.get(CASE_TIMER, key)) is not None]


def advance(world: FakeWorld | SqlWorld, moment: datetime) -> None:
    world.fire_due()
    while (due := world.next_due()) is not None and due <= moment:
        world.clock.set(max(due, world.clock.now()))
        world.fire_due()
    world.clock.set(moment)
    world.fire_due()


def deliver_all(world: FakeWorld | SqlWorld, events: Iterable[Event]) -> None:
    world.deliver(*events)
