"""The consumer side's records: which events a consumer applied (inbox), and which it gave up on (dead letters).

"Already applied?" is answered by the database, not by a read: the inbox insert either claims the event for this
transaction or conflicts, so two replicas handling the same event can't both apply it.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.messaging.tables import ERROR_TEXT_LIMIT, MessagingTables
from services.common.statements import PerTable


class _Statements:
    def __init__(self, tables: MessagingTables, dialect: str) -> None:
        inbox = tables.inbox
        self.claim = (
            dialect_insert(dialect)(inbox)
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            # SQLAlchemy only keeps an INSERT's rowcount when asked (psycopg's would read -1 otherwise).
            .execution_options(preserve_rowcount=True)
        )
        self.claim_many = (
            dialect_insert(dialect)(inbox)
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            .returning(inbox.c.event_id)
        )
        self.applied = sa.select(inbox.c.event_id).where(
            inbox.c.consumer == sa.bindparam("consumer"),
            inbox.c.event_id.in_(sa.bindparam("event_ids", expanding=True)),
        )
        self.dead_letter = sa.insert(tables.dead_letters)


_STATEMENTS: PerTable[MessagingTables, _Statements] = PerTable(_Statements)


def claim_inbox(session: Connection, tables: MessagingTables, consumer: str, event_id: str) -> bool:
    """Insert (consumer, event_id) into the inbox; False when it was already there (the event was applied)."""
    statement = _STATEMENTS.of(tables, session).claim
    row = {"consumer": consumer, "event_id": event_id, "processed_at": datetime.now(UTC)}
    return rowcount(session.execute(statement, row)) == 1


def claim_inbox_many(
    session: Connection, tables: MessagingTables, consumer: str, event_ids: Iterable[str]
) -> set[str]:
    """Insert (consumer, event_id) for each of ``event_ids`` in one statement; the ids this transaction claimed
    (an id missing from the answer was already in the inbox: its event was applied)."""
    wanted = sorted(set(event_ids))
    if not wanted:
        return set()
    now = datetime.now(UTC)
    rows = [{"consumer": consumer, "event_id": event_id, "processed_at": now} for event_id in wanted]
    return set(session.execute(_STATEMENTS.of(tables, session).claim_many, rows).scalars())


def applied_events(
    session: Connection, tables: MessagingTables, consumer: str, event_ids: Iterable[str]
) -> set[str]:
    """Which of ``event_ids`` the consumer applied already: one SELECT for a whole fetched batch. A hint only (the
    claim decides): an event found here is a duplicate for sure, one not found is claimed as usual."""
    wanted = sorted(set(event_ids))
    if not wanted:
        return set()
    statement = _STATEMENTS.of(tables, session).applied
    return set(session.execute(statement, {"consumer": consumer, "event_ids": wanted}).scalars())


def insert_dead_letter(
    session: Connection,
    tables: MessagingTables,
    *,
    consumer: str,
    subject: str,
    event_id: str | None,
    stream_sequence: int,
    payload: bytes,
    headers: Mapping[str, str],
    error: str,
    attempts: int,
) -> None:
    session.execute(
        _STATEMENTS.of(tables, session).dead_letter,
        {
            "consumer": consumer,
            "subject": subject,
            "event_id": event_id,
            "stream_sequence": stream_sequence,
            "payload": payload,
            "headers": dict(headers),
            "error": truncate_error(error),
            "attempts": attempts,
            "created_at": datetime.now(UTC),
        },
    )


def describe_error(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def truncate_error(text: str, limit: int = ERROR_TEXT_LIMIT) -> str:
    """Keep the end: a formatted traceback ends with the exception type and message, the part worth keeping."""
    if len(text) <= limit:
        return text
    return "..." + text[-(limit - 3) :]
