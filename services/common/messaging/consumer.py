"""A durable pull consumer that applies each event exactly once to the service's database.

Per fetched batch, one write transaction (one thread hop, one commit): one ``SELECT ... IN`` finds the events the
inbox already holds (duplicates: acked, never handed to the handler); then, per message, a savepoint in which
(consumer, event_id) is claimed in the inbox and the handler runs on a unit of work bound to the transaction (the
service's repositories and outbox, never a raw session). A message whose handler raises rolls back to its savepoint
only, so one poison message does not fail the others. After the commit every message is acked, or nakked /
dead-lettered if it failed. A database error that spoils the transaction (lock, connection, commit) runs the whole
batch again, a bounded number of times, then message by message; a crash before the commit leaves nothing, and the
server redelivers the whole batch. A redelivery (lost ack, replay, a second replica) finds its inbox row and
changes nothing. A handler that raises is retried with ``nak(delay=backoff[n])``; on the ``max_deliver``-th attempt
the message goes to the dead-letter table with its error instead, and a metric counts it.

The server's own max_deliver is unlimited on purpose: if it were the limit, a crash during the last attempt would
leave the message undelivered and unrecorded. This class decides when to give up, and gives up only by writing a
dead letter.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import nats.errors
import nats.js.errors
import sqlalchemy as sa
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import Connection

from services.common import telemetry
from services.common.db import Database
from services.common.messaging.inbox import (
    applied_events,
    claim_inbox,
    claim_inbox_many,
    describe_error,
    insert_dead_letter,
)
from services.common.messaging.relay import MSG_ID_HEADER
from services.common.messaging.tables import MessagingTables
from services.common.messaging.waiting import Backoff, wait_for_any
from services.common.metrics import (
    CONSUMER_ACK_PENDING,
    CONSUMER_ALREADY_APPLIED,
    CONSUMER_BATCH_EVENTS,
    CONSUMER_DUPLICATES,
    CONSUMER_FAILURES,
    CONSUMER_PENDING,
    CONSUMER_PROCESSED,
    CONSUMER_REDELIVERIES,
    DEAD_LETTERS,
)
from services.common.uow import backoff_seconds

log = logging.getLogger(__name__)

# How many times a batch whose transaction failed as a whole is run again before its messages go one by one.
BATCH_ATTEMPTS = 3

APPLIED, DUPLICATE = "applied", "duplicate"


NO_POSITION = -1  # a batch handler's failure belongs to no one delivery: the careful path runs them all


class _HandlerFailed(Exception):
    """A handler raised in an optimistic batch (no savepoints): the batch runs again with them."""

    def __init__(self, position: int, error: Exception) -> None:
        super().__init__(position, error)
        self.position, self.error = position, error


@dataclass(frozen=True)
class Delivery:
    """One delivery of an event, as a handler sees it."""

    subject: str
    event_id: str
    data: bytes
    headers: Mapping[str, str]
    num_delivered: int
    stream_sequence: int


# Runs in a worker thread inside the consumer's write transaction, on the unit of work ``bind`` made of it; raising
# rolls the whole delivery back. Exception messages end up in the dead-letter table, so they must not carry raw
# personal data.
Handler = Callable[[Any, Delivery], None]
# Optional: applies all of a batch's new deliveries at once, in the order given, on one unit of work (set-based
# statements instead of one per event). Same rules as ``Handler``; when it raises, the batch runs again the careful
# way, each delivery through ``Handler`` in a savepoint of its own, so the failure stays with its event.
BatchHandler = Callable[[Any, Sequence[Delivery]], None]
UnitOfWorkBinder = Callable[[Connection], Any]
# The key a consumer's batches are applied in order of (``EventConsumer``'s ``order_key``); it may raise for a payload
# it can't read.
OrderKey = Callable[[Delivery], str]
# Optional: true when a message's headers say its producer already did, in the transaction that recorded the event,
# what this consumer would do with it (``EventConsumer``'s ``already_applied``).
AlreadyApplied = Callable[[Mapping[str, str]], bool]


def _key_or_first(order_key: OrderKey, delivery: Delivery) -> str:
    try:
        return order_key(delivery)
    except Exception:  # noqa: BLE001 - an unreadable payload: its handler raises and the batch deals with it
        return ""


def redelivery_delay(backoff: Sequence[float], num_delivered: int) -> float:
    """Delay before the next attempt after attempt ``num_delivered`` failed; the last step repeats."""
    if not backoff:
        return 0.0
    return float(backoff[min(max(num_delivered, 1), len(backoff)) - 1])


def to_delivery(msg: Msg) -> Delivery:
    metadata = msg.metadata
    headers = dict(msg.headers or {})
    return Delivery(
        subject=msg.subject,
        event_id=headers.get(MSG_ID_HEADER, ""),
        data=msg.data,
        headers=headers,
        num_delivered=metadata.num_delivered,
        stream_sequence=metadata.sequence.stream,
    )


def keeps_coming(fetched: int, previous: int, seconds_since_previous: float, linger: float) -> bool:
    """Whether events are coming as a stream, so that a consumer's ``linger`` pays: the previous batch (of
    ``previous`` events) was taken less than ``linger`` seconds ago, and it or this fetch (of ``fetched``) held more
    than one. Neither an event after a quiet spell nor a chain of single events, each published after the one before
    was applied (a caller waiting on each), is a stream: both are applied at once."""
    return seconds_since_previous < linger and max(fetched, previous) > 1


class EventConsumer:
    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        js: JetStreamContext,
        *,
        name: str,
        stream: str,
        subjects: Sequence[str],
        handler: Handler,
        bind: UnitOfWorkBinder,
        wake: Callable[[], None] = lambda: None,
        max_deliver: int = 5,
        backoff: Sequence[float] = (0.5, 2.0, 10.0, 30.0),
        batch: int = 64,
        ack_wait: float = 30.0,
        fetch_timeout: float = 1.0,
        stats_interval: float = 5.0,
        linger: float = 0.0,
        order_key: OrderKey | None = None,
        batch_handler: BatchHandler | None = None,
        already_applied: AlreadyApplied | None = None,
    ) -> None:
        """``linger`` (seconds, 0 = none): while events keep coming, after a fetch that brought less than a full
        batch, wait this long and fetch what arrived meanwhile into the same batch, so that a stream of events is
        applied in transactions of several (each costs a thread hop, an inbox INSERT, a commit, and the relay's
        publish of what the handlers recorded) rather than one each. "Keep coming": the previous batch was taken
        less than ``linger`` ago, and it or this fetch held more than one event. So an event after a quiet spell is
        applied at once (a trickle waits for nothing), and so is a chain of single events each published after the
        one before was applied (a caller waiting on each). Under load the latency it adds is at most twice
        ``linger``. Measured in the README ("Changes measured in pairs", eighth session): at 150 leads/s, 50 ms
        halved the CPU per lead of assign, telephony and refund.

        ``order_key``: the order a batch is applied in (a stable sort, so deliveries of one key keep their stream
        order), for handlers that lock a row per key, such as a lead: every batch, of every consumer that orders by
        the same key, then takes its locks in one global order, so two concurrent batches on PostgreSQL wait for
        each other instead of deadlocking. A delivery whose key can't be read sorts first (its handler fails it).

        ``batch_handler`` (``BatchHandler``): applies a batch's new deliveries in one call; ``handler`` stays the
        fallback for the careful path and must do the same per event.

        ``already_applied`` (``AlreadyApplied``): messages it says true of are acknowledged as they arrive, without
        a transaction, an inbox row or the handler: their producer applied them itself. For a consumer kept only for
        events an older version of the producer recorded without doing so (ingest's ``ingest-push``)."""
        if max_deliver < 1:
            raise ValueError("max_deliver must be at least 1")
        if not subjects:
            raise ValueError(f"consumer {name}: at least one subject is required")
        self._db = database
        self._tables = tables
        self._js = js
        self._name = name
        self._stream = stream
        self._subjects = list(subjects)
        self._handler = handler
        self._bind = bind
        self._wake = wake
        self._max_deliver = max_deliver
        self._backoff = list(backoff)
        self._batch = batch
        self._ack_wait = ack_wait
        self._fetch_timeout = fetch_timeout
        self._stats_interval = stats_interval
        self._stats_due = 0.0
        self._linger = linger
        self._last_batch_at = -float("inf")  # time.monotonic() when the previous batch was complete
        self._last_batch_size = 0
        self._order_key = order_key
        self._batch_handler = batch_handler
        self._already_applied = already_applied

    @property
    def name(self) -> str:
        return self._name

    @property
    def linger(self) -> float:
        """Seconds a short fetch waits for more while events keep coming (0: never)."""
        return self._linger

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            name=self._name,
            durable_name=self._name,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait,
            max_deliver=-1,  # see the module docstring
            filter_subjects=self._subjects,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the batch in hand is finished first."""
        sub = await self._subscribe(stop)
        if sub is None:
            return
        try:
            while not stop.is_set():
                await self._refresh_stats(sub)
                try:
                    msgs = await sub.fetch(self._batch, timeout=self._fetch_timeout)
                except TimeoutError:
                    # Nothing to deliver yet. (nats-py raises its own TimeoutError or the builtin one, depending on
                    # where in the pull the deadline passes; the former subclasses the latter.)
                    continue
                if self._lingers(msgs):
                    msgs = [*msgs, *await self._top_up(sub, self._batch - len(msgs))]
                self._last_batch_at, self._last_batch_size = time.monotonic(), len(msgs)
                await self._process_batch(msgs)
        finally:
            # Nothing to unsubscribe from when the connection is already closed.
            with contextlib.suppress(nats.errors.ConnectionClosedError):
                await sub.unsubscribe()

    def _lingers(self, msgs: Sequence[Msg]) -> bool:
        """Whether to wait for more before applying ``msgs`` (``linger``): a short fetch while events keep coming
        (the previous batch was taken within ``linger``, and it or this fetch held more than one), with something
        in it to apply."""
        return (
            self._linger > 0
            and len(msgs) < self._batch
            and keeps_coming(
                len(msgs), self._last_batch_size, time.monotonic() - self._last_batch_at, self._linger
            )
            and not self._all_applied(msgs)
        )

    def _all_applied(self, msgs: Sequence[Msg]) -> bool:
        """Whether every message is one its producer applied (``already_applied``): nothing to gather a
        transaction for, so no linger."""
        applied = self._already_applied
        return applied is not None and all(msg.headers and applied(msg.headers) for msg in msgs)

    async def _top_up(self, sub: JetStreamContext.PullSubscription, wanted: int) -> list[Msg]:
        """Up to ``wanted`` more messages that arrived within the linger; none when nothing did."""
        await asyncio.sleep(self._linger)
        try:
            return list(await sub.fetch(wanted, timeout=self._linger))
        except TimeoutError:
            return []

    async def _subscribe(self, stop: asyncio.Event) -> JetStreamContext.PullSubscription | None:
        retry = Backoff(initial=0.5, maximum=10.0)
        while not stop.is_set():
            try:
                # Create, or update to this config (filter subjects may change between releases).
                await self._js.add_consumer(self._stream, self.consumer_config())
            except nats.js.errors.NotFoundError:
                # The producer has not created its stream yet (services start in any order): wait for it.
                log.warning("consumer %s: stream %s does not exist yet; retrying", self._name, self._stream)
                await wait_for_any(stop, timeout=retry.next())
                continue
            return await self._js.pull_subscribe_bind(durable=self._name, stream=self._stream)
        return None

    async def _process_batch(self, msgs: Sequence[Msg]) -> None:
        batch: list[tuple[Msg, Delivery]] = []
        already_applied = self._already_applied
        for msg in msgs:
            if already_applied is not None and msg.headers and already_applied(msg.headers):
                CONSUMER_ALREADY_APPLIED.labels(consumer=self._name).inc()
                await msg.ack()
                continue
            delivery = to_delivery(msg)
            if delivery.num_delivered > 1:
                CONSUMER_REDELIVERIES.labels(consumer=self._name).inc()
            if not delivery.event_id:
                # Without an event id the inbox can't recognise a redelivery; keep it for a human, don't guess.
                await self._dead_letter(msg, delivery, f"message has no {MSG_ID_HEADER} header")
                continue
            batch.append((msg, delivery))
        if not batch:
            return
        CONSUMER_BATCH_EVENTS.labels(consumer=self._name).observe(len(batch))
        deliveries = [delivery for _, delivery in batch]
        outcomes: list[str | Exception] | None = None
        for attempt in range(BATCH_ATTEMPTS):
            try:
                outcomes = await self._in_write_thread(self._apply_batch, deliveries)
                break
            except Exception as exc:  # noqa: BLE001 - the transaction as a whole failed: run it again, then singly
                log.warning(
                    "consumer %s: a batch of %d failed as a whole (attempt %d of %d)",
                    self._name,
                    len(deliveries),
                    attempt + 1,
                    BATCH_ATTEMPTS,
                    exc_info=exc,
                )
                await asyncio.sleep(backoff_seconds(attempt))
        if outcomes is None:
            started = time.monotonic()
            for msg, delivery in batch:
                if time.monotonic() - started > self._ack_wait / 2:
                    await msg.in_progress()  # don't let the server redeliver what is queued here
                await self._process_one(msg, delivery)
            return
        for (msg, delivery), outcome in zip(batch, outcomes, strict=True):
            await self._settled(msg, delivery, outcome)

    async def _process_one(self, msg: Msg, delivery: Delivery) -> None:
        """One message in a transaction of its own: the fallback when its batch keeps failing as a whole."""
        outcome: str | Exception
        try:
            (outcome,) = await self._in_write_thread(self._apply_batch, [delivery])
        except Exception as exc:  # noqa: BLE001 - the dead-letter boundary: any failure of the handler's transaction
            outcome = exc
        await self._settled(msg, delivery, outcome)

    async def _settled(self, msg: Msg, delivery: Delivery, outcome: str | Exception) -> None:
        if isinstance(outcome, Exception):
            await self._failed(msg, delivery, outcome)
            return
        (CONSUMER_PROCESSED if outcome == APPLIED else CONSUMER_DUPLICATES).labels(consumer=self._name).inc()
        await msg.ack()

    async def _in_write_thread(self, function: Callable[[Any], Any], argument: Any) -> Any:
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self._db.write_executor, functools.partial(context.run, function, argument)
        )

    def _apply_batch(self, deliveries: Sequence[Delivery]) -> list[str | Exception]:
        """Apply the deliveries in one transaction, in ``order_key`` order when the consumer has one; per delivery
        (in the order given) APPLIED, DUPLICATE, or the handler's exception. Raises when the transaction as a whole
        failed: then nothing of it was committed."""
        order_key = self._order_key
        if order_key is None or len(deliveries) < 2:
            return self._apply_batch_in_order(deliveries)
        order = sorted(range(len(deliveries)), key=lambda i: _key_or_first(order_key, deliveries[i]))
        applied = self._apply_batch_in_order([deliveries[i] for i in order])
        outcomes: list[str | Exception] = [DUPLICATE] * len(deliveries)
        for place, index in enumerate(order):
            outcomes[index] = applied[place]
        return outcomes

    def _apply_batch_in_order(self, deliveries: Sequence[Delivery]) -> list[str | Exception]:
        """Apply the deliveries in one transaction, in this order; per delivery APPLIED, DUPLICATE, or the handler's
        exception (its savepoint rolled back). Raises when the transaction as a whole failed: then nothing of it was
        committed.

        First optimistically: every new event claimed in the inbox with one statement, the handlers run without
        savepoints (two statements fewer per message), or the batch handler once for all of them. When a handler
        fails, that transaction is rolled back and the batch runs again the careful way, each message in a
        savepoint of its own, so the failure stays its own.
        """
        try:
            return self._apply_batch_optimistic(deliveries)
        except _HandlerFailed as failed:
            # The failed message is not run twice: it fails with its error, as it would have in a savepoint.
            return self._apply_batch_careful(deliveries, {failed.position: failed.error})

    def _apply_batch_optimistic(self, deliveries: Sequence[Delivery]) -> list[str | Exception]:
        outcomes: list[str | Exception] = []
        recorded = 0
        claimed: list[Delivery] = []  # for the batch handler
        with self._db.transaction() as session:
            # The insert's answer is the whole truth (no read first): an id it did not return was applied before.
            owned = claim_inbox_many(session, self._tables, self._name, [d.event_id for d in deliveries])
            for position, delivery in enumerate(deliveries):
                if delivery.event_id not in owned:  # applied before, or earlier in this batch
                    outcomes.append(DUPLICATE)
                    continue
                owned.discard(delivery.event_id)
                if self._batch_handler is None:
                    recorded += self._apply_claimed(session, position, delivery)
                else:
                    claimed.append(delivery)
                outcomes.append(APPLIED)
            if claimed:
                recorded += self._apply_claimed_batch(session, claimed)
        if recorded:
            self._wake()
        return outcomes

    def _apply_claimed_batch(self, session: Connection, deliveries: Sequence[Delivery]) -> int:
        """Run the batch handler on events this transaction claimed, each delivery's span open around it (every
        message was processed by this call); the number of events it recorded. Its failure raises _HandlerFailed
        for no one position: the careful path then runs every delivery on its own."""
        batch_handler = self._batch_handler
        assert batch_handler is not None
        with contextlib.ExitStack() as spans:
            for delivery in deliveries:
                spans.enter_context(self._span(delivery))
            return self._run_handler(NO_POSITION, lambda uow: batch_handler(uow, deliveries), session)

    def _apply_claimed(self, session: Connection, position: int, delivery: Delivery) -> int:
        """Run the handler of an event this transaction claimed; the number of events it recorded. A handler's
        failure (other than the database's own) raises _HandlerFailed."""
        with self._span(delivery):
            return self._run_handler(position, lambda uow: self._handler(uow, delivery), session)

    def _span(self, delivery: Delivery) -> contextlib.AbstractContextManager[Any]:
        """The delivery's process span, child of the producer's traceparent (current while it is open)."""
        return telemetry.span(
            f"{delivery.subject} process",
            telemetry.CONSUMER,
            delivery.headers.get("traceparent"),
            telemetry.consumer_attributes(delivery.subject, self._name),
        )

    def _run_handler(self, position: int, handle: Callable[[Any], None], session: Connection) -> int:
        """``handle`` on a unit of work bound to ``session``; the number of events it recorded. A failure other than
        the database's own raises _HandlerFailed at ``position``."""
        try:
            uow = self._bind(session)
            handle(uow)
        except sa.exc.OperationalError:
            raise  # the transaction itself is in trouble (lock, connection): the whole batch runs again
        except Exception as exc:  # noqa: BLE001 - rerun the batch with savepoints (see _apply_batch)
            raise _HandlerFailed(position, exc) from exc
        return int(getattr(getattr(uow, "events", None), "count", 0))

    def _apply_batch_careful(
        self, deliveries: Sequence[Delivery], failed: dict[int, Exception] | None = None
    ) -> list[str | Exception]:
        """Each message in a savepoint; those in ``failed`` (by position) fail with that error, not run again."""
        outcomes: list[str | Exception] = []
        recorded = 0
        failed = failed or {}
        with self._db.transaction() as session:
            done = applied_events(session, self._tables, self._name, [d.event_id for d in deliveries])
            for position, delivery in enumerate(deliveries):
                if delivery.event_id in done:
                    outcomes.append(DUPLICATE)
                    continue
                if position in failed:
                    outcomes.append(failed[position])
                    continue
                outcome, events = self._apply(session, delivery)
                outcomes.append(outcome)
                recorded += events
                if outcome == APPLIED:
                    done.add(
                        delivery.event_id
                    )  # the same event twice in one batch: the second is a duplicate
        if recorded:
            self._wake()
        return outcomes

    def _apply(self, session: Connection, delivery: Delivery) -> tuple[str | Exception, int]:
        # A CONSUMER span of the event's trace; events the handler records continue it.
        with self._span(delivery):
            savepoint = session.begin_nested()
            try:
                if not claim_inbox(session, self._tables, self._name, delivery.event_id):
                    savepoint.commit()
                    return DUPLICATE, 0
                uow = self._bind(session)
                self._handler(uow, delivery)
                recorded = getattr(getattr(uow, "events", None), "count", 0)
                savepoint.commit()
            except sa.exc.OperationalError:
                raise  # the transaction itself is in trouble (lock, connection): the whole batch runs again
            except Exception as exc:  # noqa: BLE001 - this message failed; the others of the batch go on
                if savepoint.is_active:
                    savepoint.rollback()
                return exc, 0
        return APPLIED, recorded

    async def _failed(self, msg: Msg, delivery: Delivery, exc: Exception) -> None:
        attempt, limit = delivery.num_delivered, self._max_deliver
        log.warning(
            "consumer %s: handling %s (%s) failed, attempt %d of %d",
            self._name,
            delivery.event_id,
            delivery.subject,
            attempt,
            limit,
            exc_info=exc,
        )
        if attempt < limit:
            CONSUMER_FAILURES.labels(consumer=self._name).inc()
            await msg.nak(delay=redelivery_delay(self._backoff, attempt))
            return
        await self._dead_letter(msg, delivery, describe_error(exc))

    async def _dead_letter(self, msg: Msg, delivery: Delivery, error: str) -> None:
        try:
            recorded = await self._in_write_thread(
                functools.partial(self._record_dead_letter, error=error), delivery
            )
        except sa.exc.OperationalError as exc:
            # The database is unavailable: the message must not be lost, so let the server deliver it again.
            log.warning(
                "consumer %s: cannot record dead letter %s yet: %s", self._name, delivery.event_id, exc
            )
            await msg.nak(delay=redelivery_delay(self._backoff, len(self._backoff)))
            return
        if recorded:
            DEAD_LETTERS.labels(consumer=self._name).inc()
            log.error(
                "consumer %s: %s (%s) moved to dead letters", self._name, delivery.event_id, delivery.subject
            )
        else:
            CONSUMER_DUPLICATES.labels(consumer=self._name).inc()
        await msg.ack()

    def _record_dead_letter(self, delivery: Delivery, *, error: str) -> bool:
        with self._db.transaction() as session:
            # The inbox row too, so that a later redelivery of this event is a duplicate rather than a new attempt;
            # if the row exists, another delivery applied the event meanwhile and there is nothing to record.
            if delivery.event_id and not claim_inbox(session, self._tables, self._name, delivery.event_id):
                return False
            insert_dead_letter(
                session,
                self._tables,
                consumer=self._name,
                subject=delivery.subject,
                event_id=delivery.event_id or None,
                stream_sequence=delivery.stream_sequence,
                payload=delivery.data,
                headers=delivery.headers,
                error=error,
                attempts=delivery.num_delivered,
            )
        return True

    async def _refresh_stats(self, sub: JetStreamContext.PullSubscription) -> None:
        now = time.monotonic()
        if now < self._stats_due:
            return
        self._stats_due = now + self._stats_interval
        try:
            info = await sub.consumer_info()
        except TimeoutError:
            # Only the lag gauges go stale; fetching reports real trouble with the server.
            log.warning("consumer %s: consumer info timed out; lag metrics not updated", self._name)
            return
        CONSUMER_PENDING.labels(consumer=self._name).set(info.num_pending or 0)
        CONSUMER_ACK_PENDING.labels(consumer=self._name).set(info.num_ack_pending or 0)
