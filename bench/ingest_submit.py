"""Leads per second through ingest + dedup, against a raw gRPC echo in the same run.

`.venv/bin/python -m bench.ingest_submit [--concurrency 16] [--single 3000] [--batches 40] [--batch-size 100]`

Starts a real nats-server, a real dedup and a real ingest in this process (SQLite files in a temporary directory,
the default local deployment), then measures with the same client shape as ``bench.echo`` (N concurrent tasks on one
channel):

- the raw unary echo (the transport baseline of this machine, today);
- SubmitLead: one new lead per call (validation, normalisation, the synchronous ClaimLead, one write transaction
  with its outbox event);
- BatchSubmitLeads: ``--batch-size`` new leads per call (one BatchClaimLeads, one write transaction).

Leads are distinct people (random valid mobile numbers), so every claim writes new index keys: the expensive path.
The table shows calls/s, leads/s, latency percentiles and leads/s as a fraction of the echo's calls/s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from pathlib import Path

from bench.echo import Rate, drive, measure_echo
from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb

_rng = random.Random(7)


def _lead(prefix: str, i: int) -> pb.SubmitLeadRequest:
    return pb.SubmitLeadRequest(
        account_id="bench-account",
        channel=lead_pb2.CHANNEL_FORM,
        traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
        business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
        request_id=f"{prefix}-{i}-{uuid.uuid4().hex[:8]}",
        name="张三",
        phone="13" + str(_rng.randrange(5, 10)) + "".join(str(_rng.randrange(10)) for _ in range(8)),
        attributes={"城市": "深圳", "预算": "10-20万"},
        consent=pb.Consent(contact=True),
    )


async def run(concurrency: int, single: int, batches: int, batch_size: int, batch_concurrency: int) -> None:
    from tests.ingest.stack import start_stack

    echo = await measure_echo(concurrency=concurrency, total=max(single * 3, 5000))
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-") as tmp:
        stack = await start_stack(Path(tmp), "sqlite", ingest_env={"LEADFLOW_LOG_LEVEL": "WARNING"})
        try:
            ingest = stack.ingest_stub()
            md = stack.metadata("bench-tenant")
            await ingest.SubmitLead(_lead("warm", 0), metadata=md)  # connect, migrate caches, JIT the paths

            async def submit(i: int) -> None:
                reply = await ingest.SubmitLead(_lead("s", i), metadata=md, timeout=30)
                assert reply.verdict in (lead_pb2.LEAD_VERDICT_NEW, lead_pb2.LEAD_VERDICT_DUPLICATE)

            single_rate = await drive(submit, concurrency=concurrency, total=single)

            async def submit_batch(i: int) -> None:
                request = pb.BatchSubmitLeadsRequest(requests=[_lead(f"b{i}", j) for j in range(batch_size)])
                reply = await ingest.BatchSubmitLeads(request, metadata=md, timeout=60)
                assert all(r.WhichOneof("result") == "response" for r in reply.results)

            batch_rate = await drive(submit_batch, concurrency=batch_concurrency, total=batches)
        finally:
            await stack.stop()

    def row(name: str, rate: Rate, per_call: int) -> str:
        leads = rate.per_second * per_call
        ratio = leads / echo.per_second if echo.per_second else 0.0
        return (
            f"{name:<40} {rate.per_second:>9.0f} {leads:>9.0f} {rate.p50_ms:>8.2f} {rate.p99_ms:>8.2f} "
            f"{ratio:>9.3f}"
        )

    print(
        f"\ningest + dedup, SQLite, real NATS; client concurrency {concurrency} "
        f"(batches: {batch_concurrency} concurrent calls of {batch_size})"
    )
    print(f"{'measurement':<40} {'calls/s':>9} {'leads/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs echo':>9}")
    print(row(f"raw gRPC echo (baseline, {echo.calls} calls)", echo, 1))
    print(row(f"SubmitLead ({single} leads)", single_rate, 1))
    print(row(f"BatchSubmitLeads ({batches * batch_size} leads)", batch_rate, batch_size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_submit")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--single", type=int, default=3000, help="SubmitLead calls")
    parser.add_argument("--batches", type=int, default=40, help="BatchSubmitLeads calls")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--batch-concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    asyncio.run(run(args.concurrency, args.single, args.batches, args.batch_size, args.batch_concurrency))
    print(f"(finished in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
