"""The real dedup service, started in-process on port 0 (RunningService), called through a grpc.aio channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.runtime import RunningService
from tests.harness import TokenMinter, service_environ, start_service


@dataclass
class DedupClient:
    stub: dedup_service_pb2_grpc.DedupServiceStub
    codec: TokenCodec
    running: RunningService
    data_dir: Path

    def auth(self, role: Role | str = Role.SERVICE, tenant: str = "t1", subject: str | None = None) -> tuple:
        """A token of ``role``; a service token is ingest's own (subject "ingest", the caller dedup's internal
        methods answer) unless another subject is given."""
        if subject is None:
            subject = "ingest" if Role(role) is Role.SERVICE else "tester"
        return (("authorization", "Bearer " + self.codec.mint(tenant=tenant, role=role, subject=subject)),)


async def start_dedup(data_dir: Path, nats_url: str, **extra: str) -> tuple[RunningService, TokenCodec]:
    env = service_environ("dedup", data_dir, nats_url, **extra)
    return await start_service("dedup", env), TokenMinter(env).codec


@pytest.fixture
async def dedup(tmp_path: Path, shared_nats_server) -> AsyncIterator[DedupClient]:  # type: ignore[no-untyped-def]
    running, codec = await start_dedup(tmp_path, shared_nats_server.url)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            yield DedupClient(dedup_service_pb2_grpc.DedupServiceStub(channel), codec, running, tmp_path)
    finally:
        await running.stop()
