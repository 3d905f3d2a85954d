"""Ingest's calls to dedup are bounded in flight (LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT): a burst of batches waits in
ingest for a slot, not inside a busy dedup where each call's deadline is already running.

The real dedup answers every call; a proxy in front of it serves one call at a time and holds each a while, as a
dedup that is the bottleneck does (on PostgreSQL, 16 BatchSubmitLeads of 100 at once had calls queue there past the
2 s deadline and whole batches answered UNAVAILABLE).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.auth import TokenCodec
from services.common.config import ConfigError
from services.common.deadline import deadline_var
from services.common.errors import DeadlineExceeded
from services.common.grpc_errors import error_info_of
from services.ingest.adapters.dedup_client import GrpcDedupClient, TokenCache
from services.ingest.domain.model import Dimension
from services.ingest.domain.ports import ClaimRequest
from services.ingest.metrics import DEDUP_CALLS_WAITING
from services.ingest.settings import load as load_ingest_settings
from tests.ingest.helpers import lead_request, unique
from tests.ingest.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOLD_SECONDS = 0.4  # each call's turn at the proxy
# Unbounded, the 4th to 8th of 8 calls sent together wait 1.6-3.2 s at the proxy: past it.
DEDUP_TIMEOUT = "1.5"
CALLS = 8


class SerialProxy:
    """A gRPC server that forwards every unary call, bytes as they are, to ``upstream`` one at a time, each held
    ``hold`` seconds first. Counts the calls it received and the most that were inside it at once."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.upstream = ""
        self.received = 0
        self.inside = 0
        self.most_inside = 0
        self._turn = asyncio.Lock()
        self._server = grpc.aio.server()
        self._server.add_generic_rpc_handlers((self,))
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._channel: grpc.aio.Channel | None = None

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        if details.method.startswith("/grpc.health."):
            return None  # UNIMPLEMENTED: the client treats the server as healthy (gRFC A17)
        return grpc.unary_unary_rpc_method_handler(self._forward(details.method))

    def _forward(self, method: str) -> Callable[[bytes, grpc.aio.ServicerContext], Awaitable[bytes]]:
        async def forward(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            self.received += 1
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            try:
                async with self._turn:
                    await asyncio.sleep(self.hold)
                    if self._channel is None:
                        self._channel = grpc.aio.insecure_channel(self.upstream)
                    metadata = [(k, v) for k, v in context.invocation_metadata() if k == "authorization"]
                    try:
                        answer: bytes = await self._channel.unary_unary(method)(request, metadata=metadata)
                    except grpc.aio.AioRpcError as exc:
                        await context.abort(exc.code(), exc.details() or "")
                    return answer
            finally:
                self.inside -= 1

        return forward

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop(None)
        if self._channel is not None:
            await self._channel.close()


async def _stack_behind_proxy(tmp_path: Path, max_in_flight: int) -> tuple[Stack, SerialProxy]:
    proxy = SerialProxy(HOLD_SECONDS)
    await proxy.start()
    stack = await start_stack(
        tmp_path,
        ingest_env={
            "LEADFLOW_INGEST_DEDUP_ADDRESS": f"127.0.0.1:{proxy.port}",
            "LEADFLOW_INGEST_DEDUP_TIMEOUT_SECONDS": DEDUP_TIMEOUT,
            "LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT": str(max_in_flight),
        },
    )
    assert stack.dedup is not None
    proxy.upstream = f"127.0.0.1:{stack.dedup.port}"  # ingest opens its channel on the first claim
    return stack, proxy


async def _burst(stack: Stack) -> list[Any]:
    """CALLS BatchSubmitLeads of 3 fresh leads each at once: each answer, or the AioRpcError it raised."""
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    batches = [pb.BatchSubmitLeadsRequest(requests=[lead_request() for _ in range(3)]) for _ in range(CALLS)]
    return await asyncio.gather(
        *(ingest.BatchSubmitLeads(batch, metadata=md, timeout=60) for batch in batches),
        return_exceptions=True,
    )


async def test_a_burst_waits_in_ingest_and_every_batch_is_stored(tmp_path: Path) -> None:
    stack, proxy = await _stack_behind_proxy(tmp_path, max_in_flight=2)
    try:
        answers = await _burst(stack)
        assert all(isinstance(a, pb.BatchSubmitLeadsResponse) for a in answers), answers
        verdicts = [r.response.verdict for a in answers for r in a.results]
        assert verdicts == [lead_pb2.LEAD_VERDICT_NEW] * CALLS * 3
        assert proxy.received == CALLS and proxy.most_inside == 2
        assert DEDUP_CALLS_WAITING._value.get() == 0  # every waiter left the gauge
    finally:
        await stack.stop()
        await proxy.stop()


async def test_without_the_bound_the_same_burst_times_out_at_dedup(tmp_path: Path) -> None:
    # The fault the bound removes: all 8 sent at once, the last ones' deadline runs out while they queue at dedup.
    stack, proxy = await _stack_behind_proxy(tmp_path, max_in_flight=CALLS)
    try:
        answers = await _burst(stack)
        failed = [a for a in answers if isinstance(a, grpc.aio.AioRpcError)]
        assert failed and proxy.most_inside > 2
        assert {a.code() for a in failed} == {grpc.StatusCode.UNAVAILABLE}
        assert {error_info_of(a).reason for a in failed} == {"DEDUP_UNAVAILABLE"}
    finally:
        await stack.stop()
        await proxy.stop()


def _claim(n: int) -> ClaimRequest:
    return ClaimRequest(
        account_id="acct-1",
        collect_account_id="",
        candidate_lead_id=f"01CANDIDATE{n:014d}",
        fingerprints=((Dimension.PHONE, bytes([n]) * 32),),
        submit_time=datetime.now(UTC),
        request_id=f"claim-{n}",
    )


async def test_a_caller_whose_deadline_passes_while_waiting_sends_nothing(tmp_path: Path) -> None:
    stack, proxy = await _stack_behind_proxy(tmp_path, max_in_flight=1)
    assert stack.codec is not None
    client = GrpcDedupClient(
        f"127.0.0.1:{proxy.port}", timeout=10, tokens=TokenCache(stack.codec), tls=None, max_in_flight=1
    )
    proxy.hold = 1.0
    try:
        tenant = unique("tenant")
        first = asyncio.create_task(client.batch_claim(tenant, [_claim(1)]))
        while proxy.received == 0:
            await asyncio.sleep(0.01)

        async def late() -> None:
            deadline_var.set(time.monotonic() + 0.2)  # in this task's context only
            waiting = asyncio.create_task(client.batch_claim(tenant, [_claim(2)]))
            await asyncio.sleep(0.05)
            assert DEDUP_CALLS_WAITING._value.get() == 1
            await waiting

        with pytest.raises(DeadlineExceeded, match="waiting to call dedup"):
            await late()
        assert DEDUP_CALLS_WAITING._value.get() == 0
        assert [type(a).__name__ for a in await first] == ["ClaimAnswer"]
        assert proxy.received == 1  # the late call never reached dedup
        # A slot is free again: the next call goes through.
        assert len(await client.batch_claim(tenant, [_claim(3)])) == 1
        assert proxy.received == 2
    finally:
        await client.close()
        await stack.stop()
        await proxy.stop()


async def test_a_bound_below_one_is_refused() -> None:
    codec = TokenCodec.__new__(TokenCodec)  # never used: the constructor refuses first
    with pytest.raises(ValueError, match="max_in_flight"):
        GrpcDedupClient("127.0.0.1:1", timeout=1, tokens=TokenCache(codec), tls=None, max_in_flight=0)


async def test_the_bound_is_read_from_the_environment_and_checked(tmp_path: Path) -> None:
    base = {"LEADFLOW_DATA_DIR": str(tmp_path), "LEADFLOW_INGEST_FINGERPRINT_KEY": "k" * 32}
    assert load_ingest_settings(base).dedup_max_in_flight == 4
    assert (
        load_ingest_settings({**base, "LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT": "16"}).dedup_max_in_flight == 16
    )
    for bad in ("0", "-1", "many"):
        with pytest.raises(ConfigError, match="LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT"):
            load_ingest_settings({**base, "LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT": bad})
