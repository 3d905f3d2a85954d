"""Consumers: a redelivered event changes state once; a poison event is dead-lettered after max_deliver attempts."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import nats
import pytest
import sqlalchemy as sa
from google.protobuf import struct_pb2
from prometheus_client import REGISTRY
from sqlalchemy import Connection

from services.common.db import Database
from services.common.ids import new_id
from services.common.messaging import MSG_ID_HEADER, Delivery, EventConsumer, StreamSpec, ensure_stream

from ..helpers import eventually, setup_schema

pytestmark = pytest.mark.timeout(60)

SUBJECT = "leadflow.inboxtest.v1.counted"
STREAM = StreamSpec("LEADFLOW_INBOXTEST", (SUBJECT,))


def counters_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "counters",
        metadata,
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


class CounterUnitOfWork:
    """The unit of work this test's consumer handler gets: the counters table on the inbox transaction."""

    def __init__(self, session: Connection) -> None:
        self.session = session


class Fixture:
    """A database with the messaging tables plus a counter per event: the state the handler changes."""

    def __init__(self, database_url: str) -> None:
        self.database = Database(database_url)
        holder: dict[str, sa.Table] = {}
        self.tables = setup_schema(
            self.database, lambda md: holder.setdefault("counters", counters_table(md))
        )
        self.counters = holder["counters"]
        self.attempts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def handler(self, uow: CounterUnitOfWork, delivery: Delivery) -> None:
        session = uow.session
        body = struct_pb2.Struct()
        body.ParseFromString(delivery.data)
        key = body["key"]
        with self._lock:
            self.attempts[key] += 1
        c = self.counters
        updated = session.execute(sa.update(c).where(c.c.key == key).values(value=c.c.value + 1)).rowcount
        if not updated:
            session.execute(sa.insert(c).values(key=key, value=1))
        if body["poison"]:
            # After the state change, so the test also shows that a failed attempt leaves nothing behind.
            raise ValueError(f"poison event refused: {key}")

    def counter_values(self) -> dict[str, int]:
        with self.database.read() as session:
            return {row.key: row.value for row in session.execute(sa.select(self.counters))}

    def count(self, table: sa.Table) -> int:
        with self.database.read() as session:
            return int(session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def metric(name: str, consumer: str) -> float:
    return REGISTRY.get_sample_value(name, {"consumer": consumer}) or 0.0


async def publish(
    js,
    key: str,
    *,
    poison: bool = False,
    event_id: str | None = None,
    subject: str = SUBJECT,
    **fields: object,
) -> str:
    """An event for ``key`` on ``subject``; ``fields`` go into its body beside key and poison."""
    event_id = event_id or new_id()
    body = struct_pb2.Struct()
    body.update({"key": key, "poison": poison, **fields})
    await js.publish(subject, body.SerializeToString(), headers={MSG_ID_HEADER: event_id})
    return event_id


async def publish_around_a_poison(js, keys: list[str], poison: str) -> None:
    """The first half of ``keys``, then the poison event ``poison``, then the rest: a batch with a failure inside."""
    middle = len(keys) // 2
    for key in keys[:middle]:
        await publish(js, key)
    await publish(js, poison, poison=True)
    for key in keys[middle:]:
        await publish(js, key)


@pytest.fixture
async def js(nats_server):
    nc = await nats.connect(nats_server.url)
    context = nc.jetstream()
    await ensure_stream(context, STREAM)
    yield context
    await nc.close()


class Running:
    def __init__(self, consumer: EventConsumer) -> None:
        self.consumer = consumer
        self.stop = asyncio.Event()

    async def __aenter__(self) -> EventConsumer:
        self.task = asyncio.create_task(self.consumer.run(self.stop))
        return self.consumer

    async def __aexit__(self, *exc_info) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=15)


def consumer_for(fx: Fixture, js, name: str, **options) -> EventConsumer:
    return EventConsumer(
        fx.database, fx.tables, js, name=name, stream=STREAM.name, subjects=[SUBJECT], handler=fx.handler,
        bind=CounterUnitOfWork,
        fetch_timeout=0.2, **options,
    )  # fmt: skip


