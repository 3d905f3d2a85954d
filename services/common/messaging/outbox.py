"""Writing an event to the outbox, inside the transaction that makes the state change it reports."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.common.messaging.tables import MessagingTables


def record_event(
    session: Session,
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
    headers = {"traceparent": traceparent} if traceparent else {}
    session.execute(
        sa.insert(tables.outbox).values(
            event_id=event_id,
            subject=subject,
            aggregate_id=aggregate_id,
            payload=message.SerializeToString(deterministic=True),
            headers=headers,
            # Wall clock on purpose (not the injectable domain clock): it only feeds the relay-lag metric.
            created_at=datetime.now(UTC),
        )
    )
