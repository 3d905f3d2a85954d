"""The relay in-process: headers, marking sent, re-publish deduplication, wake-ups, NATS outages, one leader."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import nats
import pytest
import sqlalchemy as sa
from google.protobuf import wrappers_pb2
from prometheus_client import REGISTRY

from services.common.db import Database
from services.common.ids import new_id
from services.common.messaging import MSG_ID_HEADER, OutboxRelay, StreamSpec, ensure_stream, record_event
from services.common.messaging.relay_lock import PostgresRelayLock
from tests.harness import outside_sqlite_writer

from ..helpers import eventually, read_stream, setup_schema, unsent_count

pytestmark = pytest.mark.timeout(60)

SUBJECT = "leadflow.relaytest.v1.happened"
STREAM = StreamSpec("LEADFLOW_RELAYTEST", (SUBJECT,))


def write(database: Database, tables, count: int, *, aggregate: str = "agg-1", start: int = 0) -> list[str]:
    event_ids = []
    with database.transaction() as session:
        for n in range(start, start + count):
            event_id = new_id()
            record_event(
                session,
                tables,
                subject=SUBJECT,
                message=wrappers_pb2.Int64Value(value=n),
                aggregate_id=aggregate,
                event_id=event_id,
                traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            )
            event_ids.append(event_id)
    return event_ids


def published(subject: str) -> float:
    return REGISTRY.get_sample_value("leadflow_outbox_published_total", {"subject": subject}) or 0.0


def values(messages) -> list[int]:
    return [wrappers_pb2.Int64Value.FromString(m.data).value for m in messages]


class Running:
    """A relay task with its stop event, stopped (and its errors raised) on exit."""

    def __init__(self, relay: OutboxRelay) -> None:
        self.relay = relay
        self.stop = asyncio.Event()

    async def __aenter__(self) -> OutboxRelay:
        self.task = asyncio.create_task(self.relay.run(self.stop))
        return self.relay

    async def __aexit__(self, *exc_info) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=15)


@pytest.fixture
async def js(nats_server):
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    context = nc.jetstream()
    await ensure_stream(context, STREAM)
    yield context
    await nc.close()


async def test_publishes_with_headers_marks_sent_and_counts(database_url, js):
    database = Database(database_url)
    tables = setup_schema(database)
    before = published(SUBJECT)
    event_ids = write(database, tables, 300)  # more than one batch
    async with Running(OutboxRelay(database, tables, js, batch_size=128, poll_interval=0.05)):
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=10, what="outbox drained")
    messages = await read_stream(js, STREAM.name, SUBJECT)
    assert [m.headers[MSG_ID_HEADER] for m in messages] == event_ids
    assert values(messages) == list(range(300))
    assert all(m.headers["traceparent"].startswith("00-4bf92f35") for m in messages)
    assert published(SUBJECT) - before == 300
    assert REGISTRY.get_sample_value("leadflow_outbox_backlog") == 0
    with database.read() as session:
        rows = session.execute(sa.select(tables.outbox.c.sent_at)).all()
    assert all(row.sent_at is not None for row in rows)
    database.dispose()


def transactions_begun() -> float:
    return REGISTRY.get_sample_value("leadflow_db_transactions_total") or 0.0


async def test_a_backlog_costs_one_transaction_per_batch(database_url, js):
    """Each acknowledged batch is marked sent in the transaction that reads the next: a backlog of n batches costs
    n + 1 transactions (the first read, then mark-and-read per batch, the last finding nothing), not a read and a
    write per batch (22 here before)."""
    database = Database(database_url)
    tables = setup_schema(database)
    for start in range(0, 95, 19):
        write(database, tables, 19, start=start)  # 95 rows in five transactions of their own
    before = transactions_begun()
    relay = OutboxRelay(database, tables, js, batch_size=10, poll_interval=30, metrics_interval=60)
    async with Running(relay):
        # Watched on the stream, not in the database, so that every transaction counted is the relay's.
        deadline = asyncio.get_running_loop().time() + 10
        while (await js.stream_info(STREAM.name)).state.messages < 95:
            assert asyncio.get_running_loop().time() < deadline, "the relay did not publish the backlog"
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # the last batch's mark-and-read, which finds nothing and waits for a wake
        relayed = transactions_begun() - before
    # 95 rows in batches of 10, the first read, and one count of the backlog (at most one per metrics interval); on
    # PostgreSQL the relay lock's own session too (autocommit: its begin is counted once)
    assert relayed == 10 + 1 + 1 + (database.dialect == "postgresql")
    assert unsent_count(database, tables) == 0
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == list(range(95))
    assert REGISTRY.get_sample_value("leadflow_outbox_backlog") == 0
    database.dispose()


async def stream_count(js) -> int:
    return (await js.stream_info(STREAM.name)).state.messages


async def until_stream_holds(js, count: int) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while await stream_count(js) < count:
        assert asyncio.get_running_loop().time() < deadline, f"the relay did not publish {count} rows"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("commits", [4, 9])
async def test_a_trickle_of_commits_costs_one_relay_transaction_each(database_url, js, commits):
    """Commits one at a time, each waking the relay once the previous one is on the stream (a group commit every
    few milliseconds): the short batch of each is marked sent in the read the next wake starts, so the relay runs one
    transaction per commit (plus its first read and the last mark), where it ran a read and a write for each."""
    database = Database(database_url)
    tables = setup_schema(database)
    relay = OutboxRelay(database, tables, js, poll_interval=30, metrics_interval=60, mark_delay=30)
    async with Running(relay):
        await asyncio.sleep(0.3)  # the first read has found the outbox empty
        before = transactions_begun()
        for n in range(commits):
            write(database, tables, 1, start=n)
            relay.wake()
            await until_stream_holds(js, n + 1)
        relayed = transactions_begun() - before - commits  # the test's own writes are counted too
        # Every row is on the stream; the last one waits, acknowledged, for the next read (mark_delay here 30 s).
        assert unsent_count(database, tables) == 1
    assert relayed == commits
    # Stopping marks what JetStream acknowledged.
    assert unsent_count(database, tables) == 0
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == list(range(commits))
    database.dispose()


async def test_a_short_batch_is_marked_sent_after_mark_delay_without_another_commit(database_url, js):
    database = Database(database_url)
    tables = setup_schema(database)
    async with Running(OutboxRelay(database, tables, js, poll_interval=30, mark_delay=0.05)) as relay:
        await asyncio.sleep(0.3)
        write(database, tables, 3)
        relay.wake()
        await eventually(
            lambda: unsent_count(database, tables) == 0, timeout=5, what="marked after mark_delay"
        )
        assert await stream_count(js) == 3
    database.dispose()


def test_a_negative_mark_delay_is_refused(database_url):
    database = Database(database_url)
    with pytest.raises(ValueError, match="mark_delay"):
        OutboxRelay(database, setup_schema(database), None, mark_delay=-1)  # type: ignore[arg-type]
    database.dispose()


async def test_republish_after_crash_between_ack_and_mark_is_deduplicated(database_url, js):
    """The state a crash leaves behind after JetStream acked a batch but before the rows were marked sent."""
    database = Database(database_url)
    tables = setup_schema(database)
    write(database, tables, 50)
    async with Running(OutboxRelay(database, tables, js, poll_interval=0.05)):
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=10, what="outbox drained")
    with database.transaction() as session:
        session.execute(sa.update(tables.outbox).values(sent_at=None))
    write(database, tables, 10, start=50)
    async with Running(OutboxRelay(database, tables, js, poll_interval=0.05)):
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=10, what="outbox drained again")
    messages = await read_stream(js, STREAM.name, SUBJECT)
    assert values(messages) == list(range(60))
    database.dispose()


async def test_wake_publishes_without_waiting_for_the_poll(database_url, js):
    database = Database(database_url)
    tables = setup_schema(database)
    async with Running(OutboxRelay(database, tables, js, poll_interval=30)) as relay:
        await asyncio.sleep(0.3)  # the relay has found the outbox empty and is waiting out its poll interval
        write(database, tables, 1)
        relay.wake()
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=3, what="woken relay")

        def handler_thread() -> None:  # how a gRPC handler calls it: from a worker thread, after its commit
            write(database, tables, 1, start=1)
            relay.wake()

        thread = threading.Thread(target=handler_thread)
        thread.start()
        thread.join()
        await eventually(
            lambda: unsent_count(database, tables) == 0, timeout=3, what="relay woken from a thread"
        )
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == [0, 1]
    database.dispose()


async def test_nats_outage_is_retried_without_loss_or_duplicates(database_url, nats_server, js):
    database = Database(database_url)
    tables = setup_schema(database)
    errors_before = REGISTRY.get_sample_value("leadflow_outbox_publish_errors_total") or 0.0
    relay = OutboxRelay(database, tables, js, poll_interval=0.05, ack_timeout=0.5, max_backoff=0.5)
    async with Running(relay):
        write(database, tables, 100)
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=10, what="first events sent")
        nats_server.stop()
        write(database, tables, 100, start=100)
        await asyncio.sleep(1.5)  # several failed attempts while the server is down
        assert unsent_count(database, tables) == 100, "nothing may be marked sent without an ack"
        nats_server.start()
        await eventually(
            lambda: unsent_count(database, tables) == 0, timeout=20, what="sent after the outage"
        )
    assert (REGISTRY.get_sample_value("leadflow_outbox_publish_errors_total") or 0.0) > errors_before
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == list(range(200))
    database.dispose()


@pytest.mark.postgres
async def test_only_one_replica_relays_on_postgres(postgres_url, js):
    database = Database(postgres_url)
    tables = setup_schema(database)
    first, second = PostgresRelayLock(database.engine), PostgresRelayLock(database.engine)
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()

    # Two replicas running side by side: one relays, the other stands by; the stream stays in order.
    replicas = [
        OutboxRelay(database, tables, js, poll_interval=0.02, lock_retry_interval=0.05) for _ in range(2)
    ]
    async with Running(replicas[0]), Running(replicas[1]):
        for n in range(0, 200, 20):
            write(database, tables, 20, start=n)
            await asyncio.sleep(0.01)
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=10, what="outbox drained")
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == list(range(200))
    database.dispose()


@pytest.mark.postgres
async def test_relay_recovers_when_its_database_session_is_killed(postgres_url, js):
    database = Database(postgres_url)
    tables = setup_schema(database)
    async with Running(OutboxRelay(database, tables, js, poll_interval=0.02)):
        write(database, tables, 50)
        await eventually(lambda: unsent_count(database, tables) == 0, timeout=10, what="first events sent")
        # What a failover or an admin does to the session holding the relay lock.
        with database.engine.connect() as conn:
            killed = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalars()
            assert list(killed) == [True]
        write(database, tables, 50, start=50)
        await eventually(
            lambda: unsent_count(database, tables) == 0, timeout=10, what="sent after reconnecting"
        )
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == list(range(100))
    database.dispose()


@contextmanager
def _writer_queue_held(database: Database) -> Iterator[None]:
    """This process's own writer holding the SQLite write turn (a long write transaction on another thread)."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with database.transaction() as session:
            session.execute(sa.text("SELECT 1"))
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


