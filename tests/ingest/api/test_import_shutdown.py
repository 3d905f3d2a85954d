"""Shutdown during a long import (issue 13 item 8): the server finishes the chunk in hand, reports its progress, and
ends the stream with UNAVAILABLE; everything reported is stored, and sending the stream again completes it without
duplicates."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.db import Database
from services.common.grpc_errors import error_info_of
from services.ingest.adapters.db.tables import leads
from tests.harness import start_service
from tests.ingest.helpers import lead_request, unique
from tests.ingest.stack import start_stack

pytestmark = pytest.mark.slow  # processes of their own: `make test-slow`

ROWS = 3000


def _stored(url: str, tenant: str) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            query = sa.select(sa.func.count()).select_from(leads).where(leads.c.tenant_id == tenant)
            return int(session.execute(query).scalar_one())
    finally:
        database.dispose()


@pytest.mark.timeout(300)
async def test_shutdown_finishes_the_chunk_in_hand_and_a_resend_completes(tmp_path: Path) -> None:
    stack = await start_stack(tmp_path, ingest_env={"LEADFLOW_SHUTDOWN_GRACE_SECONDS": "30"})
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    requests = [lead_request() for _ in range(ROWS)]

    shutting_down = asyncio.Event()

    async def stream(stall_on_shutdown: bool = False):
        for request in requests:
            if stall_on_shutdown and shutting_down.is_set():
                # Send nothing more, without half-closing, until the server ends the call: a write that meets the
                # server's end makes grpc's aio client report INTERNAL ("Failed execute_batch") in place of the
                # status the server sent (grpc/grpc#36066, open). Rows not sent are resent below like the rest.
                await asyncio.Event().wait()
            yield pb.ImportLeadsRequest(request=request)
            await asyncio.sleep(0)

    progress: list[pb.ImportLeadsResponse] = []
    try:
        address = stack.ingest_address
        async with grpc.aio.insecure_channel(address) as channel:
            call = ingest_service_pb2_grpc.IngestServiceStub(channel).ImportLeads(
                stream(stall_on_shutdown=True), metadata=md
            )
            stopping = None
            with pytest.raises(grpc.aio.AioRpcError) as ended:
                async for message in call:
                    progress.append(message)
                    if len(progress) == 2 and stopping is None:
                        shutting_down.set()
                        stopping = asyncio.create_task(stack.ingest.stop())  # SIGTERM, as Kubernetes sends it
            assert ended.value.code() == grpc.StatusCode.UNAVAILABLE
            assert error_info_of(ended.value).reason == "SHUTTING_DOWN"
            await stopping
        settled = progress[-1].received_count
        assert 2 * 200 <= settled < ROWS and settled % 200 == 0  # whole chunks only
        url = f"sqlite:///{tmp_path / 'ingest.db'}"
        assert _stored(url, tenant) == settled  # everything reported is stored, and nothing more

        stack.ingest = await start_service("ingest", stack.env)
        summary = [m async for m in stack.ingest_stub().ImportLeads(stream(), metadata=md)][-1]
        assert (summary.replayed_count, summary.new_count) == (settled, ROWS - settled)
        assert _stored(url, tenant) == ROWS
    finally:
        await stack.stop()
