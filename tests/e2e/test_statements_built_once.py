"""The whole pipeline builds no SQL statement per lead: the five services, in this process on SQLite files with a
real nats-server, take leads through SubmitLead and BatchSubmitLeads, dedup, assignment, telephony's and refund's
copies, the outbox relays, the inboxes and the timers; once warm, a second round of leads and every background loop
run after it must execute only statements built before it (``services.common.statements``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from bench.e2e.leads import AssignedWatch, People, set_up_assignment
from bench.e2e.window import settle
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.config import SERVICES
from services.common.runtime import RunningService
from services.telephony.workers import GAUGE_INTERVAL_SECONDS, UNBIND_INTERVAL_SECONDS
from tests.harness import TokenMinter, service_environ, start_service
from tests.statement_builds import counting_statement_builds

pytestmark = pytest.mark.timeout(240)

TENANT = "statements-tenant"


# Every background loop runs at least once inside the counted window, however fast the host: the pool gauges
# (telephony's and assign's, every 15 s), the unbind worker (2 s), the push worker (1 s), the timers, and refund's
# ledger check (set to every second here).
BACKGROUND_LOOPS_SECONDS = max(GAUGE_INTERVAL_SECONDS, UNBIND_INTERVAL_SECONDS) + 2.0


async def _start_all(tmp_path: Path, nats_url: str) -> tuple[dict[str, RunningService], dict[str, str]]:
    env = service_environ(SERVICES, tmp_path, nats_url, LEADFLOW_REFUND_LEDGER_CHECK_SECONDS="1")
    running: dict[str, RunningService] = {}
    for name in [s for s in SERVICES if s != "ingest"]:
        running[name] = await start_service(name, env)
    env["LEADFLOW_INGEST_DEDUP_ADDRESS"] = f"127.0.0.1:{running['dedup'].port}"
    running["ingest"] = await start_service("ingest", env)
    return running, env


async def _round(
    stub: ingest_service_pb2_grpc.IngestServiceStub,
    metadata: tuple[tuple[str, str], ...],
    people: People,
    watch: AssignedWatch,
    nats_url: str,
) -> None:
    """Leads one at a time, eight at once (gathered into groups), and a batch; wait until all are assigned and
    every consumer of every stream has settled."""
    lead_ids = [(await stub.SubmitLead(people.lead(), metadata=metadata)).lead.id for _ in range(3)]
    answers = await asyncio.gather(*(stub.SubmitLead(people.lead(), metadata=metadata) for _ in range(8)))
    lead_ids += [answer.lead.id for answer in answers]
    batch = await stub.BatchSubmitLeads(
        pb.BatchSubmitLeadsRequest(requests=[people.lead() for _ in range(20)]), metadata=metadata
    )
    lead_ids += [result.response.lead.id for result in batch.results]
    assert all(lead_ids), "every lead was accepted"
    assert await watch.wait_for(lead_ids, 60) == 0, "every lead was assigned"
    assert await settle(nats_url, 60), "every consumer caught up"


@pytest.fixture
async def pipeline(tmp_path: Path, nats_server) -> AsyncIterator[dict[str, RunningService]]:  # type: ignore[no-untyped-def]
    running, _ = await _start_all(tmp_path, nats_server.url)
    try:
        yield running
    finally:
        for service in reversed(list(running.values())):
            await service.stop()


async def test_a_warm_pipeline_runs_only_statements_built_before(
    pipeline, tmp_path: Path, nats_server
) -> None:  # type: ignore[no-untyped-def]
    env = service_environ(SERVICES, tmp_path, nats_server.url)
    metadata = TokenMinter(env).metadata(TENANT, role="admin")
    await set_up_assignment(f"127.0.0.1:{pipeline['assign'].port}", metadata)
    people = People()
    watch = AssignedWatch()
    await watch.start(nats_server.url)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{pipeline['ingest'].port}") as channel:
            stub = ingest_service_pb2_grpc.IngestServiceStub(channel)
            await _round(stub, metadata, people, watch, nats_server.url)  # warm: first plans and statements
            with counting_statement_builds() as built:
                await _round(stub, metadata, people, watch, nats_server.url)
                await asyncio.sleep(BACKGROUND_LOOPS_SECONDS)
    finally:
        await watch.stop()
    assert not built, "statements built per lead or per poll (build them once): " + ", ".join(
        f"{where} ×{n}" for where, n in built.most_common()
    )