@pytest.mark.parametrize("holder", ["writer queue", "file lock"])
async def test_a_database_busy_past_the_busy_timeout_is_waited_out_not_fatal(tmp_path, js, holder):
    """Rows published while the write lock is held longer than the busy timeout cannot be marked sent: the relay
    keeps running, and once the lock is gone marks them (republishing, which JetStream deduplicates), so every
    event is in the stream exactly once. It once crashed on the busy error of this process's writer queue, and took
    the service's background work down with it (the write-health probe among them)."""
    path = tmp_path / "busy.db"
    database = Database(f"sqlite:///{path}", busy_timeout_ms=150)
    tables = setup_schema(database)
    running = Running(OutboxRelay(database, tables, js, poll_interval=30, max_backoff=0.2))
    async with running as relay:
        for start in range(0, 60, 20):
            write(database, tables, 20, start=start)
            with outside_sqlite_writer(path) if holder == "file lock" else _writer_queue_held(database):
                relay.wake()  # reading works under the lock (WAL); marking sent waits, then fails busy
                await asyncio.sleep(0.6)
                assert unsent_count(database, tables) == 20 and not running.task.done()
            await eventually(
                lambda: unsent_count(database, tables) == 0, timeout=10, what="sent after the lock"
            )
        assert not running.task.done()
    assert values(await read_stream(js, STREAM.name, SUBJECT)) == list(range(60))
    database.dispose()
