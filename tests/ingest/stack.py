"""A real dedup + real ingest + a real nats-server, in-process, for API tests and the bench.

Each stack gets its own nats-server (so durable consumers of two stacks never share messages) and its own
databases: SQLite files, or fresh PostgreSQL databases when ``dialect == "postgres"``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import nats

from leadflow.dedup.v1 import dedup_service_pb2_grpc
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.auth import TokenCodec
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from services.common.runtime import RunningService

TEST_JWT_KEY = "ingest-test-key-" + "k" * 40
POSTGRES_URL = os.environ.get("LEADFLOW_TEST_POSTGRES_URL")


def create_postgres_database(prefix: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert POSTGRES_URL
    base = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@dataclass
class Stack:
    tmp: Path
    nats_url: str
    nats_process: Any
    env: dict[str, str]
    dedup: RunningService | None = None
    ingest: RunningService | None = None
    codec: TokenCodec | None = None
    _channels: list[grpc.aio.Channel] = field(default_factory=list)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def ingest_address(self) -> str:
        assert self.ingest is not None
        return f"127.0.0.1:{self.ingest.port}"

    def metadata(self, tenant: str, role: str = "service") -> tuple[tuple[str, str], ...]:
        assert self.codec is not None
        return (("authorization", "Bearer " + self.codec.mint(tenant=tenant, role=role, subject="test")),)

    def channel(self, address: str, **options: Any) -> grpc.aio.Channel:
        channel = grpc.aio.insecure_channel(address, options=list(options.items()))
        self._channels.append(channel)
        return channel

    def ingest_stub(self) -> ingest_service_pb2_grpc.IngestServiceStub:
        return ingest_service_pb2_grpc.IngestServiceStub(self.channel(self.ingest_address))

    def dedup_stub(self) -> dedup_service_pb2_grpc.DedupServiceStub:
        assert self.dedup is not None
        return dedup_service_pb2_grpc.DedupServiceStub(self.channel(f"127.0.0.1:{self.dedup.port}"))

    async def nats(self) -> Any:
        return await nats.connect(self.nats_url)

    async def stop_dedup(self) -> None:
        if self.dedup is not None:
            await self.dedup.stop()
            self.dedup = None

    async def stop(self) -> None:
        for channel in self._channels:
            await channel.close()
        if self.ingest is not None:
            await self.ingest.stop()
        await self.stop_dedup()
        self.nats_process.terminate()
        self.nats_process.wait(timeout=10)
        for cleanup in self._cleanups:
            cleanup()


async def start_stack(
    tmp: Path, dialect: str = "sqlite", *, ingest_env: dict[str, str] | None = None, clock: Any = None
) -> Stack:
    from services.dedup.bootstrap import build_app as build_dedup
    from services.dedup.settings import load as load_dedup
    from services.ingest.bootstrap import build_app as build_ingest
    from services.ingest.settings import load as load_ingest

    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = start_nats_server(port, tmp / "jetstream", log_file=tmp / "nats.log")
    wait_for_port(port)
    env = {
        "LEADFLOW_DATA_DIR": str(tmp),
        "LEADFLOW_NATS_URL": f"nats://127.0.0.1:{port}",
        "LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY,
        "LEADFLOW_SHUTDOWN_DELAY_SECONDS": "0",
        "LEADFLOW_SHUTDOWN_GRACE_SECONDS": "2",
        "LEADFLOW_DEDUP_GRPC_PORT": "0",
        "LEADFLOW_DEDUP_METRICS_PORT": "0",
        "LEADFLOW_INGEST_GRPC_PORT": "0",
        "LEADFLOW_INGEST_METRICS_PORT": "0",
        "LEADFLOW_INGEST_FINGERPRINT_KEY": "fingerprint-test-key-" + "f" * 32,
    }
    stack = Stack(tmp=tmp, nats_url=env["LEADFLOW_NATS_URL"], nats_process=process, env=env)
    try:
        if dialect == "postgres":
            for service in ("dedup", "ingest"):
                url, drop = create_postgres_database(f"lf_{service}")
                env[f"LEADFLOW_{service.upper()}_DATABASE_URL"] = url
                stack._cleanups.append(drop)
        env.update(ingest_env or {})
        dedup_settings = load_dedup(env)
        stack.codec = TokenCodec(dedup_settings.common.auth)
        stack.dedup = RunningService(build_dedup(dedup_settings))
        await stack.dedup.start()
        env.setdefault("LEADFLOW_INGEST_DEDUP_ADDRESS", f"127.0.0.1:{stack.dedup.port}")
        stack.ingest = RunningService(build_ingest(load_ingest(env), clock=clock))
        await stack.ingest.start()
    except BaseException:
        await stack.stop()
        raise
    return stack
