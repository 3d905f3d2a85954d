"""Ingest with its SQLite file locked by an outside writer (issue 13 items 1-3): a locked database answers
UNAVAILABLE, never INTERNAL; reads are served while writes wait; work whose caller gave up is never done later; and
the service reports its writes NOT_SERVING while the lock lasts, and SERVING again after."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import error_info_of
from tests.harness import outside_sqlite_writer
from tests.ingest.helpers import lead_request, unique
from tests.ingest.stack import Stack, start_stack

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]

ENV = {"LEADFLOW_DB_BUSY_TIMEOUT_MS": "1500", "LEADFLOW_DB_UNWRITABLE_SECONDS": "1"}
WRITES = "leadflow.ingest.v1.IngestService/writes"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    running = await start_stack(tmp_path_factory.mktemp("locked"), ingest_env=ENV)
    try:
        yield running
    finally:
        await running.stop()


def _db(stack: Stack) -> Path:
    return stack.tmp / "ingest.db"


async def _count(stack: Stack, tenant: str) -> int:
    reply = await stack.ingest_stub().ListLeads(
        pb.ListLeadsRequest(page_size=1), metadata=stack.metadata(tenant)
    )
    return reply.total_size


async def test_a_locked_database_answers_unavailable_not_internal(stack: Stack) -> None:
    md = stack.metadata(unique("tenant"))
    with outside_sqlite_writer(_db(stack)):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stack.ingest_stub().SubmitLead(lead_request(), metadata=md)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info_of(refused.value).reason == "DATABASE_BUSY"
    retried = await stack.ingest_stub().SubmitLead(
        lead_request(), metadata=md
    )  # the caller retries: it works
    assert retried.lead.id


async def test_reads_are_served_while_writes_wait_for_the_lock(stack: Stack) -> None:
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    stored = await stack.ingest_stub().SubmitLead(lead_request(), metadata=md)
    ingest = stack.ingest_stub()
    with outside_sqlite_writer(_db(stack)):
        writes = [asyncio.ensure_future(ingest.SubmitLead(lead_request(), metadata=md)) for _ in range(12)]
        await asyncio.sleep(0.2)  # the writes are in, waiting for the lock
        read = await ingest.GetLead(pb.GetLeadRequest(lead_id=stored.lead.id), metadata=md)
        listed = await ingest.ListLeads(pb.ListLeadsRequest(), metadata=md)
        waiting = sum(not task.done() for task in writes)
        assert read.lead.id == stored.lead.id and listed.total_size == 1
        assert waiting > 0  # the reads did not queue behind the blocked writes
        outcomes = await asyncio.gather(*writes, return_exceptions=True)
    assert all(
        isinstance(o, grpc.aio.AioRpcError) and o.code() == grpc.StatusCode.UNAVAILABLE for o in outcomes
    )


async def test_work_whose_caller_gave_up_is_never_done_later(stack: Stack) -> None:
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    ingest = stack.ingest_stub()
    with outside_sqlite_writer(_db(stack)):
        outcomes = await asyncio.gather(
            *(ingest.SubmitLead(lead_request(), metadata=md, timeout=0.7) for _ in range(8)),
            return_exceptions=True,
        )
        await asyncio.sleep(2)  # the lock lasts longer than every caller's deadline
    assert all(isinstance(o, grpc.aio.AioRpcError) for o in outcomes)
    assert {o.code() for o in outcomes} <= {grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE}
    last = await ingest.SubmitLead(lead_request(), metadata=md)  # served once the lock is gone
    await asyncio.sleep(0.5)
    assert await _count(stack, tenant) == 1 and last.lead.id  # none of the abandoned 8 was stored afterwards


def _health(address: str, service: str) -> int:
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        return stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status


def _writes_health(address: str) -> int:
    return _health(address, WRITES)


def _writable_gauge(stack: Stack) -> str:
    url = f"http://127.0.0.1:{stack.ingest.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - loopback
        lines = reply.read().decode().splitlines()
    # One process serves dedup and ingest here (in production each has its own): the service label tells them apart.
    return next(line for line in lines if line.startswith('leadflow_db_writable{service="ingest"}'))


async def _eventually_health(stack: Stack, wanted: int) -> None:
    # Up to 60 s: on a loaded machine (a benchmark beside the suite) 20 s was seen to pass without a report.
    for _ in range(600):
        if await asyncio.to_thread(_writes_health, stack.ingest_address) == wanted:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{WRITES} never became {wanted}")


async def test_writes_report_not_serving_while_the_database_stays_locked(stack: Stack) -> None:
    # The module's stack, not a second one: leadflow_db_writable is labelled by service name, and a second ingest in
    # this process would report its own (unlocked) database under the same label between the checks below.
    serving, not_serving = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
    await _check_writes_health(stack, serving, not_serving)


async def _check_writes_health(stack: Stack, serving: int, not_serving: int) -> None:
    await _eventually_health(stack, serving)
    with outside_sqlite_writer(_db(stack)):
        await _eventually_health(stack, not_serving)
        assert _writable_gauge(stack).endswith(" 0.0")
        # Reads go on: the service itself stays SERVING. (A thread: the server answers on this event loop.)
        assert await asyncio.to_thread(_health, stack.ingest_address, "") == serving
    await _eventually_health(stack, serving)
    assert _writable_gauge(stack).endswith(" 1.0")
