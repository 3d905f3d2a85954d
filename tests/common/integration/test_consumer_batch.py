"""The consumer applies a fetched batch in one transaction: a poison message fails alone (its savepoint), a database
error that spoils the transaction runs the batch again, and a crash before the commit leaves nothing, so the
redelivered batch takes effect once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

import pytest
import sqlalchemy as sa
from google.protobuf import struct_pb2
from sqlalchemy import event

from services.common.ids import new_id
from services.common.messaging import MSG_ID_HEADER, Delivery, EventConsumer, StreamSpec, ensure_stream

from ..helpers import eventually
from .test_inbox import (  # noqa: F401
    STREAM,
    SUBJECT,
    CounterUnitOfWork,
    Fixture,
    Running,
    consumer_for,
    js,
    metric,
    publish,
    publish_around_a_poison,
)

pytestmark = pytest.mark.timeout(60)


def write_transactions(fx: Fixture) -> list[int]:
    """A counter of the write transactions begun on the fixture's database (SQLite: the write engine only)."""
    began = [0]
    event.listen(fx.database.engine, "begin", lambda _conn: began.__setitem__(0, began[0] + 1))
    return began


def key_of(delivery: Delivery) -> str:
    body = struct_pb2.Struct()
    body.ParseFromString(delivery.data)
    return str(body["key"])


async def test_a_poison_message_fails_alone_and_the_batch_is_one_transaction(database_url, js) -> None:  # noqa: F811
    fx = Fixture(database_url)
    name = f"batch_{new_id().lower()}"
    good = [f"g{n:02d}" for n in range(12)]
    await publish_around_a_poison(js, good, "bad")
    began = write_transactions(fx)
    async with Running(consumer_for(fx, js, name, max_deliver=1)):
        await eventually(lambda: fx.count(fx.tables.dead_letters) == 1, timeout=15, what="dead letter")
        await eventually(
            lambda: len(fx.counter_values()) == len(good), timeout=15, what="good events applied"
        )
    assert fx.counter_values() == dict.fromkeys(good, 1), "the poison message's change must roll back alone"
    assert fx.attempts["bad"] == 1
    # 13 messages fetched together: one transaction for the batch, one for the dead letter (a fetch may split the
    # batch, hence "fewer than one per message", not an exact count).
    assert began[0] < len(good)
    assert fx.count(fx.tables.inbox) == len(good) + 1
    info = await js.consumer_info(STREAM.name, name)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    fx.database.dispose()


async def test_a_database_error_runs_the_whole_batch_again(database_url, js) -> None:  # noqa: F811
    fx = Fixture(database_url)
    name = f"dberr_{new_id().lower()}"
    keys = [f"k{n}" for n in range(8)]
    for key in keys:
        await publish(js, key)
    failed = []

    def handler(uow: CounterUnitOfWork, delivery: Delivery) -> None:
        fx.handler(uow, delivery)
        if key_of(delivery) == "k5" and not failed:
            failed.append(1)
            raise sa.exc.OperationalError("UPDATE counters", {}, Exception("database is locked"))

    consumer = consumer_for(fx, js, name)
    consumer._handler = handler
    processed0 = metric("leadflow_consumer_processed_total", name)
    async with Running(consumer):
        await eventually(lambda: len(fx.counter_values()) == len(keys), timeout=15, what="batch applied")
    assert fx.counter_values() == dict.fromkeys(keys, 1)
    assert fx.attempts["k5"] == 2 and fx.attempts["k0"] == 2, "the failed transaction ran again as a whole"
    assert metric("leadflow_consumer_processed_total", name) - processed0 == len(keys)
    assert fx.count(fx.tables.dead_letters) == 0
    fx.database.dispose()


class Crash(BaseException):
    """The process dies here: nothing below the handler catches it."""


async def test_a_crash_in_the_middle_of_a_batch_leaves_nothing_and_the_redelivery_applies_once(
    database_url,
    js,  # noqa: F811
) -> None:
    fx = Fixture(database_url)
    name = f"crash_{new_id().lower()}"
    keys = [f"c{n}" for n in range(10)]
    for key in keys:
        await publish(js, key)

    def crashing(uow: CounterUnitOfWork, delivery: Delivery) -> None:
        fx.handler(uow, delivery)
        if key_of(delivery) == "c6":
            raise Crash()

    consumer = consumer_for(fx, js, name, ack_wait=1.0)
    consumer._handler = crashing
    stop = asyncio.Event()
    with pytest.raises(Crash):
        await asyncio.wait_for(consumer.run(stop), timeout=15)
    assert fx.counter_values() == {}, "the batch's transaction never committed"
    assert fx.count(fx.tables.inbox) == 0
    assert fx.attempts["c0"] == 1 and fx.attempts["c6"] == 1

    # The service comes back: the unacked batch is delivered again (after ack_wait) and applied once.
    async with Running(consumer_for(fx, js, name, ack_wait=1.0)):
        await eventually(lambda: len(fx.counter_values()) == len(keys), timeout=20, what="redelivery applied")
        await asyncio.sleep(1.5)  # past another ack_wait: an unacked message would come back and count twice
    assert fx.counter_values() == dict.fromkeys(keys, 1)
    assert fx.count(fx.tables.inbox) == len(keys)
    info = await js.consumer_info(STREAM.name, name)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    fx.database.dispose()


