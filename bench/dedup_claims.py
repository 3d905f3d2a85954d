"""Dedup claim throughput and latency with 10^4 and 10^6 keys in the index, against a raw gRPC echo baseline.

    .venv/bin/python -m bench.dedup_claims [--keys 10000,1000000] [--claims 2000] [--rounds 3]
                                           [--concurrency 16] [--batch-size 100] [--batch-calls 100]
                                           [--database-url postgresql://...]

Set-up, for each index size: a fresh database (a SQLite file in a temporary directory, or a fresh database on the
PostgreSQL server named by --database-url, dropped at the end), the dedup migrations, then the index preloaded by
bulk INSERT straight into ``dedup_keys`` (random 32-byte keyed hashes of dimension PHONE, all in the key space the
benchmark claims in, so every lookup descends the same B-tree; preloading 10^6 keys through the API would take
longer than the benchmark), and the real dedup service started in this process (RunningService, as the API tests
do; server and client share the process, as in ``bench.echo``), all of them with one local nats-server.

Each round then measures, one after the other: the raw gRPC unary echo (``bench.echo``, same client concurrency,
payload of a ClaimLeadRequest's size); for each index size, ClaimLead (``--claims`` unary calls from
``--concurrency`` tasks on one channel, half with a fresh phone -> NEW: one insert; half with a preloaded phone ->
DUPLICATE: insert conflict, read, last_seen update) and BatchClaimLeads (``--batch-calls`` calls of ``--batch-size``
claims, same mix, from 4 tasks: enough calls that the pooled p99 is not just the slowest one or two). Rounds
interleave the rows so that a machine whose load drifts (shared CI runners) hurts every row alike; figures pool all
rounds.

The table shows calls/s (claims/s for batches), p50/p99 per call, and the ratio to the echo baseline; the last
lines give the flatness ratios (largest index vs smallest) of claims/s and p99: near 1.00 means the cost does not
grow with the index.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import sqlalchemy as sa

from bench.echo import Rate, measure_echo, percentile, print_table
from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.db import Database
from services.common.grpcclient import client_service_config
from services.common.migrations import upgrade
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from services.common.runtime import RunningService
from services.dedup import settings as dedup_settings
from services.dedup.adapters.db.tables import dedup_keys
from services.dedup.bootstrap import INGEST_IDENTITY, MIGRATIONS_DIR, build_app

TENANT = "bench-tenant"
ACCOUNT = "bench-account"
PHONE = lead_pb2.DEDUP_DIMENSION_PHONE
PRELOAD_CHUNK = 20_000
BATCH_TASKS = 4


def preload(database_url: str, keys: int) -> list[bytes]:
    """Bulk-insert ``keys`` index rows; returns a sample of their hashes for DUPLICATE claims."""
    database = Database(database_url)
    sample: list[bytes] = []
    try:
        with database.engine.begin() as connection:
            for start in range(0, keys, PRELOAD_CHUNK):
                rows = []
                for i in range(start, min(keys, start + PRELOAD_CHUNK)):
                    key_hash = secrets.token_bytes(32)
                    if len(sample) < 50_000 and i % max(1, keys // 50_000) == 0:
                        sample.append(key_hash)
                    rows.append(
                        {
                            "tenant_id": TENANT,
                            "scope_key": ACCOUNT,
                            "dimension": int(PHONE),
                            "key_hash": key_hash,
                            "lead_id": f"pre-{i}",
                            "first_seen_us": 1_700_000_000_000_000,
                            "last_seen_us": 1_700_000_000_000_000,
                            "policy_account_id": ACCOUNT,
                            "origin": 5,
                            "origin_lead_id": "",
                        }
                    )
                connection.execute(sa.insert(dedup_keys), rows)
            if database.dialect == "postgresql":
                connection.exec_driver_sql("ANALYZE dedup_keys")
        return sample
    finally:
        database.dispose()


def lookup_plan(database_url: str) -> str:
    """The plan of the claim's key lookup, to show it is a unique-index probe."""
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            k = dedup_keys
            query = sa.select(k).where(
                k.c.tenant_id == TENANT,
                sa.or_(
                    sa.and_(k.c.scope_key == ACCOUNT, k.c.dimension == int(PHONE), k.c.key_hash == bytes(32))
                ),
            )
            compiled = query.compile(connection, compile_kwargs={"literal_binds": False})
            prefix = "EXPLAIN QUERY PLAN " if database.dialect == "sqlite" else "EXPLAIN "
            rows = connection.exec_driver_sql(
                prefix + str(compiled),
                compiled.params if database.dialect != "sqlite" else tuple(compiled.params.values()),
            ).all()
            return " | ".join(str(row[-1]) for row in rows)
    finally:
        database.dispose()


