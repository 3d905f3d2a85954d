"""The dedup port over gRPC: ``ClaimLead``, ``BatchClaimLeads`` (and ``ForgetLead`` for erasures) with a deadline,
retries of UNAVAILABLE only (through the channel's service config), and a service token per tenant.

Every call carries a bearer token minted for the caller's tenant with role ``service`` and subject ``ingest``
(dedup takes the tenant from the token, never from the request); tokens are cached per tenant and renewed a
margin before they expire.

Failures: UNAVAILABLE and DEADLINE_EXCEEDED (dedup down, overloaded or slow) become ``Unavailable``, so SubmitLead
answers UNAVAILABLE and stores nothing; FAILED_PRECONDITION REQUEST_ID_REUSED becomes ``ClaimConflict`` (a
concurrent attempt of the same submission, see handlers); ABORTED (dedup lost too many races) becomes
``Aborted``. Anything else dedup answers (INVALID_ARGUMENT, UNAUTHENTICATED, ...) means ingest built a bad call or
is misconfigured: it is logged and reported as ``Unavailable`` with reason DEDUP_REFUSED, never as the caller's
fault.

At most ``max_in_flight`` calls are in flight at once (``LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT``); the others wait
here for a slot, as long as their own caller's deadline allows, and only then start dedup's deadline. Without the
bound a burst of batches (16 BatchSubmitLeads of 100 on PostgreSQL) queued inside dedup, where each call's 2 s was
already running, and whole batches were answered UNAVAILABLE though dedup was working through them; the calls
waiting show in ``leadflow_ingest_dedup_calls_waiting``. A caller whose deadline passes while it waits gets
DEADLINE_EXCEEDED, and nothing was sent to dedup or stored.

The grpc.aio channel is opened on first use, inside the running event loop, and closed by ``close()``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import grpc

from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common import deadline
from services.common.auth import Role, TokenCodec
from services.common.config import TlsSettings
from services.common.errors import Aborted, DeadlineExceeded, DomainError, Unavailable
from services.common.grpc_errors import error_info_of
from services.common.grpcclient import open_channel
from services.ingest.converters.dedup import batch_claim_message, claim_answer, claim_message
from services.ingest.domain.ports import ClaimAnswer, ClaimConflict, ClaimRequest, DedupPort
from services.ingest.metrics import DEDUP_CALLS_WAITING

log = logging.getLogger("leadflow.ingest.dedup")

DEDUP_SERVICE = "leadflow.dedup.v1.DedupService"
TOKEN_TTL_SECONDS = 3600
TOKEN_MARGIN_SECONDS = 300
DEFAULT_MAX_IN_FLIGHT = 4


class TokenCache:
    """Service tokens per tenant, reused until ``margin`` seconds before they expire."""

    def __init__(
        self, codec: TokenCodec, *, ttl: int = TOKEN_TTL_SECONDS, margin: int = TOKEN_MARGIN_SECONDS
    ) -> None:
        self._codec = codec
        self._ttl = ttl
        self._margin = margin
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def token(self, tenant_id: str) -> str:
        now = time.monotonic()
        cached = self._tokens.get(tenant_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        token = self._codec.mint(tenant=tenant_id, role=Role.SERVICE, subject="ingest", ttl_seconds=self._ttl)
        with self._lock:
            self._tokens[tenant_id] = (token, now + self._ttl - self._margin)
        return token


class GrpcDedupClient(DedupPort):
    """``timeout``: seconds each call to dedup may take once sent; ``max_in_flight``: calls sent at once, the rest
    waiting for a slot (module docstring)."""

    def __init__(
        self,
        address: str,
        *,
        timeout: float,
        tokens: TokenCache,
        tls: TlsSettings | None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
        self._address = address
        self._timeout = timeout
        self._tokens = tokens
        self._tls = tls
        self._max_in_flight = max_in_flight
        self._slots: asyncio.Semaphore | None = None
        self._channel: grpc.aio.Channel | None = None
        self._stub: dedup_service_pb2_grpc.DedupServiceStub | None = None

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """One of the ``max_in_flight`` slots for the duration of a call, waited for no longer than the caller's
        deadline. Raises DeadlineExceeded when that passes first."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_in_flight)  # made in the loop that uses it
        slots = self._slots
        if slots.locked():
            DEDUP_CALLS_WAITING.inc()
            try:
                await asyncio.wait_for(slots.acquire(), deadline.remaining())
            except TimeoutError:
                raise DeadlineExceeded(
                    "the caller's deadline passed while waiting to call dedup; nothing was stored"
                ) from None
            finally:
                DEDUP_CALLS_WAITING.dec()
        else:
            await slots.acquire()
        try:
            yield
        finally:
            slots.release()

    def _get_stub(self) -> dedup_service_pb2_grpc.DedupServiceStub:
        if self._stub is None:
            self._channel = open_channel(self._address, service_name=DEDUP_SERVICE, tls=self._tls)
            self._stub = dedup_service_pb2_grpc.DedupServiceStub(self._channel)
        return self._stub

    def _metadata(self, tenant_id: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", "Bearer " + self._tokens.token(tenant_id)),)

    async def claim(self, tenant_id: str, request: ClaimRequest) -> ClaimAnswer:
        stub = self._get_stub()
        try:
            async with self._slot():
                response = await stub.ClaimLead(
                    claim_message(request), timeout=self._timeout, metadata=self._metadata(tenant_id)
                )
        except grpc.aio.AioRpcError as exc:
            raise _translate(exc) from None
        return claim_answer(response)

    async def batch_claim(
        self, tenant_id: str, requests: Sequence[ClaimRequest]
    ) -> list[ClaimAnswer | DomainError]:
        stub = self._get_stub()
        message = batch_claim_message(requests)
        try:
            async with self._slot():
                response = await stub.BatchClaimLeads(
                    message, timeout=self._timeout, metadata=self._metadata(tenant_id)
                )
        except grpc.aio.AioRpcError as exc:
            raise _translate(exc) from None
        results: list[ClaimAnswer | DomainError] = []
        for result in response.results:
            if result.HasField("response"):
                results.append(claim_answer(result.response))
            else:
                results.append(_item_error(result.error.code, result.error.reason, result.error.message))
        if len(results) != len(requests):
            raise Unavailable(
                "dedup answered a batch with the wrong number of results", reason="DEDUP_REFUSED"
            )
        return results

    async def forget(self, tenant_id: str, lead_id: str) -> None:
        """ForgetLead without a request id, so every call removes whatever keys the lead has now (a claim racing an
        erasure may have added one since the previous call). NOT_FOUND: dedup never saw the lead, nothing to
        forget."""
        stub = self._get_stub()
        try:
            async with self._slot():
                await stub.ForgetLead(
                    dedup_pb.ForgetLeadRequest(lead_id=lead_id),
                    timeout=self._timeout,
                    metadata=self._metadata(tenant_id),
                )
        except grpc.aio.AioRpcError as exc:
            if exc.code() is not grpc.StatusCode.NOT_FOUND:
                raise _translate(exc) from None

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None
            self._stub = None


def _translate(exc: grpc.aio.AioRpcError) -> DomainError:
    info = error_info_of(exc)
    reason = info.reason if info is not None else ""
    return _item_error(exc.code().name, reason, exc.details() or "")


def _item_error(code: str, reason: str, message: str) -> DomainError:
    if code in ("UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "RESOURCE_EXHAUSTED"):
        return Unavailable(
            "the dedup service is unavailable; nothing was stored, retry later", reason="DEDUP_UNAVAILABLE"
        )
    if code == "FAILED_PRECONDITION" and reason == "REQUEST_ID_REUSED":
        return ClaimConflict("dedup holds a different claim for this submission", reason="CLAIM_CONFLICT")
    if code == "ABORTED":
        return Aborted("dedup lost too many races with concurrent claims; retry", reason="DEDUP_ABORTED")
    log.error("dedup refused a claim", extra={"grpc_code": code, "reason": reason, "detail": message})
    return Unavailable(
        "dedup could not judge this submission; nothing was stored, retry later", reason="DEDUP_REFUSED"
    )