async def test_a_batch_without_failures_runs_no_savepoints_and_claims_its_inbox_rows_together(
    database_url,
    js,  # noqa: F811
) -> None:
    fx = Fixture(database_url)
    name = f"clean_{new_id().lower()}"
    keys = [f"c{n:02d}" for n in range(10)]
    for key in keys:
        await publish(js, key)
    statements: list[str] = []
    event.listen(
        fx.database.engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_rest: statements.append(statement.upper()),
    )
    began = write_transactions(fx)
    async with Running(consumer_for(fx, js, name)):
        await eventually(lambda: len(fx.counter_values()) == len(keys), timeout=15, what="events applied")
    assert fx.counter_values() == dict.fromkeys(keys, 1)
    assert not [s for s in statements if "SAVEPOINT" in s]
    inbox_inserts = [s for s in statements if s.startswith(f"INSERT INTO {fx.tables.inbox.name.upper()} ")]
    # One inbox statement per batch transaction (a fetch may split the ten messages), not one per message.
    assert 1 <= len(inbox_inserts) <= began[0] < len(keys)
    assert fx.count(fx.tables.inbox) == len(keys)
    fx.database.dispose()


def counting_top_ups(consumer: EventConsumer) -> list[int]:
    """The sizes the consumer's linger asked for, one per top-up, as it goes."""
    top_ups: list[int] = []
    top_up = consumer._top_up

    async def counted(sub, wanted: int):  # type: ignore[no-untyped-def]
        top_ups.append(wanted)
        return await top_up(sub, wanted)

    consumer._top_up = counted  # type: ignore[method-assign]
    return top_ups


async def applied(name: str, count: int) -> None:
    # Watched on the consumer's metric, not in the database (on PostgreSQL reads would count as transactions).
    await eventually(
        lambda: metric("leadflow_consumer_processed_total", name) == count, timeout=15, what="applied"
    )


@pytest.mark.parametrize("linger", [0.0, 0.5])
async def test_a_lingering_consumer_gathers_a_stream_of_events_into_one_batch(
    database_url,
    js,  # noqa: F811
    linger: float,
) -> None:
    """Two events waiting when the consumer starts (a batch of two, nothing before it: applied at once), then one
    right after them and two more 0.1 s later (a relay publishing group commits' events as they are acked): with a
    linger the single one is a stream's (the batch before held two), so its fetch waits and the three are one
    transaction; without, they are at least two."""
    fx = Fixture(database_url)
    name = f"linger_{new_id().lower()}"
    keys = [f"l{n:02d}" for n in range(5)]
    for key in keys[:2]:
        await publish(js, key)
    consumer = consumer_for(fx, js, name, linger=linger)
    top_ups = counting_top_ups(consumer)
    began = write_transactions(fx)
    async with Running(consumer):
        await applied(name, 2)
        first = began[0]
        await publish(js, keys[2])
        await asyncio.sleep(0.1)
        for key in keys[3:]:
            await publish(js, key)
        await applied(name, len(keys))
        transactions = began[0] - first
    assert fx.counter_values() == dict.fromkeys(keys, 1)
    # The batches as operators see them (leadflow_consumer_batch_events): all five events, in two batches or more.
    assert metric("leadflow_consumer_batch_events_sum", name) == len(keys)
    batches = metric("leadflow_consumer_batch_events_count", name)
    if linger:
        assert top_ups == [consumer._batch - 1]
        assert transactions == 1
        assert batches == 2
    else:
        assert top_ups == []
        assert transactions >= 2
        assert batches >= 3
    fx.database.dispose()


