"""Helpers shared by the messaging tests: schema setup, polling, and reading a whole stream back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import sqlalchemy as sa
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from services.common.db import Database
from services.common.messaging import MessagingTables, messaging_tables


def setup_schema(database: Database, extra: Callable[[sa.MetaData], object] | None = None) -> MessagingTables:
    metadata = sa.MetaData()
    tables = messaging_tables(metadata)
    if extra is not None:
        extra(metadata)
    metadata.create_all(database.engine)
    return tables


def unsent_count(database: Database, tables: MessagingTables) -> int:
    o = tables.outbox
    with database.read() as session:
        return int(session.execute(sa.select(sa.func.count()).where(o.c.sent_at.is_(None))).scalar_one())


async def eventually(
    condition: Callable[[], bool], *, timeout: float, interval: float = 0.05, what: str
) -> None:
    """Poll ``condition`` (sync, may touch the database) until it holds; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for: {what}")
        await asyncio.sleep(interval)


async def read_stream(js: JetStreamContext, stream: str, subject_filter: str) -> list:
    """Every message currently in ``stream`` on ``subject_filter``, in stream order (an ephemeral consumer that
    acks nothing)."""
    sub = await js.pull_subscribe(
        subject_filter,
        stream=stream,
        config=ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=30
        ),
    )
    messages: list = []
    try:
        total = (
            await sub.consumer_info()
        ).num_pending  # the stream's messages on the filter, not all of them
        while len(messages) < total:
            messages.extend(await sub.fetch(min(500, total - len(messages)), timeout=5))
    finally:
        await sub.unsubscribe()
    return messages
