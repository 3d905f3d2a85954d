"""The outbox writer a consumer batch (or a timer round) shares: ``SqlTransactions.bind(events_at_commit=True)``.

Its units of work write their events with one INSERT just before the commit; an event recorded in a savepoint
that rolled back is dropped with it (a use case's retry, a poison message on the careful path, nested savepoints);
a rolled-back transaction writes none; and a transaction that is not ``Database.transaction``'s refuses the
shared writer rather than silently never flushing it."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from google.protobuf import struct_pb2
from sqlalchemy import Connection, event

from services.common.db import Database
from services.common.dbtx import SqlTransactions, SqlUnitOfWork
from services.common.ids import new_id
from services.common.messaging import Delivery, EventConsumer
from services.common.messaging.outbox import OutboxMessage, OutboxWriter
from services.common.uow import TransientConflict, run_retrying

from ..helpers import eventually, setup_schema
from .test_inbox import STREAM, SUBJECT, Running, js, publish_around_a_poison  # noqa: F401

pytestmark = pytest.mark.timeout(60)


class Noted:
    """A domain event of this test: it says which key it is about."""

    def __init__(self, key: str) -> None:
        self.key = key


def encode(event: object) -> OutboxMessage:
    assert isinstance(event, Noted)
    body = struct_pb2.Struct()
    body.update({"key": event.key})
    return OutboxMessage("leadflow.batchoutbox.v1.noted", body, event.key, new_id())


class NotingUnitOfWork(SqlUnitOfWork):
    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        super().__init__(session, events)
        self.session = session

    def savepoint(self, work):  # the shape of a service's uow.savepoint
        with self.session.begin_nested():
            return work()


class Fixture:
    def __init__(self, database_url: str) -> None:
        self.database = Database(database_url)
        self.tables = setup_schema(self.database)
        self.transactions = SqlTransactions(self.database, NotingUnitOfWork, self.tables, encode)
        self.outbox_inserts = 0
        table = self.tables.outbox.name.upper()

        def count(_conn, _cursor, statement, *_rest) -> None:
            if statement.upper().startswith(f"INSERT INTO {table} "):
                self.outbox_inserts += 1

        event.listen(self.database.engine, "before_cursor_execute", count)

    def outbox_keys(self) -> list[str]:
        o = self.tables.outbox
        with self.database.read() as session:
            return [row.aggregate_id for row in session.execute(sa.select(o.c.aggregate_id).order_by(o.c.id))]


@pytest.fixture
def fx(database_url: str):
    fixture = Fixture(database_url)
    yield fixture
    fixture.database.dispose()


def test_the_units_of_a_transaction_share_one_writer_flushed_once_at_commit(fx: Fixture) -> None:
    with fx.database.transaction() as session:
        first = fx.transactions.batch_binder(session)
        second = fx.transactions.batch_binder(session)
        assert first.events is second.events
        for key in ("a", "b", "c"):
            first.events.add(Noted(key))
        second.events.add(Noted("d"))
        assert fx.outbox_inserts == 0, "nothing is written before the commit"
    assert fx.outbox_keys() == ["a", "b", "c", "d"]
    assert fx.outbox_inserts == 1
    # The next transaction gets a writer of its own.
    with fx.database.transaction() as session:
        fx.transactions.batch_binder(session).events.add(Noted("e"))
    assert fx.outbox_keys() == ["a", "b", "c", "d", "e"]


def test_events_of_a_rolled_back_savepoint_are_dropped_and_a_retry_records_them_once(fx: Fixture) -> None:
    lost = [True]

    def route(uow: NotingUnitOfWork, key: str) -> None:
        uow.events.add(Noted(key))
        if key == "raced" and lost[0]:
            lost[0] = False
            raise TransientConflict()  # after recording: the retry must not leave two

    with fx.database.transaction() as session:
        for key in ("before", "raced", "after"):
            uow = fx.transactions.batch_binder(session)
            run_retrying(lambda uow=uow, key=key: uow.savepoint(lambda: route(uow, key)))
    assert fx.outbox_keys() == ["before", "raced", "after"]


def test_nested_savepoints_rewind_to_their_own_marks(fx: Fixture) -> None:
    with fx.database.transaction() as session:
        uow = fx.transactions.batch_binder(session)
        uow.events.add(Noted("kept"))
        outer = session.begin_nested()
        uow.events.add(Noted("outer"))
        inner = session.begin_nested()
        uow.events.add(Noted("inner, rolled back"))
        inner.rollback()
        uow.events.add(Noted("outer again"))
        outer.commit()
        doomed = session.begin_nested()
        uow.events.add(Noted("released then rolled back with its parent"))
        nested = session.begin_nested()
        uow.events.add(Noted("released"))
        nested.commit()
        doomed.rollback()
    assert fx.outbox_keys() == ["kept", "outer", "outer again"]


def test_a_writer_that_joins_inside_a_savepoint_is_rewound_when_it_rolls_back(fx: Fixture) -> None:
    with fx.database.transaction() as session:
        savepoint = session.begin_nested()
        fx.transactions.batch_binder(session).events.add(Noted("inside"))
        savepoint.rollback()
        fx.transactions.batch_binder(session).events.add(Noted("outside"))
    assert fx.outbox_keys() == ["outside"]


def test_a_transaction_that_rolls_back_writes_no_events(fx: Fixture) -> None:
    with pytest.raises(RuntimeError, match="the batch failed"), fx.database.transaction() as session:
        fx.transactions.batch_binder(session).events.add(Noted("never"))
        raise RuntimeError("the batch failed")
    assert fx.outbox_keys() == [] and fx.outbox_inserts == 0


def test_a_transaction_nobody_flushes_refuses_the_shared_writer_and_plain_bind_still_works(
    fx: Fixture,
) -> None:
    with fx.database.engine.begin() as session:
        with pytest.raises(RuntimeError, match="Database.transaction"):
            fx.transactions.batch_binder(session)
        fx.transactions.bind(session).events.add(Noted("written at once"))
        assert fx.outbox_inserts == 1
    assert fx.outbox_keys() == ["written at once"]


async def test_a_consumer_batch_writes_its_events_in_one_insert_and_a_poison_message_none(
    fx: Fixture,
    js,  # noqa: F811
) -> None:
    """The runtime's consumers bind with batch_binder: a batch of messages is one outbox INSERT, and the poison
    message's event (recorded before it failed) goes with its savepoint on the careful path."""
    keys = [f"k{n:02d}" for n in range(8)]
    await publish_around_a_poison(js, keys, "poison")

    def handler(uow: NotingUnitOfWork, delivery: Delivery) -> None:
        body = struct_pb2.Struct()
        body.ParseFromString(delivery.data)
        uow.events.add(Noted(str(body["key"])))
        if body["poison"]:
            raise ValueError("poison")

    began = [0]
    event.listen(fx.database.engine, "begin", lambda _conn: began.__setitem__(0, began[0] + 1))
    name = f"batchoutbox_{new_id().lower()}"
    consumer = EventConsumer(
        fx.database, fx.tables, js, name=name, stream=STREAM.name, subjects=[SUBJECT], handler=handler,
        bind=fx.transactions.batch_binder, fetch_timeout=0.2, max_deliver=1,
    )  # fmt: skip
    async with Running(consumer):
        await eventually(lambda: len(fx.outbox_keys()) == len(keys), timeout=15, what="events written")
        await eventually(lambda: _dead_letters(fx) == 1, timeout=15, what="poison dead-lettered")
        await asyncio.sleep(0.3)
    assert sorted(fx.outbox_keys()) == keys, "the poison message's event must not be written"
    # The optimistic transaction that met the poison rolled back; its careful rerun and any later batch wrote one
    # INSERT each: fewer than one per message.
    assert 1 <= fx.outbox_inserts < len(keys)
    assert fx.outbox_inserts <= began[0]


def _dead_letters(fx: Fixture) -> int:
    with fx.database.read() as session:
        return int(
            session.execute(sa.select(sa.func.count()).select_from(fx.tables.dead_letters)).scalar_one()
        )


def test_write_now_uses_the_same_writer_so_a_use_cases_own_retry_records_once(fx: Fixture) -> None:
    lost = [True]

    def route(uow: NotingUnitOfWork) -> None:
        uow.events.add(Noted("routed"))
        if lost[0]:
            lost[0] = False
            raise TransientConflict()

    def work(uow: NotingUnitOfWork) -> None:
        uow.events.add(Noted("before"))
        run_retrying(lambda: uow.savepoint(lambda: route(uow)))

    fx.transactions.write_now(work)
    assert fx.outbox_keys() == ["before", "routed"] and fx.outbox_inserts == 1
