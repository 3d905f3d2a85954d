"""Push fixtures: a migrated ingest database per test (SQLite file; PostgreSQL too when LEADFLOW_TEST_POSTGRES_URL
is set), push handlers and a worker over it with a fake clock, and a real HTTP endpoint."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import services.ingest.adapters as ingest_adapters
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.migrations import upgrade
from services.common.paging import PageTokens
from services.ingest.adapters import tables
from services.ingest.adapters.push_repository import PushRepository
from services.ingest.adapters.push_tables import push_tables
from services.ingest.push_handlers import PushConfig, PushHandlers, PushWorker, http_sender
from tests.ingest.push.helpers import T0
from tests.ingest.push.receiver import Receiver

MIGRATIONS_DIR = Path(ingest_adapters.__file__).parent / "migrations"

# Tests talk to a loopback endpoint over plain http; production refuses both.
TEST_CONFIG = PushConfig(allow_http=True, allow_private_networks=True, send_timeout=timedelta(seconds=0.5))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    upgrade(MIGRATIONS_DIR, database_url)
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def repository() -> PushRepository:
    return PushRepository(push_tables(tables.metadata))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def handlers(database: Database, repository: PushRepository, clock: FakeClock) -> PushHandlers:
    return PushHandlers(database, repository, clock, PageTokens(b"p" * 32), TEST_CONFIG)


@pytest.fixture
def worker(database: Database, repository: PushRepository, clock: FakeClock) -> PushWorker:
    return PushWorker(
        database, repository, http_sender(TEST_CONFIG), clock, TEST_CONFIG, rand=random.Random(7).random
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as endpoint:
        yield endpoint
