"""Refund fixtures: worlds (the consumers, timers and handlers over the fakes, a SQLite file, or PostgreSQL in its
tier) on a fake clock, and a fresh tenant per test so tests sharing a database never see each other's rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.migrations import upgrade
from services.refund.bootstrap import MIGRATIONS_DIR
from tests.harness import POSTGRES_URL, fresh_postgres_database
from tests.refund.events import unique
from tests.refund.unit.builders import at
from tests.refund.world import FakeWorld, SqlWorld

START = at(1, 0, 0)  # 2026-03-01 00:00 Asia/Shanghai: every scenario starts after it


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def refund_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A migrated refund database shared by the tests of one module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('refund') / 'refund.db'}"
        upgrade(MIGRATIONS_DIR, url)
        database = Database(url, pool_size=20)
        yield database
        database.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    url, drop = fresh_postgres_database("lf_refund")
    try:
        upgrade(MIGRATIONS_DIR, url)
        database = Database(url, pool_size=20)
        yield database
        database.dispose()
    finally:
        drop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def tenant() -> str:
    return unique("tenant")


@pytest.fixture
def fake_world(clock: FakeClock) -> FakeWorld:
    return FakeWorld(clock)


@pytest.fixture
def sql_world(refund_database: Database, clock: FakeClock) -> SqlWorld:
    return SqlWorld(refund_database, clock)
