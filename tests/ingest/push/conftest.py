"""Push fixtures: a migrated ingest database per test (SQLite file; PostgreSQL too when LEADFLOW_TEST_POSTGRES_URL
is set), push handlers and a worker over it with a fake clock, and a real HTTP endpoint."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from services.common.clock import FakeClock
from services.common.db import Database
from services.ingest.workers import PushWorker
from tests.ingest.push.helpers import T0, PushTestConfig, SessionPush, SyncPushHandlers, push_worker
from tests.ingest.push.receiver import Receiver

# Tests talk to a loopback endpoint over plain http; production refuses both.
# A push that should succeed gets 5 s: with 0.5 s one of sixty pushes timed out on CI's loaded 2 cores and the
# delivery ended FAILED. The test of the timeout path sets its own short deadline (SHORT_TIMEOUT_CONFIG).
TEST_CONFIG = PushTestConfig(allow_http=True, allow_private_networks=True, send_timeout=timedelta(seconds=5))
SHORT_TIMEOUT_CONFIG = PushTestConfig(
    allow_http=True, allow_private_networks=True, send_timeout=timedelta(seconds=0.5)
)


@pytest.fixture
def repository() -> SessionPush:
    return SessionPush()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def handlers(database: Database, clock: FakeClock) -> SyncPushHandlers:
    return SyncPushHandlers(database, clock, TEST_CONFIG)


@pytest.fixture
def worker(database: Database, clock: FakeClock) -> PushWorker:
    return push_worker(database, clock, TEST_CONFIG, rand=random.Random(7).random)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as endpoint:
        yield endpoint
