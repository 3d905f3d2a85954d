"""The real assign service, started in-process (``RunningService``) on a FakeClock, with a real nats-server and a
SQLite file (and, for tests that ask for it, PostgreSQL); each test uses its own tenant."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
import pytest_asyncio

from services.common.clock import FakeClock
from tests.assign.api.client import AssignClient, assign_environ, start_assign, unique

# A Wednesday, 10:00 in Shanghai: inside the default working hours of everyone.
T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def assign(tmp_path: Path, nats_server) -> AsyncIterator[AssignClient]:  # type: ignore[no-untyped-def]
    clock = FakeClock(T0)
    env = assign_environ(tmp_path, nats_server.url)
    running = await start_assign(env, clock)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            yield AssignClient(running, env, clock, nats_server.url, channel)
    finally:
        await running.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_assign(
    tmp_path_factory: pytest.TempPathFactory, shared_nats_server
) -> AsyncIterator[AssignClient]:  # type: ignore[no-untyped-def]
    """One service for a module of tests that move no clock (each test takes its own tenant)."""
    clock = FakeClock(T0)
    env = assign_environ(tmp_path_factory.mktemp("assign"), shared_nats_server.url)
    running = await start_assign(env, clock)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            yield AssignClient(running, env, clock, shared_nats_server.url, channel)
    finally:
        await running.stop()


@pytest.fixture
def api(shared_assign: AssignClient) -> AssignClient:
    """The module's service, seen as a fresh tenant."""
    return dataclasses.replace(shared_assign, tenant=unique("tenant"))
