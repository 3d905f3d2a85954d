"""Retention of the messaging tables: sent outbox rows and inbox records are deleted once nothing can need them.

Without it both tables grow by every event a service ever published or applied (a lead's path writes about a dozen
rows across the five services), on disk and in every index the hot path writes to.

- **outbox**: a row is needed until the relay has published it (``sent_at`` set); after that it is history, kept
  ``outbox_seconds`` (``LEADFLOW_OUTBOX_RETENTION_HOURS``, default 7 days) for an operator asking what was
  published when. Unsent rows are never deleted, however old: the relay publishes in id order, so only the sent
  prefix of the table (in id order) is pruned, and a stuck row stops pruning behind it (the relay's backlog and
  lag metrics report it).
- **inbox**: a record answers "was this event applied already?" for as long as JetStream can deliver the event
  again: a redelivery, or a consumer recreated to replay its stream, reaches back as far as the stream keeps
  messages (``config.STREAM_MAX_AGE_SECONDS``, 14 days). So records are kept ``inbox_seconds``
  (``LEADFLOW_INBOX_RETENTION_HOURS``, default 15 days), which settings refuse below the stream's age plus a day.
  One case stays open by design: a relay down for longer than that, with an event published but not yet marked
  sent, re-publishes it to consumers that have forgotten it (JetStream's duplicate window is 2 minutes).
- **dead letters** are not touched: each waits for an operator.

Work comes in chunks of ``chunk_rows`` rows, one write transaction each with a pause between, so the service's
own writes (and, on SQLite, every other writer of the file) never wait behind a long delete. Every replica may run
it: two deleting the same rows delete them once. Times are the services' wall clock (UTC), as ``sent_at`` and
``processed_at`` are written. Counted in ``leadflow_messaging_rows_pruned_total{table}``; a round that fails (the
database busy or away) is logged, counted in ``leadflow_messaging_retention_failures_total`` (alert
LeadflowRetentionFailing) and tried again at the next interval.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.config import MIN_INBOX_RETENTION_HOURS, RetentionSettings
from services.common.db import Database, rowcount
from services.common.messaging.tables import MessagingTables
from services.common.metrics import MESSAGING_RETENTION_FAILURES, MESSAGING_ROWS_PRUNED
from services.common.statements import PerTable

log = logging.getLogger(__name__)

HOUR = 3600.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_INBOX_SECONDS = MIN_INBOX_RETENTION_HOURS * HOUR  # the streams' message age plus a day (config)


@dataclass(frozen=True)
class RetentionConfig:
    """How long sent outbox rows and inbox records are kept (seconds), how often pruning runs (seconds), rows per
    delete transaction and the pause between two of them (seconds)."""

    outbox_seconds: float = 7 * 24 * HOUR
    inbox_seconds: float = 15 * 24 * HOUR
    interval_seconds: float = 600.0
    chunk_rows: int = 200
    chunk_pause_seconds: float = 0.05

    @classmethod
    def from_settings(cls, settings: RetentionSettings) -> RetentionConfig:
        return cls(
            outbox_seconds=settings.outbox_hours * HOUR,
            inbox_seconds=settings.inbox_hours * HOUR,
            interval_seconds=settings.interval_seconds,
        )

    def __post_init__(self) -> None:
        if self.outbox_seconds <= 0 or self.interval_seconds <= 0 or self.chunk_rows < 1:
            raise ValueError("retention needs outbox_seconds > 0, interval_seconds > 0 and chunk_rows >= 1")
        if self.inbox_seconds < MIN_INBOX_SECONDS:
            raise ValueError(
                f"inbox records must be kept at least {MIN_INBOX_SECONDS / HOUR:.0f} hours: the stream's"
                " max_age plus a day, or a replayed event could be applied twice"
            )


class _Statements:
    def __init__(self, tables: MessagingTables, dialect: str) -> None:
        outbox, inbox = tables.outbox, tables.inbox
        limit = sa.bindparam("limit", type_=sa.Integer())
        # The head of the outbox in id order after the last id a round deleted up to (the primary key: reads
        # ``limit`` rows, whatever the table's size, and not again the index entries of rows a round deleted, which
        # PostgreSQL keeps until a vacuum).
        self.outbox_head = (
            sa.select(outbox.c.id, outbox.c.sent_at)
            .where(outbox.c.id > sa.bindparam("after"))
            .order_by(outbox.c.id)
            .limit(limit)
        )
        # The guards repeat what the head showed: a row committed since (a lower id taken earlier) is left alone.
        self.outbox_delete = sa.delete(outbox).where(
            outbox.c.id > sa.bindparam("after"),
            outbox.c.id <= sa.bindparam("last"),
            outbox.c.sent_at.is_not(None),
            outbox.c.sent_at < sa.bindparam("cutoff"),
        )
        # After the last instant a round deleted up to, as for the outbox: not again through the entries it deleted.
        older = sa.and_(
            inbox.c.processed_at > sa.bindparam("after_time"), inbox.c.processed_at < sa.bindparam("cutoff")
        )
        # The chunk's newest processed_at (ix_inbox_processed_at): the ``limit``-th oldest record under the cutoff.
        self.inbox_bound = (
            sa.select(inbox.c.processed_at)
            .where(older)
            .order_by(inbox.c.processed_at)
            .limit(1)
            .offset(sa.bindparam("skip", type_=sa.Integer()))
        )
        # Not with the cutoff as well (the bound is below it): SQLite takes one of two upper bounds for the index range,
        # and with the cutoff's it read every record older than the cutoff to delete a chunk of them (11 ms instead
        # of 0.3 for 200 records of 100,000).
        self.inbox_delete_upto = sa.delete(inbox).where(
            inbox.c.processed_at > sa.bindparam("after_time"), inbox.c.processed_at <= sa.bindparam("bound")
        )
        self.inbox_delete_all = sa.delete(inbox).where(older)


_STATEMENTS: PerTable[MessagingTables, _Statements] = PerTable(_Statements)


@dataclass
class Progress:
    """Where a round of one table is: rows deleted so far, whether more may be left, and (outbox) the id it
    deleted up to, which the next chunk starts after."""

    deleted: int = 0
    more: bool = True
    after: int = 0
    after_time: datetime = EPOCH


def prune_outbox_chunk(
    session: Connection, tables: MessagingTables, cutoff: datetime, limit: int, progress: Progress
) -> None:
    """Delete the sent rows at the head of the outbox (id order, after ``progress.after``) sent before ``cutoff``,
    at most ``limit``; ``progress`` is updated."""
    q = _STATEMENTS.of(tables, session)
    head = session.execute(q.outbox_head, {"after": progress.after, "limit": limit}).all()
    last = None
    for row_id, sent_at in head:
        if sent_at is None or _utc(sent_at) >= cutoff:
            break
        last = row_id
    if last is None:
        progress.more = False
        return
    deleting = {"after": progress.after, "last": last, "cutoff": cutoff}
    progress.deleted += rowcount(session.execute(q.outbox_delete, deleting))
    progress.more = last == head[-1][0] and len(head) == limit
    progress.after = last


def prune_inbox_chunk(
    session: Connection, tables: MessagingTables, cutoff: datetime, limit: int, progress: Progress
) -> None:
    """Delete about ``limit`` of the oldest inbox records processed before ``cutoff`` (ties on the last instant go
    too); ``progress`` is updated."""
    q = _STATEMENTS.of(tables, session)
    window = {"after_time": progress.after_time, "cutoff": cutoff}
    bound = session.execute(q.inbox_bound, {**window, "skip": limit - 1}).scalar()
    if bound is None:
        progress.deleted += rowcount(session.execute(q.inbox_delete_all, window))
        progress.more = False
        return
    deleting = {"after_time": progress.after_time, "bound": bound}
    progress.deleted += rowcount(session.execute(q.inbox_delete_upto, deleting))
    progress.after_time = _utc(bound)  # every record at that instant went too


def _utc(value: datetime) -> datetime:
    # SQLite hands DateTime(timezone=True) back naive; we always store UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Chunk = Callable[[Connection, MessagingTables, datetime, int, Progress], None]


class MessagingRetention:
    """Prunes one service's outbox and inbox every ``config.interval_seconds`` (see the module docstring)."""

    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        config: RetentionConfig,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = database
        self._tables = tables
        self._config = config
        self._now = now

    async def run(self, stop: asyncio.Event) -> None:
        """Prune every interval until ``stop`` is set; a failed round (database busy or down) is logged and the
        next one tries again."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self._config.interval_seconds)
                return
            except TimeoutError:
                pass
            try:
                await self.prune_once(stop)
            except Exception:  # a round is retried at the next interval; the service goes on serving
                MESSAGING_RETENTION_FAILURES.inc()  # LeadflowRetentionFailing
                log.warning("pruning the messaging tables failed; retrying next interval", exc_info=True)

    async def prune_once(self, stop: asyncio.Event | None = None) -> dict[str, int]:
        """One round: every sent outbox row and inbox record past its retention, chunk by chunk. Returns the rows
        deleted per table."""
        now = self._now()
        rounds: tuple[tuple[str, Chunk, datetime], ...] = (
            ("outbox", prune_outbox_chunk, now - timedelta(seconds=self._config.outbox_seconds)),
            ("inbox", prune_inbox_chunk, now - timedelta(seconds=self._config.inbox_seconds)),
        )
        deleted = {name: 0 for name, _, _ in rounds}
        for name, chunk, cutoff in rounds:
            progress = Progress()
            while progress.more and not (stop is not None and stop.is_set()):
                before = progress.deleted
                await self._in_write_thread(chunk, cutoff, progress)
                MESSAGING_ROWS_PRUNED.labels(table=name).inc(progress.deleted - before)
                if progress.more:
                    await asyncio.sleep(self._config.chunk_pause_seconds)
            deleted[name] = progress.deleted
        if any(deleted.values()):
            log.info("pruned the messaging tables", extra={"rows_deleted": deleted})
        return deleted

    async def _in_write_thread(self, chunk: Chunk, cutoff: datetime, progress: Progress) -> None:
        # On a copy: a transaction that fails (or is retried) leaves ``progress`` as the last commit left it.
        attempt = dataclasses.replace(progress)

        def work() -> None:
            with self._db.transaction() as session:
                chunk(session, self._tables, cutoff, self._config.chunk_rows, attempt)

        await asyncio.get_running_loop().run_in_executor(self._db.write_executor, work)
        progress.deleted, progress.more = attempt.deleted, attempt.more
        progress.after, progress.after_time = attempt.after, attempt.after_time
