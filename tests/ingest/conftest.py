"""Ingest fixtures: a real dedup + real ingest + real nats-server stack (see ``stack.py``).

``stack`` is shared by the tests of one module (each test uses its own tenant, so they never see each other's
leads) and runs on SQLite and, in the PostgreSQL tier, on PostgreSQL. Tests that break the stack (stopping dedup)
start their own with ``start_stack``. ``database`` is ingest's schema, migrated, on each tier, for the tests of the
repositories and handlers without a stack.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from services.common.db import Database
from services.common.migrations import upgrade
from services.ingest.bootstrap import MIGRATIONS_DIR
from tests.ingest.stack import POSTGRES_URL, Stack, start_stack


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    upgrade(MIGRATIONS_DIR, database_url)
    db = Database(database_url)
    yield db
    db.dispose()


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    running = await start_stack(tmp_path_factory.mktemp("stack"), request.param)
    try:
        yield running
    finally:
        await running.stop()
