"""lead.accepted -> lead.assigned: latency p50/p99 and assignments/s, against raw JetStream publish -> consume
measured in the same run.

    .venv/bin/python -m bench.assign_latency [--sequential 300] [--burst 3000] [--agents 5]
                                             [--database-url postgresql://...]

Starts a local nats-server and the real assign service in this process (SQLite file in a temporary directory, the
default local deployment, or the PostgreSQL database named by --database-url, which must be empty: it is migrated),
with a team of ``--agents`` agents and a ROUND_ROBIN policy, then measures:

- raw JetStream, one hop: publish to a stream, a durable pull consumer fetches (batches of 64, as the service's
  consumers do) and acks; the time from before the publish to the message in the consumer's hands;
- raw JetStream, two hops: the same, and the consumer re-publishes each message (acknowledged by the server) to a
  second subject that a second consumer fetches: the transport shape of the service's path (its consumer, then its
  outbox relay), with no database;
- assign: lead.accepted published to ingest's stream; assign's consumer routes it (policy, rotation
  compare-and-set, capacity counter, assignment, two timers and lead.assigned in the outbox, all in the inbox
  transaction), the relay publishes lead.assigned, and a consumer of assign's stream receives it; the time from
  before the publish of lead.accepted to lead.assigned in hand.

Each is measured two ways: ``sequential`` (one message at a time: the latency of an idle pipeline) and ``burst``
(everything published at once, pipelined: throughput, and latency including queueing). The table gives messages
per second (assignments/s for assign), p50/p99 latency in ms, and the ratio of assign to the two-hop ceiling.
Client and service share the process (and, on this machine, two cores with other work), as in the other benches.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from bench.echo import percentile
from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import lead_pb2, region_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from services.common.config import Env
from services.common.events import ASSIGN_STREAM, INGEST_STREAM, LEAD_ACCEPTED, LEAD_ASSIGNED
from services.common.messaging import MSG_ID_HEADER, StreamSpec, ensure_stream
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from services.common.protoconv import encrypted_value
from services.common.sealing import KeyRing, Sealer
from tests.harness import TokenMinter, service_environ, start_service

FETCH_BATCH = 64
TENANT = "bench-tenant"
RAW_STREAM = StreamSpec("BENCH_RAW", ("bench.raw.in", "bench.raw.out"))


@dataclass(frozen=True)
class Figures:
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


class Arrivals:
    """When each awaited key arrived (perf_counter seconds), with a waiter per key."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._waiters: dict[str, asyncio.Event] = {}

    def arrived(self, key: str) -> None:
        if key not in self.at:
            self.at[key] = time.perf_counter()
            self._waiters.setdefault(key, asyncio.Event()).set()

    async def wait(self, key: str) -> float:
        await asyncio.wait_for(self._waiters.setdefault(key, asyncio.Event()).wait(), timeout=60)
        return self.at[key]


async def pull_loop(
    js: JetStreamContext,
    stream: str,
    subject: str,
    durable: str,
    on_message: Callable[[Msg], Awaitable[None]],
    stop: asyncio.Event,
) -> None:
    """A durable pull consumer fetching batches of FETCH_BATCH and acking each message, like the service's."""
    config = ConsumerConfig(
        durable_name=durable,
        deliver_policy=DeliverPolicy.NEW,
        ack_policy=AckPolicy.EXPLICIT,
        filter_subject=subject,
    )
    await js.add_consumer(stream, config)
    sub = await js.pull_subscribe_bind(durable=durable, stream=stream)
    while not stop.is_set():
        try:
            messages = await sub.fetch(FETCH_BATCH, timeout=1.0)
        except TimeoutError:
            continue
        for message in messages:
            await on_message(message)
            await message.ack()


async def measure(
    publish: Callable[[str], Awaitable[None]], arrivals: Arrivals, sequential: int, burst: int
) -> tuple[Figures, Figures]:
    """Sequential then burst runs of ``publish(key)``; latency is arrival minus the time before the publish."""
    latencies = []
    began = time.perf_counter()
    for _ in range(sequential):
        key = uuid.uuid4().hex
        start = time.perf_counter()
        await publish(key)
        latencies.append((await arrivals.wait(key) - start) * 1000)
    one_by_one = Figures(sequential, time.perf_counter() - began, latencies)

    keys = [uuid.uuid4().hex for _ in range(burst)]
    sent: dict[str, float] = {}
    began = time.perf_counter()
    for key in keys:
        sent[key] = time.perf_counter()
        await publish(key)
    done = [await arrivals.wait(key) for key in keys]
    burst_figures = Figures(burst, max(done) - began, [(arrivals.at[k] - sent[k]) * 1000 for k in keys])
    return one_by_one, burst_figures