async def test_a_lingering_consumer_applies_a_chain_of_single_events_at_once(
    database_url,
    js,  # noqa: F811
) -> None:
    """A caller that publishes each event after the one before was applied (or events after a quiet spell) is no
    stream: every fetch holds one event and the batch before held one, so none waits for the linger."""
    fx = Fixture(database_url)
    name = f"chain_{new_id().lower()}"
    consumer = consumer_for(fx, js, name, linger=0.5)
    top_ups = counting_top_ups(consumer)
    began = write_transactions(fx)
    async with Running(consumer):
        await asyncio.sleep(0.3)  # subscribed, waiting in a pull
        for n in range(4):
            await publish(js, f"c{n}")
            await applied(name, n + 1)
    assert top_ups == []
    assert began[0] == 4
    assert fx.counter_values() == {f"c{n}": 1 for n in range(4)}
    fx.database.dispose()


def _group(delivery: Delivery) -> str:
    """ "a-2" -> "a": the order key of the ordering tests (the row a handler would lock)."""
    return key_of(delivery).split("-")[0]


async def test_an_ordered_consumer_applies_a_batch_by_key_keeping_stream_order_within_a_key(
    database_url,
    js,  # noqa: F811
) -> None:
    fx = Fixture(database_url)
    name = f"ordered_{new_id().lower()}"
    published = ["c-1", "a-1", "b-1", "a-2", "c-2", "b-2"]
    for key in published:
        await publish(js, key)
    applied: list[str] = []
    handle = fx.handler

    def recording(uow, delivery: Delivery) -> None:  # type: ignore[no-untyped-def]
        applied.append(key_of(delivery))
        handle(uow, delivery)

    consumer = consumer_for(fx, js, name, order_key=_group)
    consumer._handler = recording
    async with Running(consumer):
        await eventually(lambda: len(fx.counter_values()) == len(published), timeout=15, what="all applied")
    assert applied == ["a-1", "a-2", "b-1", "b-2", "c-1", "c-2"]
    info = await js.consumer_info(STREAM.name, name)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    fx.database.dispose()


async def test_an_ordered_batch_settles_each_message_as_its_own(database_url, js) -> None:  # noqa: F811
    """Reordered for applying, the outcomes still go to their own messages: the poison message (whose key can't
    be read either) is the one dead-lettered, every other one is applied once and acknowledged."""
    fx = Fixture(database_url)
    name = f"ordsettle_{new_id().lower()}"
    good = [f"{letter}-{n}" for n in range(3) for letter in "zyxw"]

    def reversed_group(delivery: Delivery) -> str:
        key = key_of(delivery)
        if key == "bad":
            raise ValueError("no key in this payload")
        return chr(
            0x7A - ord(key[0]) + 0x61
        )  # z first ... w last: the reverse of the publish order's letters

    await publish_around_a_poison(js, good, "bad")
    async with Running(consumer_for(fx, js, name, max_deliver=1, order_key=reversed_group)):
        await eventually(lambda: fx.count(fx.tables.dead_letters) == 1, timeout=15, what="dead letter")
        await eventually(
            lambda: len(fx.counter_values()) == len(good), timeout=15, what="good events applied"
        )
    assert fx.counter_values() == dict.fromkeys(good, 1)
    with fx.database.read() as session:
        [payload] = session.execute(sa.select(fx.tables.dead_letters.c.payload)).scalars()
    body = struct_pb2.Struct()
    body.ParseFromString(payload)
    assert body["key"] == "bad"
    info = await js.consumer_info(STREAM.name, name)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    fx.database.dispose()


