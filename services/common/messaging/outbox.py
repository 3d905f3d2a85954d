"""Writing events to the outbox, inside the transaction that makes the state change they report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy import Connection

from services.common import tracecontext
from services.common.messaging.tables import MessagingTables
from services.common.statements import PerTable


@dataclass(frozen=True)
class OutboxMessage:
    """One event as the bus carries it: its subject, protobuf payload, the aggregate it is about, and its id;
    ``headers``: NATS headers of its own beside the traceparent and ``Nats-Msg-Id`` (none for most events)."""

    subject: str
    message: Message
    aggregate_id: str
    event_id: str
    headers: Mapping[str, str] = field(default_factory=dict)


# A service's converter from its domain events to bus messages (``converters/events.py``), wired in bootstrap.
EventEncoder = Callable[[object], OutboxMessage]


# One INSERT per outbox table, built once; executed with one dict per event (a list of them: executemany).
_INSERT: PerTable[sa.Table, sa.Insert] = PerTable(lambda table, _dialect: sa.insert(table))


def outbox_row(
    *,
    subject: str,
    message: Message,
    aggregate_id: str,
    event_id: str,
    traceparent: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The outbox row of one event, as the values of the outbox INSERT; ``headers`` are published with it."""
    stored = {"traceparent": traceparent} if traceparent else {}
    if headers:
        stored.update(headers)
    return {
        "event_id": event_id,
        "subject": subject,
        "aggregate_id": aggregate_id,
        "payload": message.SerializeToString(deterministic=True),
        "headers": stored,
        # Wall clock on purpose (not the injectable domain clock): it only feeds the relay-lag metric.
        "created_at": datetime.now(UTC),
        "sent_at": None,
    }


def record_event(
    session: Connection,
    tables: MessagingTables,
    *,
    subject: str,
    message: Message,
    aggregate_id: str,
    event_id: str,
    traceparent: str | None = None,
) -> None:
    """Insert one outbox row; it becomes visible to the relay only when the caller's transaction commits.

    ``event_id`` becomes the ``Nats-Msg-Id`` header, which is how JetStream drops a re-publish after a relay crash
    and how consumers recognise a redelivery, so it must be the event's own id (the one inside the payload).
    """
    row = outbox_row(
        subject=subject,
        message=message,
        aggregate_id=aggregate_id,
        event_id=event_id,
        traceparent=traceparent,
    )
    session.execute(_INSERT.of(tables.outbox, session), row)


class OutboxWriter:
    """The ``uow.events`` of a SQL unit of work: each domain event added is encoded and written to the outbox in
    the unit's transaction, with the traceparent of the work that caused it.

    ``deferred``: rows are kept until ``flush()``, which writes them all with one executemany (the owner of the
    transaction calls it before commit: ``SqlTransactions.write_now``, or ``Database.transaction`` for the writer a
    consumer batch or a timer round shares, see ``SqlTransactions.bind``); otherwise each is inserted when added.
    A deferred writer is a savepoint participant (``txhooks``): ``mark()`` / ``rewind()`` drop the rows added
    during a savepoint that rolled back, as the database drops the rows inserted in it.

    ``count``: events added so far and not rewound (flushed or not)."""

    def __init__(
        self, session: Connection, tables: MessagingTables, encode: EventEncoder, *, deferred: bool = False
    ) -> None:
        self._session = session
        self._tables = tables
        self._encode = encode
        self._deferred = deferred
        self._pending: list[dict[str, Any]] = []
        self.count = 0

    def add(self, event: object) -> None:
        out = self._encode(event)
        row = outbox_row(
            subject=out.subject,
            message=out.message,
            aggregate_id=out.aggregate_id,
            event_id=out.event_id,
            traceparent=tracecontext.current(),
            headers=out.headers,
        )
        self._pending.append(row)
        self.count += 1
        if not self._deferred:
            self.flush()

    def mark(self) -> tuple[int, int]:
        """Where the writer stands: (rows pending, events counted)."""
        return len(self._pending), self.count

    def rewind(self, mark: tuple[int, int]) -> None:
        """Forget the events added since ``mark``. Rows already written are the database's to roll back: a
        savepoint that began before a flush cannot be rewound past it."""
        pending, count = mark
        if pending > len(self._pending):
            raise RuntimeError("the outbox was flushed inside a savepoint that is being rolled back")
        del self._pending[pending:]
        self.count = count

    def flush(self) -> None:
        """Write the rows added since the last flush (one statement, whatever their number)."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        self._session.execute(_INSERT.of(self._tables.outbox, self._session), rows)


def no_events(event: object) -> OutboxMessage:
    """The encoder of a service that records no events yet: recording one is a bug."""
    raise TypeError(f"this service records no events, got {type(event).__name__}")
