"""Assign over its real store: one migrated database per module and dialect (a SQLite file; PostgreSQL when
LEADFLOW_TEST_POSTGRES_URL is set), the real unit of work, event encoder (with sealing) and the runtime's timer
worker. Each test uses its own tenant, so tests sharing a database never see each other's rows."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from services.assign import workers
from services.assign.adapters.db.tables import messaging, timers
from services.assign.adapters.db.uow import SqlAssignUnitOfWork
from services.assign.bootstrap import MIGRATIONS_DIR
from services.assign.converters.events import AssignEventEncoder
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.migrations import upgrade
from services.common.sealing import KeyRing, Sealer
from services.common.timerworker import TimerSet, TimerSpec, TimerWorker
from tests.assign.world import World, unique
from tests.harness import POSTGRES_URL, fresh_postgres_database

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
KEYS = KeyRing.parse("test1:" + base64.b64encode(b"k" * 32).decode())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def assign_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('assign') / 'assign.db'}"
        upgrade(MIGRATIONS_DIR, url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    url, drop = fresh_postgres_database("lf_assign")
    try:
        upgrade(MIGRATIONS_DIR, url)
        yield url
    finally:
        drop()


@pytest.fixture(scope="module")
def assign_database(assign_url: str) -> Iterator[Database]:
    database = Database(assign_url, pool_size=20)
    yield database
    database.dispose()


def sql_world(database: Database, clock: FakeClock, tenant: str) -> World:
    """A World on the real store, firing timers with the runtime's worker."""
    transactions = SqlTransactions(
        database, SqlAssignUnitOfWork, messaging, AssignEventEncoder(Sealer(KEYS)), attempts=20
    )
    world = World(transactions, clock, tenant)

    def handle(uow: SqlAssignUnitOfWork, timer: object) -> None:
        world.handle_timer(uow, timer)  # type: ignore[arg-type]

    specs = tuple(TimerSpec(spec.kind, handle) for spec in workers.timer_specs(world.timers))
    world.timer_worker = TimerWorker(database, messaging, TimerSet(timers, specs), transactions.bind, clock)
    return world


_starts = itertools.count()


@pytest.fixture
def world(assign_database: Database) -> World:
    """Each test starts a year before the previous one, so timers an earlier test left behind (in the shared
    database) never come due while it moves its clock forward."""
    start = T0 - timedelta(days=400 * next(_starts))
    return sql_world(assign_database, FakeClock(start), unique("tenant"))