class PostgresDatabase:
    """A fresh database on the server of ``url``, dropped at the end."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.name = f"lf_bench_{uuid.uuid4().hex[:10]}"
        self._admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = base.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin.dispose()


def claim(phone_hash: bytes, number: int) -> pb.ClaimLeadRequest:
    request = pb.ClaimLeadRequest(
        account_id=ACCOUNT,
        candidate_lead_id=f"c-{number}-{uuid.uuid4().hex[:8]}",
        fingerprints=[pb.Fingerprint(dimension=PHONE, keyed_hash=phone_hash)],
        request_id=uuid.uuid4().hex,
    )
    request.submit_time.GetCurrentTime()
    return request


def mixed_hash(number: int, sample: list[bytes]) -> bytes:
    """Even claims: a fresh phone (NEW); odd claims: a preloaded phone (DUPLICATE)."""
    if number % 2 == 0 or not sample:
        return secrets.token_bytes(32)
    return sample[(number * 7919) % len(sample)]


@dataclass
class Target:
    """One running dedup service over an index of ``keys`` keys, and what was measured against it."""

    keys: int
    stub: dedup_service_pb2_grpc.DedupServiceStub
    metadata: tuple[tuple[str, str], ...]
    sample: list[bytes]
    plan: str
    single: Samples = field(default_factory=lambda: Samples())
    batch: Samples = field(default_factory=lambda: Samples())


@dataclass
class Samples:
    """Calls, elapsed seconds and per-call latencies pooled over the rounds."""

    calls: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, calls: int, seconds: float, latencies_ms: list[float]) -> None:
        self.calls += calls
        self.seconds += seconds
        self.latencies_ms.extend(latencies_ms)

    def rate(self, claims_per_call: int = 1) -> Rate:
        return Rate(
            self.calls * claims_per_call,
            self.seconds,
            percentile(self.latencies_ms, 50),
            percentile(self.latencies_ms, 99),
        )


async def timed(call, *, concurrency: int, total: int) -> tuple[int, float, list[float]]:  # type: ignore[no-untyped-def]
    """``bench.echo.drive``, returning the raw latencies so that rounds can be pooled."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            start = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total, time.perf_counter() - began, latencies


async def start_target(
    keys: int, args: argparse.Namespace, nats_url: str, workdir: Path, cleanup: contextlib.AsyncExitStack
) -> Target:
    data_dir = workdir / f"keys-{keys}"
    data_dir.mkdir()
    if args.database_url:
        postgres = PostgresDatabase(args.database_url)
        cleanup.callback(postgres.drop)
        url = postgres.url
    else:
        url = f"sqlite:///{data_dir / 'dedup.db'}"
    upgrade(MIGRATIONS_DIR, url)
    began = time.perf_counter()
    sample = preload(url, keys)
    print(f"  preloaded {keys:,} keys in {time.perf_counter() - began:.1f}s", flush=True)
    settings = dedup_settings.load(
        {
            "LEADFLOW_DATA_DIR": str(data_dir),
            "LEADFLOW_DEDUP_DATABASE_URL": url,
            "LEADFLOW_DEDUP_GRPC_PORT": "0",
            "LEADFLOW_DEDUP_METRICS_PORT": "0",
            "LEADFLOW_NATS_URL": nats_url,
            "LEADFLOW_JWT_HS256_KEY": "bench-" + "k" * 40,
            "LEADFLOW_SHUTDOWN_DELAY_SECONDS": "0",
            "LEADFLOW_MIGRATE_ON_START": "false",
            "LEADFLOW_DEDUP_BATCH_CHUNK": str(args.batch_size),
        }
    )
    running = RunningService(build_app(settings))
    await running.start()
    cleanup.push_async_callback(running.stop)
    # As ingest calls dedup: its client config retries UNAVAILABLE (a busy database under this load), so a busy
    # moment shows in the latencies rather than ending the run.
    options = [
        (
            "grpc.service_config",
            client_service_config(pb.DESCRIPTOR.services_by_name["DedupService"].full_name),
        ),
        ("grpc.enable_retries", 1),
    ]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}", options=options)
    cleanup.push_async_callback(channel.close)
    # ClaimLead answers ingest's service identity only (services.dedup.bootstrap.INGEST_IDENTITY).
    token = TokenCodec(settings.common.auth).mint(tenant=TENANT, role=Role.SERVICE, subject=INGEST_IDENTITY)
    target = Target(
        keys,
        dedup_service_pb2_grpc.DedupServiceStub(channel),
        (("authorization", f"Bearer {token}"),),
        sample,
        lookup_plan(url),
    )
    for i in range(200):  # warm-up: connections, statement caches
        await target.stub.ClaimLead(claim(mixed_hash(i, sample), i), metadata=target.metadata, timeout=30)
    return target


