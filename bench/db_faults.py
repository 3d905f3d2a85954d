"""Ingest with its SQLite file locked by an outside writer: the scenarios of issue 13 items 1-3, with the default
settings, for the before/after figures (the tests in tests/ingest/api/test_locked_database.py assert the behaviour).

`.venv/bin/python -m bench.db_faults [--lock-seconds 35] [--json PATH]`

1. The file held for ``--lock-seconds`` (35); one SubmitLead with a 60 s deadline: its status and how long it took.
2. The file held while 6, then 99, SubmitLeads wait on the lock: how long GetLead and ListLeads take meanwhile.
3. The file held for 10 s; 20 SubmitLeads with 5 s deadlines: their statuses, how many leads were stored after the
   callers gave up, and what the health of ``IngestService/writes`` said during the lock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from tests.harness import outside_sqlite_writer

WRITES = "leadflow.ingest.v1.IngestService/writes"


async def _timed(call: Any) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        await call
        code = "OK"
    except grpc.aio.AioRpcError as exc:
        code = exc.code().name
    return code, time.perf_counter() - start


async def run(lock_seconds: float) -> dict[str, Any]:
    from tests.ingest.helpers import lead_request
    from tests.ingest.stack import start_stack

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-") as tmp:
        stack = await start_stack(Path(tmp), "sqlite", ingest_env={"LEADFLOW_LOG_LEVEL": "ERROR"})
        database = Path(tmp) / "ingest.db"
        ingest = stack.ingest_stub()
        try:
            md = stack.metadata("bench-faults")
            stored = (await ingest.SubmitLead(lead_request(), metadata=md)).lead

            # 1. a long outside lock, one caller with a generous deadline
            with outside_sqlite_writer(database):
                code, took = await _timed(ingest.SubmitLead(lead_request(), metadata=md, timeout=60))
                await asyncio.sleep(max(0.0, lock_seconds - took))
            figures["1_submit_under_lock"] = {
                "lock_s": lock_seconds,
                "status": code,
                "seconds": round(took, 2),
            }

            # 2. reads while writes queue on the lock
            for waiting in (6, 99):
                with outside_sqlite_writer(database):
                    writes = [
                        asyncio.ensure_future(ingest.SubmitLead(lead_request(), metadata=md, timeout=60))
                        for _ in range(waiting)
                    ]
                    await asyncio.sleep(0.5)  # let them reach the lock
                    get = await _timed(
                        ingest.GetLead(pb.GetLeadRequest(lead_id=stored.id), metadata=md, timeout=60)
                    )
                    listed = await _timed(
                        ingest.ListLeads(pb.ListLeadsRequest(page_size=50), metadata=md, timeout=60)
                    )
                figures[f"2_reads_with_{waiting}_writes_waiting"] = {
                    "GetLead_s": round(get[1], 3),
                    "GetLead": get[0],
                    "ListLeads_s": round(listed[1], 3),
                    "ListLeads": listed[0],
                }
                await asyncio.gather(*writes, return_exceptions=True)

            # 3. a 10 s lock and callers with 5 s deadlines
            tenant = "bench-deadlines"
            md3 = stack.metadata(tenant)
            health = health_pb2_grpc.HealthStub(stack.channel(stack.ingest_address))
            seen: Counter[str] = Counter()
            with outside_sqlite_writer(database):
                calls = [
                    asyncio.ensure_future(_timed(ingest.SubmitLead(lead_request(), metadata=md3, timeout=5)))
                    for _ in range(20)
                ]
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    reply = await health.Check(health_pb2.HealthCheckRequest(service=WRITES), timeout=5)
                    seen[health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)] += 1
                    await asyncio.sleep(0.5)
                answers = await asyncio.gather(*calls)
            await asyncio.sleep(3)  # anything still queued would be stored now
            total = (await ingest.ListLeads(pb.ListLeadsRequest(page_size=1), metadata=md3)).total_size
            figures["3_deadlines_under_a_10s_lock"] = {
                "statuses": dict(Counter(code for code, _ in answers)),
                "stored_after_the_callers_gave_up": total - sum(1 for code, _ in answers if code == "OK"),
                "writes_health_during_lock": dict(seen),
            }
        finally:
            await stack.stop()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock-seconds", type=float, default=35.0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.lock_seconds))
    for name, values in figures.items():
        print(f"{name:<36} {values}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
