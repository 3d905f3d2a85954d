"""The shared event runtime: transactional outbox, relay to JetStream, and inbox-deduplicating consumers."""

from services.common.messaging.consumer import Delivery, EventConsumer, Handler, redelivery_delay
from services.common.messaging.inbox import claim_inbox
from services.common.messaging.outbox import record_event
from services.common.messaging.relay import MSG_ID_HEADER, OutboxRelay, acked_prefix
from services.common.messaging.streams import StreamSpec, ensure_stream
from services.common.messaging.tables import (
    MessagingTables,
    add_inbox_retention_index,
    create_messaging_tables,
    drop_inbox_retention_index,
    drop_messaging_tables,
    messaging_tables,
)

__all__ = [
    "MSG_ID_HEADER",
    "Delivery",
    "EventConsumer",
    "Handler",
    "MessagingTables",
    "OutboxRelay",
    "StreamSpec",
    "acked_prefix",
    "add_inbox_retention_index",
    "claim_inbox",
    "create_messaging_tables",
    "drop_inbox_retention_index",
    "drop_messaging_tables",
    "ensure_stream",
    "messaging_tables",
    "record_event",
    "redelivery_delay",
]
