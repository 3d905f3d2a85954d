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
from services.dedup import settings as dedup_settings
from services.dedup.bootstrap import build_app

JWT_KEY = "dedup-api-test-key-" + "k" * 32


def service_environ(data_dir: Path, nats_url: str, **extra: str) -> dict[str, str]:
    return {
        "LEADFLOW_DEDUP_GRPC_PORT": "0",
        "LEADFLOW_DEDUP_METRICS_PORT": "0",
        "LEADFLOW_NATS_URL": nats_url,
        "LEADFLOW_DATA_DIR": str(data_dir),
        "LEADFLOW_JWT_HS256_KEY": JWT_KEY,
        "LEADFLOW_SHUTDOWN_DELAY_SECONDS": "0",
        "LEADFLOW_SHUTDOWN_GRACE_SECONDS": "2",
        **extra,
    }


@dataclass
class DedupClient:
    stub: dedup_service_pb2_grpc.DedupServiceStub
    codec: TokenCodec
    running: RunningService
    data_dir: Path

    def auth(self, role: Role | str = Role.SERVICE, tenant: str = "t1", subject: str = "tester") -> tuple:
        return (("authorization", "Bearer " + self.codec.mint(tenant=tenant, role=role, subject=subject)),)


async def start_dedup(data_dir: Path, nats_url: str, **extra: str) -> tuple[RunningService, TokenCodec]:
    settings = dedup_settings.load(service_environ(data_dir, nats_url, **extra))
    running = RunningService(build_app(settings))
    await running.start()
    return running, TokenCodec(settings.common.auth)


@pytest.fixture
async def dedup(tmp_path: Path, shared_nats_server) -> AsyncIterator[DedupClient]:  # type: ignore[no-untyped-def]
    running, codec = await start_dedup(tmp_path, shared_nats_server.url)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            yield DedupClient(dedup_service_pb2_grpc.DedupServiceStub(channel), codec, running, tmp_path)
    finally:
        await running.stop()