async def measure_round(target: Target, args: argparse.Namespace, round_number: int) -> None:
    stub, metadata, sample = target.stub, target.metadata, target.sample
    offset = (round_number + 1) * 10_000_000

    async def single(i: int) -> None:
        n = offset + i
        reply = await stub.ClaimLead(claim(mixed_hash(n, sample), n), metadata=metadata, timeout=30)
        expected = lead_pb2.LEAD_VERDICT_NEW if n % 2 == 0 or not sample else lead_pb2.LEAD_VERDICT_DUPLICATE
        assert reply.verdict == expected, reply

    target.single.add(*await timed(single, concurrency=args.concurrency, total=args.claims))

    async def batch(b: int) -> None:
        numbers = range(
            offset + 5_000_000 + b * args.batch_size, offset + 5_000_000 + (b + 1) * args.batch_size
        )
        request = pb.BatchClaimLeadsRequest(requests=[claim(mixed_hash(n, sample), n) for n in numbers])
        reply = await stub.BatchClaimLeads(request, metadata=metadata, timeout=60)
        assert all(r.HasField("response") for r in reply.results)

    target.batch.add(*await timed(batch, concurrency=BATCH_TASKS, total=args.batch_calls))


async def run(args: argparse.Namespace) -> dict[str, object]:
    """Prints the table; returns the figures: per row claims/s, p50/p99 ms and samples, and the flatness ratios."""
    keys_list = [int(k) for k in args.keys.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="leadflow-bench-dedup-"))
    nats_port = free_port()
    nats = start_nats_server(nats_port, workdir / "nats")
    try:
        wait_for_port(nats_port)
        async with contextlib.AsyncExitStack() as cleanup:
            targets = []
            for keys in keys_list:
                print(f"index with {keys:,} keys:", flush=True)
                targets.append(
                    await start_target(keys, args, f"nats://127.0.0.1:{nats_port}", workdir, cleanup)
                )
                print(f"  key lookup plan: {targets[-1].plan}", flush=True)
            payload = claim(secrets.token_bytes(32), 0).SerializeToString()
            echo = Samples()
            # Rounds interleave the measurements, so that a machine whose load drifts hurts all rows alike.
            for round_number in range(args.rounds):
                print(f"round {round_number + 1}/{args.rounds}", flush=True)
                rate = await measure_echo(
                    concurrency=args.concurrency, total=args.claims * 2, payload=payload
                )
                echo.add(rate.calls, rate.seconds, [])
                echo_p = (rate.p50_ms, rate.p99_ms)
                for target in targets:
                    await measure_round(target, args, round_number)
        baseline = Rate(echo.calls, echo.seconds, *echo_p)
        rows: list[tuple[str, Rate]] = [
            (f"raw gRPC unary echo (x{args.concurrency}, last round's p50/p99)", baseline)
        ]
        for target in targets:
            rows.append((f"ClaimLead, {target.keys:,} keys (x{args.concurrency})", target.single.rate()))
            rows.append(
                (
                    f"BatchClaimLeads/{args.batch_size}, {target.keys:,} keys, claims",
                    target.batch.rate(args.batch_size),
                )
            )
        backend = "PostgreSQL" if args.database_url else "SQLite"
        print_table(
            f"dedup claims on {backend}, {os.cpu_count()} CPUs, {args.rounds} rounds x {args.claims} claims "
            "per row (half NEW, half DUPLICATE); batch p50/p99 are per call",
            rows,
            baseline,
        )
        figures: dict[str, object] = {
            "database": backend,
            "rows": {
                f"{kind} {target.keys}": {
                    "keys": target.keys,
                    "claims_per_s": rate.per_second,
                    "p50_ms": rate.p50_ms,
                    "p99_ms": rate.p99_ms,
                    "samples": len(samples.latencies_ms),
                }
                for target in targets
                for kind, samples, rate in (
                    ("ClaimLead", target.single, target.single.rate()),
                    ("BatchClaimLeads", target.batch, target.batch.rate(args.batch_size)),
                )
            },
            "flatness": {},
        }
        if len(targets) >= 2:
            low, high = targets[0], targets[-1]
            figures["flatness_keys"] = [low.keys, high.keys]
            print(f"\nflatness ({high.keys:,} keys vs {low.keys:,} keys; 1.00 = flat):")
            for label, a, b in (
                ("ClaimLead", low.single.rate(), high.single.rate()),
                ("BatchClaimLeads", low.batch.rate(args.batch_size), high.batch.rate(args.batch_size)),
            ):
                ratio = b.per_second / a.per_second if a.per_second else 0.0
                p99 = b.p99_ms / a.p99_ms if a.p99_ms else 0.0
                print(f"  {label:<16} claims/s ratio {ratio:.2f}   p99 ratio {p99:.2f}")
                figures["flatness"][label] = {"claims_per_s_ratio": ratio, "p99_ratio": p99}  # type: ignore[index]
        return figures
    finally:
        nats.terminate()
        nats.wait(timeout=10)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dedup_claims", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--keys", default="10000,1000000", help="comma-separated index sizes (default 10^4,10^6)"
    )
    parser.add_argument(
        "--claims", type=int, default=2000, help="claims per measurement and round (default 2000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--concurrency", type=int, default=16, help="client tasks for ClaimLead (default 16)")
    parser.add_argument(
        "--batch-size", type=int, default=100, help="claims per BatchClaimLeads call (default 100)"
    )
    parser.add_argument(
        "--batch-calls",
        type=int,
        default=100,
        help="BatchClaimLeads calls per round and index (default 100: 300 latencies per p99 over 3 rounds)",
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL (default: SQLite files)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
