"""A real dedup + real ingest + a real nats-server, in-process, for API tests and the bench.

Each stack gets its own nats-server (so durable consumers of two stacks never share messages) and its own
databases: SQLite files, or fresh PostgreSQL databases when ``dialect == "postgres"``.
"""

from __future__ import annotations

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
from tests.harness import POSTGRES_URL, TokenMinter, fresh_postgres_database, service_environ, start_service  # noqa: F401


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
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = start_nats_server(port, tmp / "jetstream", log_file=tmp / "nats.log")
    wait_for_port(port)
    env = service_environ(
        ("dedup", "ingest"),
        tmp,
        f"nats://127.0.0.1:{port}",
        LEADFLOW_INGEST_FINGERPRINT_KEY="fingerprint-test-key-" + "f" * 32,
        # Past production's 2 s: on a machine running the suite's workers side by side a dedup call can queue that
        # long. The tests of the deadline itself set their own through ingest_env.
        LEADFLOW_INGEST_DEDUP_TIMEOUT_SECONDS="10",
    )
    stack = Stack(tmp=tmp, nats_url=env["LEADFLOW_NATS_URL"], nats_process=process, env=env)
    try:
        if dialect == "postgres":
            for service in ("dedup", "ingest"):
                url, drop = fresh_postgres_database(f"lf_{service}")
                env[f"LEADFLOW_{service.upper()}_DATABASE_URL"] = url
                stack._cleanups.append(drop)
        env.update(ingest_env or {})
        stack.dedup = await start_service("dedup", env)
        stack.codec = TokenMinter(env).codec
        env.setdefault("LEADFLOW_INGEST_DEDUP_ADDRESS", f"127.0.0.1:{stack.dedup.port}")
        stack.ingest = await start_service("ingest", env, clock=clock)
    except BaseException:
        await stack.stop()
        raise
    return stack
