"""Telephony fixtures: a migrated store per test (SQLite file; PostgreSQL too in that tier) with the real handlers,
the simulated carrier and a fake clock at a Monday 10:00 in Beijing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.migrations import upgrade
from services.common.sealing import KeyRing, Sealer
from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.adapters.db.tables import messaging
from services.telephony.adapters.db.uow import SqlTelephonyUnitOfWork
from services.telephony.bootstrap import MIGRATIONS_DIR
from services.telephony.converters.events import EventEncoder
from tests.telephony.helpers import T0, World, build, unique

TEST_KEYS = KeyRing.parse("test1:" + "A" * 43 + "=")


@pytest.fixture
def telephony_database(database_url: str) -> Iterator[Database]:
    upgrade(MIGRATIONS_DIR, database_url)
    database = Database(database_url, pool_size=20)
    yield database
    database.dispose()


@pytest.fixture
def world(telephony_database: Database) -> World:
    clock = FakeClock(T0)
    transactions = SqlTransactions(
        telephony_database, SqlTelephonyUnitOfWork, messaging, EventEncoder(Sealer(TEST_KEYS)), attempts=30
    )
    carrier = SimulatedCarrier(clock, seed=7)
    handlers = build(transactions, clock, {"simulated": carrier})

    async def deliver(report):  # type: ignore[no-untyped-def]
        return await handlers.call_events.report(None, report)

    carrier.deliver = deliver
    return World(handlers, transactions, clock, carrier, unique("tenant"))
