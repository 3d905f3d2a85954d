"""Dedup fixtures: one migrated database per module and dialect (SQLite file; PostgreSQL when
LEADFLOW_TEST_POSTGRES_URL is set), handlers over it with a fake clock. Each test uses its own tenant, so tests
sharing a database never see each other's rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.migrations import upgrade
from services.common.paging import PageTokens
from services.dedup.adapters.db.tables import messaging
from services.dedup.adapters.db.uow import SqlDedupUnitOfWork
from services.dedup.bootstrap import MIGRATIONS_DIR
from services.dedup.converters.events import encode_event
from tests.dedup.helpers import T0, DedupHandlers, unique
from tests.harness import POSTGRES_URL, fresh_postgres_database


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def dedup_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated dedup database shared by the tests of one module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dedup') / 'dedup.db'}"
        upgrade(MIGRATIONS_DIR, url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    url, drop = fresh_postgres_database("lf_dedup")
    try:
        upgrade(MIGRATIONS_DIR, url)
        yield url
    finally:
        drop()


@pytest.fixture(scope="module")
def dedup_database(dedup_url: str) -> Iterator[Database]:
    database = Database(dedup_url, pool_size=20)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def handlers(dedup_database: Database, clock: FakeClock) -> DedupHandlers:
    """The real handlers over the real store, called synchronously (see ``tests.dedup.helpers``)."""
    transactions = SqlTransactions(dedup_database, SqlDedupUnitOfWork, messaging, encode_event, attempts=20)
    return DedupHandlers(transactions, clock, PageTokens(b"p" * 32))


@pytest.fixture
def tenant() -> str:
    return unique("tenant")


@pytest.fixture
def sqlite_path(dedup_url: str) -> Path | None:
    return Path(dedup_url.removeprefix("sqlite:///")) if dedup_url.startswith("sqlite") else None