async def test_each_event_changes_state_once_across_three_deliveries(database_url, js):
    fx = Fixture(database_url)
    name = f"inbox_{new_id().lower()}"
    keys = [f"k{n:03d}" for n in range(40)]
    for key in keys:
        await publish(js, key)
    processed0 = metric("leadflow_consumer_processed_total", name)
    duplicates0 = metric("leadflow_consumer_duplicates_total", name)

    # Three full deliveries of the stream: the durable consumer is deleted and created again from the start,
    # exactly what a replay (or a lost consumer) does in production.
    for round_ in range(1, 4):
        async with Running(consumer_for(fx, js, name)):
            await eventually(
                lambda r=round_: (
                    metric("leadflow_consumer_processed_total", name)
                    + metric("leadflow_consumer_duplicates_total", name)
                    - processed0
                    - duplicates0
                    >= r * len(keys)
                ),
                timeout=60,
                what=f"delivery round {round_}",
            )
        await js.delete_consumer(STREAM.name, name)

    assert sum(fx.attempts.values()) == len(keys), "a recognised duplicate must not even reach the handler"
    assert fx.counter_values() == dict.fromkeys(keys, 1)
    assert fx.count(fx.tables.inbox) == len(keys)
    assert metric("leadflow_consumer_processed_total", name) - processed0 == len(keys)
    assert metric("leadflow_consumer_duplicates_total", name) - duplicates0 == 2 * len(keys)
    fx.database.dispose()


async def test_poison_event_is_dead_lettered_after_max_deliver_attempts(database_url, js):
    fx = Fixture(database_url)
    name = f"poison_{new_id().lower()}"
    good = [f"g{n:02d}" for n in range(20)]
    for key in good[:10]:
        await publish(js, key)
    poison_id = await publish(js, "bad", poison=True)
    for key in good[10:]:
        await publish(js, key)
    dead0 = metric("leadflow_dead_letters_total", name)
    failures0 = metric("leadflow_consumer_failures_total", name)
    redeliveries0 = metric("leadflow_consumer_redeliveries_total", name)

    consumer = consumer_for(fx, js, name, max_deliver=3, backoff=[0.05, 0.1], stats_interval=0.1)
    async with Running(consumer):
        await eventually(
            lambda: metric("leadflow_dead_letters_total", name) - dead0 >= 1, timeout=15, what="dead letter"
        )
        await eventually(
            lambda: len(fx.counter_values()) == len(good), timeout=15, what="good events applied"
        )
        await asyncio.sleep(0.5)  # room for an (unwanted) fourth attempt and for the lag gauges to refresh

    assert fx.attempts["bad"] == 3
    assert metric("leadflow_dead_letters_total", name) - dead0 == 1
    assert metric("leadflow_consumer_failures_total", name) - failures0 == 2
    assert metric("leadflow_consumer_redeliveries_total", name) - redeliveries0 == 2
    assert metric("leadflow_consumer_pending_messages", name) == 0
    assert metric("leadflow_consumer_ack_pending_messages", name) == 0
    assert fx.counter_values() == dict.fromkeys(good, 1), "the poison event's failed attempts must roll back"

    with fx.database.read() as session:
        dead = session.execute(sa.select(fx.tables.dead_letters)).one()
        inbox = set(session.execute(sa.select(fx.tables.inbox.c.event_id)).scalars())
    assert dead.consumer == name
    assert dead.event_id == poison_id
    assert dead.subject == SUBJECT
    assert dead.attempts == 3
    assert dead.stream_sequence == 11
    assert "ValueError: poison event refused: bad" in dead.error
    assert struct_pb2.Struct.FromString(dead.payload)["key"] == "bad"
    assert dead.headers[MSG_ID_HEADER] == poison_id
    assert poison_id in inbox, "a later redelivery of the poison event must count as a duplicate"
    info = await js.consumer_info(STREAM.name, name)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    fx.database.dispose()


async def test_message_without_event_id_is_dead_lettered_not_dropped(database_url, js):
    fx = Fixture(database_url)
    name = f"noid_{new_id().lower()}"
    body = struct_pb2.Struct()
    body.update({"key": "anonymous", "poison": False})
    await js.publish(SUBJECT, body.SerializeToString())
    await publish(js, "named")
    async with Running(consumer_for(fx, js, name)):
        await eventually(lambda: fx.count(fx.tables.dead_letters) == 1, timeout=10, what="dead letter")
        await eventually(lambda: fx.counter_values() == {"named": 1}, timeout=10, what="named event applied")
    with fx.database.read() as session:
        dead = session.execute(sa.select(fx.tables.dead_letters)).one()
    assert dead.event_id is None
    assert MSG_ID_HEADER in dead.error
    fx.database.dispose()


async def test_consumer_waits_for_a_stream_created_later(database_url, nats_server):
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    fx = Fixture(database_url)
    try:
        async with Running(consumer_for(fx, js, "late_stream")):
            await asyncio.sleep(0.7)  # the consumer is retrying: its producer has not created the stream yet
            await ensure_stream(js, STREAM)
            await publish(js, "first")
            await eventually(lambda: fx.counter_values() == {"first": 1}, timeout=10, what="event applied")
    finally:
        await nc.close()
        fx.database.dispose()
