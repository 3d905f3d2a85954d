"""1,000 concurrent claims of one phone from 50 tasks give exactly one NEW: on SQLite through one server process,
and on PostgreSQL through two server processes sharing the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.config import AuthSettings, Env
from services.common.migrations import upgrade
from services.dedup.bootstrap import MIGRATIONS_DIR
from tests.dedup.api.conftest import DedupClient
from tests.dedup.api.test_api import claim_request
from tests.platform.helpers import TEST_JWT_KEY, service_env, start_service, wait_serving

CLAIMS = 1000
TASKS = 50
PHONE = lead_pb2.DEDUP_DIMENSION_PHONE


async def hammer(
    stubs: list[dedup_service_pb2_grpc.DedupServiceStub], metadata: tuple
) -> list[pb.ClaimLeadResponse]:
    """TASKS tasks, spread over the stubs, each claiming the same phone CLAIMS / TASKS times."""
    results: list[pb.ClaimLeadResponse] = []

    async def task(number: int) -> None:
        stub = stubs[number % len(stubs)]
        for i in range(CLAIMS // TASKS):
            request = claim_request("acct", {PHONE: "+8613800138000"}, lead=f"lead-{number}-{i}")
            results.append(await stub.ClaimLead(request, metadata=metadata, timeout=60))

    await asyncio.gather(*(task(n) for n in range(TASKS)))
    return results


def assert_exactly_one_new(results: list[pb.ClaimLeadResponse]) -> None:
    assert len(results) == CLAIMS
    new = [r for r in results if r.verdict == lead_pb2.LEAD_VERDICT_NEW]
    assert len(new) == 1
    duplicates = [r for r in results if r.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE]
    assert len(duplicates) == CLAIMS - 1
    assert {r.canonical_lead_id for r in results} == {new[0].canonical_lead_id}


async def test_one_new_out_of_a_thousand_on_sqlite_with_one_process(dedup: DedupClient) -> None:
    assert dedup.running.app.database.dialect == "sqlite"
    assert_exactly_one_new(await hammer([dedup.stub], dedup.auth(Role.SERVICE)))


@pytest.mark.postgres
async def test_one_new_out_of_a_thousand_on_postgres_with_two_processes(
    tmp_path: Path, postgres_url: str, nats_server
) -> None:  # type: ignore[no-untyped-def]
    upgrade(
        MIGRATIONS_DIR, postgres_url
    )  # once, before the replicas start (see the report on start-up races)
    processes = []
    try:
        for name in ("a", "b"):
            data_dir = tmp_path / name
            data_dir.mkdir()
            env = service_env(
                "dedup",
                data_dir,
                nats_server.url,
                LEADFLOW_DEDUP_DATABASE_URL=postgres_url,
                LEADFLOW_MIGRATE_ON_START="false",
                LEADFLOW_SHUTDOWN_DELAY_SECONDS="0",
            )
            processes.append(start_service("dedup", env, tmp_path / f"dedup-{name}.log"))
        for process in processes:
            wait_serving(process)
        codec = TokenCodec(AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY}), tmp_path))
        metadata = (
            ("authorization", "Bearer " + codec.mint(tenant="t1", role=Role.SERVICE, subject="ingest")),
        )
        channels = [grpc.aio.insecure_channel(p.address) for p in processes]
        try:
            stubs = [dedup_service_pb2_grpc.DedupServiceStub(c) for c in channels]
            results = await hammer(stubs, metadata)
        finally:
            for channel in channels:
                await channel.close()
        assert_exactly_one_new(results)
    finally:
        for process in processes:
            if process.process.poll() is None:
                process.process.terminate()
                process.process.wait(timeout=20)
        for process in processes:
            assert process.process.returncode == 0, process.log()
