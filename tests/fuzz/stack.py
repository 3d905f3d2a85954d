"""All five services started in-process for the bad-input suite, and one synchronous way to call any of their RPCs.

The services run on an event loop of their own thread (``LoopThread``), so Hypothesis tests stay plain synchronous
functions and each case costs one blocking gRPC call on a channel opened once per service. Everything the services
log while the stack is up is captured as the JSON lines they would write (``JsonFormatter``), and the text of every
error they answer is kept, for the personal-data scan at the end of the module.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.auth import Role
from services.common.logs import JsonFormatter
from services.common.runtime import RunningService
from tests.fuzz.rpcs import Rpc
from tests.harness import TokenMinter, service_environ, start_service

T = TypeVar("T")
SERVICES = ("dedup", "ingest", "assign", "telephony", "refund")
PII_KEYS = "fuzz1:" + "F" * 43 + "="
# A case's deadline: far above any honest answer on a loaded machine, so DEADLINE_EXCEEDED means a stuck server.
CALL_DEADLINE_SECONDS = 30.0
# Requests up to 5 MiB plus headroom leave the client, so the server (4 MiB limit) is the one that refuses them.
CLIENT_OPTIONS = [("grpc.max_send_message_length", 8 * 1024 * 1024)]


class LoopThread:
    """An asyncio loop on a daemon thread; ``run`` executes a coroutine there and waits for its result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fuzz-services", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@dataclass(frozen=True)
class Answer:
    """What one call came back with: OK (``response`` set) or an error with its code and decoded details."""

    code: grpc.StatusCode
    details: str = ""
    violations: tuple[str, ...] = ()
    response: Any = None

    @property
    def violation_fields(self) -> tuple[str, ...]:
        return tuple(v.split("\n", 1)[0] for v in self.violations)


def _answer_of(error: grpc.RpcError) -> Answer:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    violations: list[str] = []
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations.extend(f"{v.field}\n{v.description}" for v in bad.field_violations)
    return Answer(error.code(), error.details() or "", tuple(violations))  # type: ignore[attr-defined]


class CapturedLogs(logging.Handler):
    """Every record the services log, formatted as their JSON log lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter("fuzz"))
        self.buffer = io.StringIO()
        self._lock_text = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        with self._lock_text:
            self.buffer.write(line + "\n")

    def text(self) -> str:
        with self._lock_text:
            return self.buffer.getvalue()


@dataclass
class FuzzStack:
    loop: LoopThread
    env: dict[str, str]
    running: dict[str, RunningService]
    tokens: TokenMinter
    logs: CapturedLogs
    channels: dict[str, grpc.Channel] = field(default_factory=dict)
    error_texts: list[str] = field(default_factory=list)
    calls: int = 0
    # Each producer stream's last sequence before the suite ran (tests.fuzz.events), set by the fixture.
    stream_start: dict[str, int] = field(default_factory=dict)
    previous_root_level: int = logging.WARNING

    def metadata(self, rpc: Rpc, tenant: str) -> tuple[tuple[str, str], ...]:
        """A token that ``rpc`` accepts: a role it allows (admin first) and, for internal methods, a caller it
        names as the subject."""
        binding = self.running[rpc.service].app.bindings[0]
        roles = binding.roles_for(rpc.method)
        role = Role.ADMIN if Role.ADMIN in roles else sorted(roles)[0]
        callers = binding.callers_for(rpc.method)
        subject = sorted(callers)[0] if callers else "fuzz"
        return self.tokens.metadata(tenant, role, subject)

    def call(
        self,
        rpc: Rpc,
        requests: Message | Sequence[Message],
        metadata: Iterable[tuple[str, str]] | None,
        timeout: float = CALL_DEADLINE_SECONDS,
    ) -> Answer:
        """Call ``rpc`` (a stream RPC sends ``requests`` in order and reads every answer); errors are answers."""
        channel = self.channels[rpc.service]
        callable_ = rpc.callable(channel)
        self.calls += 1
        try:
            if rpc.client_streaming:
                items = requests if isinstance(requests, Sequence) else [requests]
                result = callable_(iter(items), metadata=metadata, timeout=timeout)
            else:
                result = callable_(requests, metadata=metadata, timeout=timeout)
            if rpc.server_streaming:
                result = list(result)
            return Answer(grpc.StatusCode.OK, response=result)
        except grpc.RpcError as error:
            answer = _answer_of(error)
            self.error_texts.append(answer.details)
            self.error_texts.extend(answer.violations)
            return answer

    def is_serving(self) -> bool:
        """Every service still answers its health check (none crashed or hangs)."""
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        for name, channel in self.channels.items():
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            if reply.status != health_pb2.HealthCheckResponse.SERVING:
                return False
            if self.running[name].stop_event.is_set():
                return False
        return True

    def stop(self) -> None:
        for channel in self.channels.values():
            channel.close()

        async def stop_all() -> None:
            for name in reversed(SERVICES):
                if name in self.running:
                    await self.running[name].stop()

        try:
            self.loop.run(stop_all())
        finally:
            logging.getLogger().removeHandler(self.logs)
            logging.getLogger().setLevel(self.previous_root_level)
            self.loop.close()


def start_stack(data_dir: Path, nats_url: str) -> FuzzStack:
    """Start the five services (dedup before ingest, which calls it) on ``nats_url`` with databases under
    ``data_dir``; the caller must ``stop()`` the stack."""
    env = service_environ(
        SERVICES,
        data_dir,
        nats_url,
        LEADFLOW_PII_KEYS=PII_KEYS,
        LEADFLOW_INGEST_FINGERPRINT_KEY="fingerprint-fuzz-key-" + "f" * 32,
    )
    logs = CapturedLogs()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(logs)
    root.setLevel(logging.INFO)  # what the services log in production (configure_logging's default)
    loop = LoopThread()
    stack = FuzzStack(loop, env, {}, TokenMinter(env), logs, previous_root_level=previous_level)
    try:
        for name in SERVICES:
            stack.running[name] = loop.run(start_service(name, env))
            if name == "dedup":
                env["LEADFLOW_INGEST_DEDUP_ADDRESS"] = f"127.0.0.1:{stack.running[name].port}"
            stack.channels[name] = grpc.insecure_channel(
                f"127.0.0.1:{stack.running[name].port}", options=CLIENT_OPTIONS
            )
    except BaseException:
        stack.stop()
        raise
    return stack