DEADLOCK_STREAM = StreamSpec(
    "LEADFLOW_LOCKORDERTEST", ("leadflow.lockordertest.v1.x", "leadflow.lockordertest.v1.y")
)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("ordered", [False, True], ids=["stream order", "key order"])
async def test_two_consumers_locking_the_same_rows_deadlock_unless_they_apply_in_key_order(
    database_url,
    js,  # noqa: F811
    ordered: bool,
    caplog,
) -> None:
    """Two consumers, each of whose batches locks rows "a" and "b" (the counters' UPDATE), one in the order a, b and
    the other b, a, with both holding their first row when they go for the second: PostgreSQL detects the deadlock
    and aborts one batch, which runs again. With the same ``order_key`` both take "a" first, the second waits for
    the first's commit, and no batch fails. (SQLite has one writer at a time: nothing to deadlock.)"""
    fx = Fixture(database_url)
    with fx.database.transaction() as session:
        session.execute(sa.insert(fx.counters), [{"key": "a", "value": 0}, {"key": "b", "value": 0}])
    await ensure_stream(js, DEADLOCK_STREAM)
    x_subject, y_subject = DEADLOCK_STREAM.subjects
    both_hold_one = threading.Barrier(2, timeout=3)  # broken by a timeout when one is blocked instead
    handle = fx.handler

    def locking(uow, delivery: Delivery) -> None:  # type: ignore[no-untyped-def]
        handle(uow, delivery)  # the UPDATE holds the row's lock until the batch commits
        body = struct_pb2.Struct()
        body.ParseFromString(delivery.data)
        if body["wait"]:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_hold_one.wait()

    await publish(js, "a", subject=x_subject, wait=True)
    await publish(js, "b", subject=x_subject, wait=False)
    await publish(js, "b", subject=y_subject, wait=True)
    await publish(js, "a", subject=y_subject, wait=False)

    def consumer(name: str, subject: str) -> EventConsumer:
        return EventConsumer(
            fx.database, fx.tables, js, name=name, stream=DEADLOCK_STREAM.name, subjects=[subject],
            handler=locking, bind=CounterUnitOfWork, fetch_timeout=0.2,
            order_key=key_of if ordered else None,
        )  # fmt: skip

    suffix = new_id().lower()
    with caplog.at_level(logging.WARNING, logger="services.common.messaging.consumer"):
        async with (
            Running(consumer(f"lock_x_{suffix}", x_subject)),
            Running(consumer(f"lock_y_{suffix}", y_subject)),
        ):
            await eventually(lambda: fx.counter_values() == {"a": 2, "b": 2}, timeout=30, what="both batches")
    failed_whole = [r for r in caplog.records if "failed as a whole" in r.getMessage()]
    if ordered:
        assert failed_whole == []
    else:
        assert failed_whole and "deadlock" in repr(failed_whole[0].exc_info).lower()
    fx.database.dispose()


async def test_a_batch_handler_gets_the_new_deliveries_at_once_and_a_failure_falls_back_to_each_alone(
    database_url,
    js,  # noqa: F811
) -> None:
    fx = Fixture(database_url)
    name = f"whole_{new_id().lower()}"
    good = [f"w{n:02d}" for n in range(10)]
    await publish_around_a_poison(js, good, "bad")
    calls: list[list[str]] = []

    def batch_handler(uow: CounterUnitOfWork, deliveries) -> None:  # type: ignore[no-untyped-def]
        calls.append([key_of(d) for d in deliveries])
        for delivery in deliveries:  # the per-event work, all in one call; the poison raises midway
            fx.handler(uow, delivery)

    dead0 = metric("leadflow_dead_letters_total", name)
    async with Running(consumer_for(fx, js, name, max_deliver=1, batch_handler=batch_handler)):
        await eventually(lambda: fx.count(fx.tables.dead_letters) == 1, timeout=15, what="dead letter")
        await eventually(
            lambda: len(fx.counter_values()) == len(good), timeout=15, what="good events applied"
        )
    # The batch handler saw whole batches, in stream order; where it failed, each event ran alone in a savepoint
    # (the careful path's per-event handler), so the good ones count once and the poison alone is dead-lettered.
    assert calls and any(len(keys) > 1 for keys in calls)
    seen = [key for keys in calls for key in keys]
    assert seen == sorted(seen, key=[*good[:5], "bad", *good[5:]].index)
    assert fx.counter_values() == dict.fromkeys(good, 1)
    assert metric("leadflow_dead_letters_total", name) - dead0 == 1
    info = await js.consumer_info(STREAM.name, name)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    fx.database.dispose()


async def test_a_batch_handler_never_sees_an_event_the_inbox_holds(database_url, js) -> None:  # noqa: F811
    fx = Fixture(database_url)
    name = f"once_{new_id().lower()}"
    keys = [f"o{n:02d}" for n in range(6)]
    for key in keys:
        await publish(js, key)
    handed: list[str] = []

    def batch_handler(uow: CounterUnitOfWork, deliveries) -> None:  # type: ignore[no-untyped-def]
        for delivery in deliveries:
            handed.append(key_of(delivery))
            fx.handler(uow, delivery)

    async with Running(consumer_for(fx, js, name, batch_handler=batch_handler)):
        await eventually(lambda: len(fx.counter_values()) == len(keys), timeout=15, what="applied")
    # The same events again (a replay from the stream's start: a new consumer name would not do, the inbox is
    # per consumer): recognised in the inbox, acked, never handed over.
    await js.delete_consumer(STREAM.name, name)
    async with Running(consumer_for(fx, js, name, batch_handler=batch_handler)):
        await eventually(
            lambda: metric("leadflow_consumer_duplicates_total", name) >= len(keys),
            timeout=15,
            what="replayed",
        )
    assert sorted(handed) == keys and fx.counter_values() == dict.fromkeys(keys, 1)
    fx.database.dispose()


