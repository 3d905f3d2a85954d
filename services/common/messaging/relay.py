"""The outbox relay: publishes committed outbox rows to JetStream and marks them sent once the server has them.

Guarantees, and what provides each:
- Nothing committed is lost: a row is marked sent only after JetStream acknowledged it (stored it).
- Nothing is stored twice: a row re-published after a crash between the ack and the mark carries the same
  ``Nats-Msg-Id``, which JetStream drops inside its duplicate window (2 minutes on our streams).
- Order per aggregate: rows are read in id order (never from a high-water cursor, so a row with a lower id that
  commits later is still sent), published in that order on one connection, and only the contiguous acknowledged
  prefix is marked sent, so a failure mid-batch retries from the first failed row. One relay per database holds
  the lock (see ``relay_lock``).

What it costs: one transaction per batch. A full batch is marked sent in the transaction that reads the next one. A
short batch (the relay caught up) is marked in the transaction of the next read, which the next commit's ``wake()``
starts, or after ``mark_delay`` seconds when no commit comes: at a trickle of commits (a group commit every few
milliseconds) each costs the relay one transaction, not a read and then a write. A crash before the mark only
re-publishes what JetStream then drops (see above).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import nats.errors
import sqlalchemy as sa
from nats.js import JetStreamContext

from services.common.db import Database
from services.common.errors import Unavailable
from services.common.messaging.relay_lock import DEFAULT_LOCK_KEY, RelayLock, relay_lock_for
from services.common.messaging.tables import MessagingTables
from services.common.messaging.waiting import Backoff, wait_for_any
from services.common.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE_SECONDS,
    OUTBOX_PUBLISH_ERRORS,
    OUTBOX_PUBLISHED,
)

log = logging.getLogger(__name__)

MSG_ID_HEADER = "Nats-Msg-Id"


def acked_prefix(outcomes: Sequence[bool]) -> int:
    """How many leading rows were acknowledged; everything from the first failure on is retried."""
    for index, acked in enumerate(outcomes):
        if not acked:
            return index
    return len(outcomes)


def _acked(future: asyncio.Future[Any]) -> bool:
    # exception() is read for every finished future so none is left with an unretrieved exception.
    return future.done() and not future.cancelled() and future.exception() is None


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        nats_js_context: JetStreamContext,
        *,
        batch_size: int = 256,
        poll_interval: float = 0.2,
        ack_timeout: float = 5.0,
        max_backoff: float = 5.0,
        lock_retry_interval: float = 1.0,
        metrics_interval: float = 1.0,
        lock_key: int = DEFAULT_LOCK_KEY,
        mark_delay: float = 0.25,
    ) -> None:
        """``poll_interval``: seconds between looks at an idle outbox when no ``wake()`` comes (a commit of another
        process, e.g. a replica whose relay does not hold the lock). ``mark_delay``: at most how many seconds the
        rows of a short batch wait, acknowledged, to be marked sent with the next read; well under JetStream's
        duplicate window (2 minutes), within which a re-publish of them is dropped."""
        if mark_delay < 0:
            raise ValueError("the outbox relay's mark_delay must be >= 0 seconds")
        self._db = database
        self._outbox = tables.outbox
        self._js = nats_js_context
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._ack_timeout = ack_timeout
        self._max_backoff = max_backoff
        self._lock_retry_interval = lock_retry_interval
        self._metrics_interval = metrics_interval
        self._lock_key = lock_key
        self._mark_delay = mark_delay
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._metrics_due = 0.0
        # The relay's statements, built once (services.common.statements) and run with parameters.
        o = self._outbox
        self._unsent = (
            sa.select(o.c.id, o.c.event_id, o.c.subject, o.c.payload, o.c.headers)
            .where(o.c.sent_at.is_(None))
            .order_by(o.c.id)
            .limit(batch_size)
        )
        self._sent = (
            sa.update(o)
            .where(o.c.id.in_(sa.bindparam("ids", expanding=True)))
            .values(sent_at=sa.bindparam("sent_at", type_=o.c.sent_at.type))
        )
        self._backlog_query = sa.select(sa.func.count(), sa.func.min(o.c.created_at)).where(
            o.c.sent_at.is_(None)
        )

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll; safe to call from any thread (handlers run in
        worker threads), and a no-op while the relay is not running."""
        loop = self._loop
        if loop is None:
            return
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; the batch in flight is finished (acks awaited, rows marked) first."""
        self._loop = asyncio.get_running_loop()
        reconnect = Backoff(initial=0.2, maximum=self._max_backoff)
        try:
            while not stop.is_set():
                lock = relay_lock_for(self._db.engine, self._lock_key)
                try:
                    if not await self._acquire(lock, stop):
                        return
                    reconnect.reset()  # the database answers again
                    try:
                        await self._relay(lock, stop)
                    finally:
                        await asyncio.to_thread(lock.release)
                except sa.exc.DBAPIError as exc:
                    # The database went away (restart, failover, network); the lock went with the session. Start
                    # over: rows not marked sent are simply published again and deduplicated by JetStream. Any
                    # other database error is a bug and propagates.
                    if not (isinstance(exc, sa.exc.OperationalError) or exc.connection_invalidated):
                        raise
                    log.warning("outbox relay: database unavailable, retrying: %s", exc)
                    await wait_for_any(stop, timeout=reconnect.next())
                except Unavailable as exc:
                    # The database stayed busy past the busy timeout (on SQLite: an outside writer holds the lock,
                    # or this process's own writers queued ahead of the relay). As above: start over, nothing lost.
                    # Letting it propagate would end the relay and, with it, the service's background work.
                    log.warning("outbox relay: database busy, retrying (%s)", exc.reason)
                    await wait_for_any(stop, timeout=reconnect.next())
        finally:
            self._loop = None

    async def _acquire(self, lock: RelayLock, stop: asyncio.Event) -> bool:
        while not stop.is_set():
            if await asyncio.to_thread(lock.try_acquire):
                return True
            # Another replica is relaying; stand by to take over if it goes away.
            await wait_for_any(stop, timeout=self._lock_retry_interval)
        return False

    async def _relay(self, lock: RelayLock, stop: asyncio.Event) -> None:
        """Publish batch after batch, one transaction per batch (see the module's docstring): a batch acknowledged
        in full is marked sent in the transaction (and thread hop) that reads the next one; a short one waits for
        the next read, up to ``mark_delay``. Stopping marks what is acknowledged first."""
        retry = Backoff(initial=0.1, maximum=self._max_backoff)
        # Cleared before every read, so a wake() that arrives while a batch is published is not lost.
        self._wake.clear()
        rows = await asyncio.to_thread(self._checked_fetch, lock)
        # Acknowledged by JetStream, not yet marked sent: they ride on the next read.
        unmarked: list[int] = []
        while not stop.is_set():
            if not rows:
                # Caught up as of that read: rows committed since then woke the relay (or the poll finds them).
                OUTBOX_BACKLOG.set(0)
                OUTBOX_OLDEST_AGE_SECONDS.set(0)
                timeout = self._mark_delay if unmarked else self._poll_interval
                await wait_for_any(stop, self._wake, timeout=timeout)
                if stop.is_set():
                    break
                self._wake.clear()
                rows = await asyncio.to_thread(self._mark_sent_and_fetch, lock, unmarked)
                unmarked = []
                continue
            acked = await self._publish(rows)
            for row in rows[:acked]:
                OUTBOX_PUBLISHED.labels(subject=row.subject).inc()
            sent = [row.id for row in rows[:acked]]
            if acked < len(rows):
                unmarked += sent
                if unmarked:
                    await asyncio.to_thread(self._mark_sent, unmarked)
                    unmarked = []
                await wait_for_any(stop, timeout=retry.next())
                self._wake.clear()
                rows = await asyncio.to_thread(self._checked_fetch, lock)
                continue
            retry.reset()
            if len(rows) < self._batch_size:
                # The outbox held no more than this a moment ago: wait for the next commit (or mark_delay) and mark
                # these with the read that follows it, instead of a read now that most likely finds nothing.
                unmarked += sent
                rows = []
                continue
            self._wake.clear()
            rows = await asyncio.to_thread(self._mark_sent_and_fetch, lock, unmarked + sent)
            unmarked = []
            if rows:
                await self._refresh_backlog_metrics()
        if unmarked:
            await asyncio.to_thread(self._mark_sent, unmarked)

    def _checked_fetch(self, lock: RelayLock) -> list[Any]:
        """The next batch of unsent rows, in id order, after checking the lock is still held (one thread hop)."""
        lock.check()
        with self._db.read() as session:
            return list(session.execute(self._unsent).all())

    def _mark_sent_and_fetch(self, lock: RelayLock, ids: list[int]) -> list[Any]:
        """Mark ``ids`` sent and read the next batch, in one write transaction (a read one when ``ids`` is empty).
        The lock is checked first: a relay that lost it (PostgreSQL) must not go on to publish what another replica
        now owns."""
        if not ids:
            return self._checked_fetch(lock)
        lock.check()
        with self._db.transaction() as session:
            session.execute(self._sent, {"ids": ids, "sent_at": datetime.now(UTC)})
            return list(session.execute(self._unsent).all())

    async def _publish(self, rows: Sequence[sa.Row[Any]]) -> int:
        """Publish ``rows`` pipelined, wait for their acks, and return the length of the acknowledged prefix."""
        futures: list[asyncio.Future[Any]] = []
        for row in rows:
            headers = {**(row.headers or {}), MSG_ID_HEADER: row.event_id}
            try:
                futures.append(await self._js.publish_async(row.subject, row.payload, headers=headers))
            except nats.errors.Error as exc:
                # E.g. the connection is closed. Later rows must not overtake this one, so stop the batch here.
                log.warning("outbox relay: publish of %s failed: %r", row.event_id, exc)
                break
        if futures:
            _done, pending = await asyncio.wait(futures, timeout=self._ack_timeout)
            for future in pending:
                # Cancelling frees the future's slot in nats-py's max-pending window; the row will be retried.
                future.cancel()
        outcomes = [_acked(future) for future in futures]
        acked = acked_prefix(outcomes)
        failed = len(rows) - acked
        if failed:
            OUTBOX_PUBLISH_ERRORS.inc(failed)
            if acked < len(futures):
                first = futures[acked]
                reason = "no ack within ack_timeout" if first.cancelled() else repr(first.exception())
            else:
                reason = "publish failed"
            log.warning(
                "outbox relay: %d of %d rows not acknowledged (%s); retrying", failed, len(rows), reason
            )
        duplicates = sum(1 for future in futures[:acked] if future.result().duplicate)
        if duplicates:
            log.info("outbox relay: JetStream dropped %d re-published duplicates", duplicates)
        return acked

    def _mark_sent(self, ids: list[int]) -> None:
        with self._db.transaction() as session:
            session.execute(self._sent, {"ids": ids, "sent_at": datetime.now(UTC)})

    async def _refresh_backlog_metrics(self) -> None:
        # Counting the backlog costs a scan of the unsent index, so while busy it is done once per interval (a relay
        # that has caught up sets it to 0 without counting).
        now = time.monotonic()
        if now < self._metrics_due:
            return
        self._metrics_due = now + self._metrics_interval
        count, oldest = await asyncio.to_thread(self._backlog)
        OUTBOX_BACKLOG.set(count)
        if oldest is None:
            OUTBOX_OLDEST_AGE_SECONDS.set(0)
            return
        if oldest.tzinfo is None:  # SQLite hands DateTime(timezone=True) back naive; we always store UTC.
            oldest = oldest.replace(tzinfo=UTC)
        OUTBOX_OLDEST_AGE_SECONDS.set(max(0.0, (datetime.now(UTC) - oldest).total_seconds()))

    def _backlog(self) -> tuple[int, datetime | None]:
        with self._db.read() as session:
            count, oldest = session.execute(self._backlog_query).one()
        return int(count), oldest