def pipelined(
    js: JetStreamContext, subject: str, make: Callable[[str], tuple[bytes, str]]
) -> tuple[Callable[[str], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """publish(key) without waiting for the ack (the relay's way), and a function awaiting every ack."""
    acks: list[asyncio.Future[Any]] = []

    async def publish(key: str) -> None:
        payload, event_id = make(key)
        acks.append(await js.publish_async(subject, payload, headers={MSG_ID_HEADER: event_id}))

    async def settled() -> None:
        await asyncio.gather(*acks)

    return publish, settled


async def raw_jetstream(nats_url: str, sequential: int, burst: int, hops: int) -> tuple[Figures, Figures]:
    nc = NATS()
    await nc.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js, RAW_STREAM)
    arrivals = Arrivals()
    stop = asyncio.Event()
    suffix = uuid.uuid4().hex[:8]

    async def final(message: Msg) -> None:
        arrivals.arrived(message.data.decode())

    async def relay(message: Msg) -> None:
        await js.publish("bench.raw.out", message.data, headers={MSG_ID_HEADER: "o" + message.data.decode()})

    tasks = [
        asyncio.ensure_future(
            pull_loop(
                js,
                RAW_STREAM.name,
                "bench.raw.out" if hops == 2 else "bench.raw.in",
                f"final-{suffix}",
                final,
                stop,
            )
        )
    ]
    if hops == 2:
        tasks.append(
            asyncio.ensure_future(
                pull_loop(js, RAW_STREAM.name, "bench.raw.in", f"relay-{suffix}", relay, stop)
            )
        )
    await asyncio.sleep(0.2)
    publish, settled = pipelined(js, "bench.raw.in", lambda key: (key.encode(), "i" + key))
    try:
        return await measure(publish, arrivals, sequential, burst)
    finally:
        await settled()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await nc.close()


async def assign_pipeline(
    env: dict[str, str], nats_url: str, agents: int, sequential: int, burst: int
) -> tuple[Figures, Figures]:
    running = await start_service("assign", env)
    tokens = TokenMinter(env)
    md = tokens.metadata(TENANT, "admin", "bench")
    sealer = Sealer(KeyRing.from_env(Env(env), Path(env["LEADFLOW_DATA_DIR"])))
    nc = NATS()
    await nc.connect(nats_url)
    js = nc.jetstream()
    stop = asyncio.Event()
    arrivals = Arrivals()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = assign_service_pb2_grpc.AssignServiceStub(channel)
            team = (
                await stub.CreateTeam(
                    pb.CreateTeamRequest(team=pb.Team(display_name="Bench"), request_id="t"), metadata=md
                )
            ).team
            for i in range(agents):
                agent = pb.Agent(team_id=team.id, display_name=f"agent {i}", user_id=f"agent-{i}")
                await stub.CreateAgent(pb.CreateAgentRequest(agent=agent, request_id=f"a{i}"), metadata=md)
            rule = pb.AssignmentRule(id="rr", method=pb.ASSIGNMENT_METHOD_ROUND_ROBIN, team_id=team.id)
            policy = pb.AssignmentPolicy(account_id="bench-account", rules=[rule])
            await stub.SetAssignmentPolicy(pb.SetAssignmentPolicyRequest(policy=policy), metadata=md)

        await ensure_stream(js, INGEST_STREAM)
        await ensure_stream(js, ASSIGN_STREAM)

        async def assigned(message: Msg) -> None:
            arrivals.arrived(assign_events.LeadAssigned.FromString(message.data).lead_id)

        listener = asyncio.ensure_future(
            pull_loop(js, ASSIGN_STREAM.name, LEAD_ASSIGNED, f"bench-{uuid.uuid4().hex[:8]}", assigned, stop)
        )
        await asyncio.sleep(0.2)
        phone = encrypted_value(sealer.seal(TENANT, "lead.phone", "+8613800138000"))

        def accepted(lead_id: str) -> tuple[bytes, str]:
            event_id = uuid.uuid4().hex
            event = ingest_events.LeadAccepted(
                event_id=event_id,
                tenant_id=TENANT,
                lead_id=lead_id,
                account_id="bench-account",
                verdict=lead_pb2.LEAD_VERDICT_NEW,
                channel=lead_pb2.CHANNEL_FORM,
                traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
                business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
                encrypted_phone=phone,
                phone_region=region_pb2.Region(province="广东省", city="深圳市"),
            )
            return event.SerializeToString(), event_id

        publish, settled = pipelined(js, LEAD_ACCEPTED, accepted)
        try:
            return await measure(publish, arrivals, sequential, burst)
        finally:
            await settled()
            stop.set()
            with contextlib.suppress(Exception):
                await listener
    finally:
        await nc.close()
        await running.stop()


def row(name: str, figures: Figures, ceiling: Figures | None) -> str:
    ratio = (
        f"{figures.per_second / ceiling.per_second:>8.2f}" if ceiling and ceiling.per_second else f"{'':>8}"
    )
    return f"{name:<46} {figures.per_second:>9.0f} {figures.p50:>8.2f} {figures.p99:>8.2f} {ratio}"


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-") as tmp:
        port = free_port()
        nats = start_nats_server(port, Path(tmp) / "jetstream", log_file=Path(tmp) / "nats.log")
        try:
            wait_for_port(port)
            nats_url = f"nats://127.0.0.1:{port}"
            one_hop = await raw_jetstream(nats_url, args.sequential, args.burst, hops=1)
            two_hops = await raw_jetstream(nats_url, args.sequential, args.burst, hops=2)
            extra = {"LEADFLOW_LOG_LEVEL": "WARNING"}
            if args.database_url:
                extra["LEADFLOW_ASSIGN_DATABASE_URL"] = args.database_url
            env = service_environ("assign", Path(tmp), nats_url, **extra)
            assign = await assign_pipeline(env, nats_url, args.agents, args.sequential, args.burst)
        finally:
            nats.terminate()
            nats.wait(timeout=10)
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\nassign {store}, real NATS, {args.agents} agents ROUND_ROBIN; sequential {args.sequential}, burst {args.burst}"
    )
    print(f"{'measurement':<46} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs 2-hop':>8}")
    for label, index in (("sequential", 0), ("burst", 1)):
        print(row(f"raw JetStream 1 hop ({label})", one_hop[index], two_hops[index]))
        print(row(f"raw JetStream 2 hops, ceiling ({label})", two_hops[index], two_hops[index]))
        print(row(f"accepted -> assigned ({label})", assign[index], two_hops[index]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.assign_latency")
    parser.add_argument("--sequential", type=int, default=300, help="messages sent one at a time")
    parser.add_argument("--burst", type=int, default=3000, help="messages sent at once")
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    asyncio.run(run(args))
    print(f"(finished in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