async def test_messages_their_producer_applied_are_acked_without_a_transaction_and_the_rest_as_before(
    database_url,
    js,  # noqa: F811
) -> None:
    """``already_applied``: what its producer says it did itself is acknowledged untouched (no transaction, no
    inbox row, no handler); an event without that header, as an older producer records it, is applied once."""
    fx = Fixture(database_url)
    name = f"applied_{new_id().lower()}"
    began = write_transactions(fx)
    done_at_source = [f"a{n:02d}" for n in range(8)]
    for key in done_at_source:
        body = struct_pb2.Struct()
        body.update({"key": key, "poison": False})
        await js.publish(
            SUBJECT, body.SerializeToString(), headers={MSG_ID_HEADER: new_id(), "X-Applied": "1"}
        )
    skipped0 = metric("leadflow_consumer_already_applied_total", name)
    consumer = consumer_for(fx, js, name, already_applied=lambda headers: "X-Applied" in headers)
    async with Running(consumer):
        await eventually(
            lambda: metric("leadflow_consumer_already_applied_total", name) - skipped0 == len(done_at_source),
            timeout=15,
            what="acknowledged",
        )
        # The counter moves before each ack is sent: the acks reach the server a moment later.
        deadline = time.monotonic() + 15
        while (info := await js.consumer_info(STREAM.name, name)).num_ack_pending or info.num_pending:
            assert time.monotonic() < deadline, f"never acknowledged: {info}"
            await asyncio.sleep(0.05)
        assert began[0] == 0 and fx.counter_values() == {}
        assert fx.count(fx.tables.inbox) == 0
        # An older producer's events, without the header: applied as before, once each.
        older = [f"o{n:02d}" for n in range(4)]
        for key in older:
            await publish(js, key)
        await eventually(lambda: len(fx.counter_values()) == len(older), timeout=15, what="older events")
    assert fx.counter_values() == dict.fromkeys(older, 1)
    assert fx.count(fx.tables.inbox) == len(older)
    assert metric("leadflow_consumer_already_applied_total", name) - skipped0 == len(done_at_source)
    fx.database.dispose()


async def test_a_lingering_consumer_does_not_linger_for_messages_with_nothing_to_apply(
    database_url,
    js,  # noqa: F811
) -> None:
    """The linger gathers a stream into one transaction; a fetch of already-applied messages has no transaction to
    gather for, so it is settled at once, stream or not."""
    fx = Fixture(database_url)
    name = f"nolinger_{new_id().lower()}"

    async def publish_applied() -> None:
        body = struct_pb2.Struct()
        body.update({"key": "a", "poison": False})
        await js.publish(
            SUBJECT, body.SerializeToString(), headers={MSG_ID_HEADER: new_id(), "X-Applied": "1"}
        )

    for _ in range(2):
        await publish_applied()
    consumer = consumer_for(fx, js, name, linger=0.5, already_applied=lambda headers: "X-Applied" in headers)
    top_ups = counting_top_ups(consumer)
    skipped0 = metric("leadflow_consumer_already_applied_total", name)
    async with Running(consumer):
        await eventually(
            lambda: metric("leadflow_consumer_already_applied_total", name) - skipped0 == 2,
            timeout=15,
            what="the first two acknowledged",
        )
        # Right after a batch of two: a stream, so the fetch would wait, were there anything to apply.
        await publish_applied()
        await eventually(
            lambda: metric("leadflow_consumer_already_applied_total", name) - skipped0 == 3,
            timeout=15,
            what="the third acknowledged",
        )
        assert top_ups == []
        await publish(js, "k")
        await eventually(lambda: fx.counter_values() == {"k": 1}, timeout=15, what="applied")
    assert fx.count(fx.tables.inbox) == 1
    fx.database.dispose()


@pytest.mark.parametrize(("environ", "linger"), [({}, 0.05), ({"LEADFLOW_CONSUMER_LINGER_MS": "0"}, 0.0)])
async def test_a_running_service_s_consumers_linger_as_its_settings_say(
    environ: dict[str, str], linger: float, tmp_path, shared_nats_server
) -> None:
    """Wired in the runtime: every consumer of a service (ingest's five) lingers LEADFLOW_CONSUMER_LINGER_MS, 50 by
    default, 0 turning it off."""
    from tests.harness import service_environ, start_service

    running = await start_service(
        "ingest", service_environ("ingest", tmp_path, shared_nats_server.url, **environ)
    )
    try:
        assert len(running.consumers) == len(running.app.consumers) == 5
        assert {consumer.linger for consumer in running.consumers} == {linger}
    finally:
        await running.stop()
