"""The demo's way into a stack: where each service listens, its stubs, and who calls (tokens).

Addresses are resolved as ``leadflow up`` resolves ports (``services/cli/ports.py``): a ``--grpc-port SVC=PORT``
flag, then ``LEADFLOW_<SVC>_GRPC_PORT``, then the default (50051-50055), on ``--host`` (127.0.0.1). Tokens are minted
with the signing key of the stack's data directory (``LEADFLOW_DATA_DIR``, ``.leadflow`` by default, as ``leadflow
token`` does): an administrator of the demo tenant, and one token per agent whose subject is the agent's user id, so
agents call as themselves. With ``--token`` (an administrator token of any tenant) nothing is minted: the
administrator acts for the agents, naming them.

Before anything is sent, every service must answer gRPC health checks with SERVING; otherwise the demo refuses with
the address that did not answer.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from leadflow.refund.v1 import refund_service_pb2_grpc
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.cli import stackfile
from services.common.auth import TokenCodec
from services.common.config import AuthSettings, ConfigError, Env

HEALTH_TIMEOUT_SECONDS = 3.0
CALL_TIMEOUT_SECONDS = 15.0
DEV_KEY_FILE = "dev-jwt.key"
# Codes a call is tried again on: the server was busy (a locked SQLite database answers UNAVAILABLE) or lost a race.
TRANSIENT = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED, grpc.StatusCode.DEADLINE_EXCEEDED)
T = TypeVar("T")


class StackUnreachable(RuntimeError):
    """A service of the stack does not answer, or the demo cannot get a token for it."""


def resolve_addresses(env: Env, host: str, flags: Mapping[str, int]) -> dict[str, str]:
    """``{service: "host:port"}`` from flags, then LEADFLOW_<SVC>_GRPC_PORT, then the stack `leadflow up` runs over
    LEADFLOW_DATA_DIR (``stackfile``), then the defaults; ConfigError names a malformed variable."""
    return {name: f"{host}:{port}" for name, port in stackfile.grpc_ports(env, flags).items()}


def tenant_of(token: str) -> str:
    """The tenant claim of a JWT, read without verifying it (the services verify it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["tenant"])
    except (IndexError, ValueError, KeyError, TypeError):
        raise StackUnreachable("--token is not a leadflow JWT (no tenant claim)") from None


class Tokens:
    """Bearer tokens of the demo: the administrator's, and each agent's when they can be minted."""

    def __init__(self, admin: str, codec: TokenCodec | None, tenant: str) -> None:
        self.admin = admin
        self.tenant = tenant
        self._codec = codec
        self._agents: dict[str, str] = {}

    @classmethod
    def mint_with_data_dir(cls, env: Env, data_dir: Path, tenant: str) -> Tokens:
        """Tokens minted with the key of ``data_dir`` (never creating one: a stack that runs there made it)."""
        if env.raw("LEADFLOW_JWT_HS256_KEY") is None and not (data_dir / DEV_KEY_FILE).exists():
            raise StackUnreachable(
                f"no signing key in {data_dir} (no {DEV_KEY_FILE}): point LEADFLOW_DATA_DIR at the stack's data "
                "directory, or pass --token with an administrator token"
            )
        try:
            codec = TokenCodec(AuthSettings.from_env(env, data_dir))
            admin = codec.mint(tenant=tenant, role="admin", subject="demo-admin")
        except (ConfigError, ValueError) as exc:
            raise StackUnreachable(f"cannot mint tokens: {exc}") from None
        return cls(admin, codec, tenant)

    @classmethod
    def given(cls, token: str) -> Tokens:
        return cls(token, None, tenant_of(token))

    @property
    def agents_act_themselves(self) -> bool:
        return self._codec is not None

    def agent(self, user_id: str) -> str | None:
        """The agent's own token, or None when only the administrator's is available."""
        if self._codec is None:
            return None
        if user_id not in self._agents:
            self._agents[user_id] = self._codec.mint(tenant=self.tenant, role="agent", subject=user_id)
        return self._agents[user_id]


@dataclass
class Stubs:
    ingest: ingest_service_pb2_grpc.IngestServiceStub
    dedup: dedup_service_pb2_grpc.DedupServiceStub
    assign: assign_service_pb2_grpc.AssignServiceStub
    telephony: telephony_service_pb2_grpc.TelephonyServiceStub
    refund: refund_service_pb2_grpc.RefundServiceStub


class Connection:
    """Channels to the five services and a call helper that adds the token, a deadline and retries."""

    def __init__(self, addresses: Mapping[str, str], tokens: Tokens) -> None:
        self.addresses = dict(addresses)
        self.tokens = tokens
        self._channels = {
            name: grpc.aio.insecure_channel(address) for name, address in self.addresses.items()
        }
        self.stubs = Stubs(
            ingest=ingest_service_pb2_grpc.IngestServiceStub(self._channels["ingest"]),
            dedup=dedup_service_pb2_grpc.DedupServiceStub(self._channels["dedup"]),
            assign=assign_service_pb2_grpc.AssignServiceStub(self._channels["assign"]),
            telephony=telephony_service_pb2_grpc.TelephonyServiceStub(self._channels["telephony"]),
            refund=refund_service_pb2_grpc.RefundServiceStub(self._channels["refund"]),
        )

    async def check_serving(self) -> None:
        """Raise StackUnreachable naming every service that does not answer SERVING."""
        problems = await asyncio.gather(*(self._health(name) for name in self.addresses))
        found = [p for p in problems if p]
        if found:
            raise StackUnreachable(
                "the stack does not answer:\n"
                + "\n".join(f"  {p}" for p in found)
                + "\nstart it with `leadflow up --dev-clock` (or `make run`), or name its ports with "
                "--grpc-port SVC=PORT or LEADFLOW_<SVC>_GRPC_PORT"
            )

    async def _health(self, name: str) -> str:
        stub = health_pb2_grpc.HealthStub(self._channels[name])
        try:
            reply = await stub.Check(
                health_pb2.HealthCheckRequest(service=""), timeout=HEALTH_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            return f"{name} at {self.addresses[name]}: {exc.code().name}"
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
            return f"{name} at {self.addresses[name]}: {status}"
        return ""

    async def call(
        self,
        method: Callable[..., Awaitable[T]],
        request: Any,
        token: str | None = None,
        *,
        attempts: int = 5,
        timeout: float = CALL_TIMEOUT_SECONDS,
    ) -> T:
        """``method(request)`` with ``token`` (default: the administrator's); transient failures are retried with
        a growing pause, anything else raises ``grpc.aio.AioRpcError``."""
        metadata = (("authorization", f"Bearer {token or self.tokens.admin}"),)
        for attempt in range(attempts):
            try:
                return await method(request, metadata=metadata, timeout=timeout)
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in TRANSIENT or attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        await asyncio.gather(*(channel.close() for channel in self._channels.values()))


def error_reason(exc: grpc.aio.AioRpcError) -> str:
    """The ErrorInfo reason of a failed call (google.rpc.Status details), or the status code's name."""
    from google.rpc import error_details_pb2, status_pb2

    for key, value in exc.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    return info.reason
    return exc.code().name
