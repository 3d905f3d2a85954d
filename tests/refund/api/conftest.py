"""The real refund service, started in-process (RunningService) on a fake clock, with a real nats-server; events are
published to the producers' real streams and the gRPC API is called through a grpc.aio channel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import grpc
import nats
import pytest

from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import FakeClock
from services.common.events import STREAM_OF_SERVICE
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from services.common.runtime import RunningService
from tests.harness import TokenMinter, service_environ, start_service
from tests.refund.conftest import START
from tests.refund.events import Event

T = TypeVar("T")
STREAM_OF_SUBJECT = {subject: spec for spec in STREAM_OF_SERVICE.values() for subject in spec.subjects}


@dataclass
class RefundClient:
    stub: refund_service_pb2_grpc.RefundServiceStub
    tokens: TokenMinter
    running: RunningService
    clock: FakeClock
    nats_url: str

    def auth(
        self, tenant: str, role: Role | str = Role.ADMIN, subject: str = "tester"
    ) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(tenant, role, subject)

    async def publish(self, *events: Event) -> None:
        nc = await nats.connect(self.nats_url)
        try:
            js = nc.jetstream()
            for event in events:
                await ensure_stream(js, STREAM_OF_SUBJECT[event.subject])
                await js.publish(event.subject, event.data, headers={MSG_ID_HEADER: event.event_id})
        finally:
            await nc.close()

    async def advance(self, delta: timedelta) -> None:
        """Move the service's clock and wake its timer worker (as ``leadflow clock advance`` does on a dev stack)."""
        self.clock.advance(delta)
        assert self.running.timer_worker is not None
        self.running.timer_worker.wake()

    async def eventually(
        self, probe: Callable[[], Any], accept: Callable[[T], bool], timeout: float = 20.0
    ) -> T:
        """Call ``probe`` until ``accept`` holds for its answer: events and timers are handled asynchronously."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = await probe()
                if accept(last):
                    return last  # type: ignore[no-any-return]
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    raise
                last = error
            await asyncio.sleep(0.05)
        raise AssertionError(f"never accepted; last answer: {last}")


@pytest.fixture
async def refund(tmp_path: Path, nats_server) -> AsyncIterator[RefundClient]:  # type: ignore[no-untyped-def]
    env = service_environ("refund", tmp_path, nats_server.url, LEADFLOW_REFUND_LEDGER_CHECK_SECONDS="1")
    clock = FakeClock(START)
    running = await start_service("refund", env, clock=clock)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = refund_service_pb2_grpc.RefundServiceStub(channel)
            yield RefundClient(stub, TokenMinter(env), running, clock, nats_server.url)
    finally:
        await running.stop()
