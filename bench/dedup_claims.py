"""Dedup claim throughput and latency with 10^4 and 10^6 keys in the index, against a raw gRPC echo baseline.

    .venv/bin/python -m bench.dedup_claims [--keys 10000,1000000] [--claims 4000] [--concurrency 16]
                                           [--batch-size 100] [--database-url postgresql://...]

For each index size the run:

1. creates a fresh database (a SQLite file in a temporary directory unless --database-url names a PostgreSQL
   server, where a fresh database is created and dropped), runs the dedup migrations, and preloads the index by
   bulk INSERT straight into ``dedup_keys`` (random 32-byte keyed hashes of dimension PHONE, all in the key space
   the benchmark claims in, so every lookup descends the same B-tree) -- preloading through the API would take
   longer than the benchmark itself;
2. starts the real dedup service in this process (RunningService, as the API tests do; server and client share
   the process, as in ``bench.echo``) with a local nats-server;
3. ClaimLead: ``--claims`` unary calls from ``--concurrency`` tasks on one channel, half with a fresh phone (NEW:
   one insert) and half with a preloaded phone (DUPLICATE: insert conflict, read, last_seen update);
4. BatchClaimLeads: the same number of claims (same mix) in batches of ``--batch-size`` from 4 tasks.

The table shows calls/s (claims/s for batches), p50/p99 per call and the ratio to the echo baseline measured in
the same run with the same client concurrency; the last lines give the flatness ratio (10^6 / 10^4) of each
measurement: near 1.0 means the cost does not grow with the index.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import grpc
import sqlalchemy as sa

from bench.echo import Rate, drive, measure_echo, percentile, print_table
from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role, TokenCodec
from services.common.db import Database
from services.common.migrations import upgrade
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from services.common.runtime import RunningService
from services.dedup import settings as dedup_settings
from services.dedup.adapters.tables import dedup_keys
from services.dedup.bootstrap import MIGRATIONS_DIR, build_app

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
                    rows.append({
                        "tenant_id": TENANT, "scope_key": ACCOUNT, "dimension": int(PHONE), "key_hash": key_hash,
                        "lead_id": f"pre-{i}", "first_seen_us": 1_700_000_000_000_000,
                        "last_seen_us": 1_700_000_000_000_000, "policy_account_id": ACCOUNT, "origin": 5,
                        "origin_lead_id": "",
                    })
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
            query = sa.select(k).where(k.c.tenant_id == TENANT, sa.or_(sa.and_(
                k.c.scope_key == ACCOUNT, k.c.dimension == int(PHONE), k.c.key_hash == bytes(32))))
            compiled = query.compile(connection, compile_kwargs={"literal_binds": False})
            prefix = "EXPLAIN QUERY PLAN " if database.dialect == "sqlite" else "EXPLAIN "
            rows = connection.exec_driver_sql(prefix + str(compiled), compiled.params if database.dialect != "sqlite"
                                              else tuple(compiled.params.values())).all()
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
    request = pb.ClaimLeadRequest(account_id=ACCOUNT, candidate_lead_id=f"c-{number}-{uuid.uuid4().hex[:8]}",
                                  fingerprints=[pb.Fingerprint(dimension=PHONE, keyed_hash=phone_hash)],
                                  request_id=uuid.uuid4().hex)
    request.submit_time.GetCurrentTime()
    return request


def mixed_hash(number: int, sample: list[bytes]) -> bytes:
    """Even claims: a fresh phone (NEW); odd claims: a preloaded phone (DUPLICATE)."""
    if number % 2 == 0 or not sample:
        return secrets.token_bytes(32)
    return sample[(number * 7919) % len(sample)]


async def measure(keys: int, args: argparse.Namespace, nats_url: str, workdir: Path) -> tuple[Rate, Rate, str]:
    postgres = PostgresDatabase(args.database_url) if args.database_url else None
    data_dir = workdir / f"keys-{keys}"
    data_dir.mkdir()
    url = postgres.url if postgres else f"sqlite:///{data_dir / 'dedup.db'}"
    try:
        upgrade(MIGRATIONS_DIR, url)
        began = time.perf_counter()
        sample = preload(url, keys)
        print(f"  preloaded {keys:,} keys in {time.perf_counter() - began:.1f}s", flush=True)
        plan = lookup_plan(url)
        settings = dedup_settings.load({
            "LEADFLOW_DATA_DIR": str(data_dir), "LEADFLOW_DEDUP_DATABASE_URL": url,
            "LEADFLOW_DEDUP_GRPC_PORT": "0", "LEADFLOW_DEDUP_METRICS_PORT": "0", "LEADFLOW_NATS_URL": nats_url,
            "LEADFLOW_JWT_HS256_KEY": "bench-" + "k" * 40, "LEADFLOW_SHUTDOWN_DELAY_SECONDS": "0",
            "LEADFLOW_MIGRATE_ON_START": "false", "LEADFLOW_DEDUP_BATCH_CHUNK": str(args.batch_size),
        })
        running = RunningService(build_app(settings))
        await running.start()
        try:
            token = TokenCodec(settings.common.auth).mint(tenant=TENANT, role=Role.SERVICE, subject="bench")
            metadata = (("authorization", f"Bearer {token}"),)
            async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                stub = dedup_service_pb2_grpc.DedupServiceStub(channel)
                for i in range(200):  # warm-up: connections, caches
                    await stub.ClaimLead(claim(mixed_hash(i, sample), i), metadata=metadata, timeout=30)

                async def single(i: int) -> None:
                    reply = await stub.ClaimLead(claim(mixed_hash(i, sample), i), metadata=metadata, timeout=30)
                    assert reply.verdict == (lead_pb2.LEAD_VERDICT_NEW if i % 2 == 0 or not sample
                                             else lead_pb2.LEAD_VERDICT_DUPLICATE)

                single_rate = await drive(single, concurrency=args.concurrency, total=args.claims)

                batches = max(1, args.claims // args.batch_size)

                async def batch(b: int) -> None:
                    numbers = range(b * args.batch_size, (b + 1) * args.batch_size)
                    request = pb.BatchClaimLeadsRequest(requests=[claim(mixed_hash(n, sample), n) for n in numbers])
                    reply = await stub.BatchClaimLeads(request, metadata=metadata, timeout=60)
                    assert all(r.HasField("response") for r in reply.results)

                batch_calls = await drive(batch, concurrency=BATCH_TASKS, total=batches)
                batch_rate = Rate(batches * args.batch_size, batch_calls.seconds, batch_calls.p50_ms,
                                  batch_calls.p99_ms)
        finally:
            await running.stop()
        return single_rate, batch_rate, plan
    finally:
        if postgres is not None:
            postgres.drop()


async def run(args: argparse.Namespace) -> None:
    keys_list = [int(k) for k in args.keys.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="leadflow-bench-dedup-"))
    nats_port = free_port()
    nats = start_nats_server(nats_port, workdir / "nats")
    try:
        wait_for_port(nats_port)
        payload = claim(secrets.token_bytes(32), 0).SerializeToString()
        echo = await measure_echo(concurrency=args.concurrency, total=max(args.claims * 2, 5000), payload=payload)
        rows: list[tuple[str, Rate]] = [(f"raw gRPC unary echo (x{args.concurrency})", echo)]
        results: dict[int, tuple[Rate, Rate]] = {}
        for keys in keys_list:
            print(f"index with {keys:,} keys:", flush=True)
            single_rate, batch_rate, plan = await measure(keys, args, f"nats://127.0.0.1:{nats_port}", workdir)
            print(f"  key lookup plan: {plan}", flush=True)
            results[keys] = (single_rate, batch_rate)
            rows.append((f"ClaimLead, {keys:,} keys (x{args.concurrency})", single_rate))
            rows.append((f"BatchClaimLeads/{args.batch_size}, {keys:,} keys, claims", batch_rate))
        backend = "PostgreSQL" if args.database_url else "SQLite"
        print_table(f"dedup claims on {backend}, {os.cpu_count()} CPUs ({args.claims} claims per row, half NEW, "
                    "half DUPLICATE); batch p50/p99 are per call", rows, echo)
        if len(keys_list) >= 2:
            low, high = min(keys_list), max(keys_list)
            print(f"\nflatness (claims/s at {high:,} keys / at {low:,} keys; 1.00 = flat):")
            for label, index in (("ClaimLead", 0), ("BatchClaimLeads", 1)):
                a, b = results[low][index], results[high][index]
                ratio = b.per_second / a.per_second if a.per_second else 0.0
                p99 = b.p99_ms / a.p99_ms if a.p99_ms else 0.0
                print(f"  {label:<16} throughput ratio {ratio:.2f}   p99 ratio {p99:.2f}")
    finally:
        nats.terminate()
        nats.wait(timeout=10)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedup_claims", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", default="10000,1000000", help="comma-separated index sizes (default 10^4,10^6)")
    parser.add_argument("--claims", type=int, default=4000, help="claims per measurement (default 4000)")
    parser.add_argument("--concurrency", type=int, default=16, help="client tasks for ClaimLead (default 16)")
    parser.add_argument("--batch-size", type=int, default=100, help="claims per BatchClaimLeads call (default 100)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL (default: SQLite files)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))
    return 0


__all__ = ["main", "percentile"]

if __name__ == "__main__":
    sys.exit(main())
