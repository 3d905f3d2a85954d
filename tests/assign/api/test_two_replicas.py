"""Two replicas of assign over one PostgreSQL database, consuming the same stream: each lead is assigned exactly
once, ROUND_ROBIN stays within ±1 per agent across the replicas, both replicas did part of the work, and each
reminder fires once; most leads are routed in batches (the rotation row locked, so the replicas' batches take
turns). PostgreSQL tier (skipped without LEADFLOW_TEST_POSTGRES_URL; CI sets it)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from leadflow.assign.v1 import assign_service_pb2 as pb
from services.assign.bootstrap import build_app
from services.common.clock import FakeClock
from services.common.events import LEAD_ASSIGNED, REMINDER_DUE
from services.common.runtime import ConsumerSpec, RunningService
from tests.assign.api.client import AssignClient, assign_environ
from tests.assign.api.conftest import T0
from tests.harness import load_settings

pytestmark = pytest.mark.postgres
LEADS = 200


def counting(spec: ConsumerSpec, seen: Counter[str]) -> ConsumerSpec:
    """``spec`` counting the events its handlers applied: one by one, or a batch at once (a batch that loses a race
    to the other replica raises, is not counted, and its events run one by one)."""

    def handler(uow: Any, delivery: Any) -> None:
        spec.handler(uow, delivery)
        seen[spec.name] += 1

    batch_handler = spec.batch_handler
    if batch_handler is None:
        return dataclasses.replace(spec, handler=handler)

    def counted_batch(uow: Any, deliveries: Any) -> None:
        batch_handler(uow, deliveries)
        seen[spec.name] += len(deliveries)
        seen[f"{spec.name} batches"] += 1
        seen[f"{spec.name} in batches"] += len(deliveries)

    return dataclasses.replace(spec, handler=handler, batch_handler=counted_batch)


async def start_replica(env: dict[str, str], clock: FakeClock, seen: Counter[str]) -> RunningService:
    app = build_app(load_settings("assign", env), clock=clock)
    app.consumers = [counting(spec, seen) for spec in app.consumers]
    running = RunningService(app)
    await running.start()
    return running


async def test_two_replicas_assign_each_lead_once_and_fairly(
    tmp_path: Path,
    nats_server,
    postgres_url: str,  # type: ignore[no-untyped-def]
) -> None:
    clock = FakeClock(T0)
    seen: list[Counter[str]] = [Counter(), Counter()]
    replicas: list[RunningService] = []
    for index in range(2):
        env = assign_environ(
            tmp_path / f"replica{index}", nats_server.url, LEADFLOW_ASSIGN_DATABASE_URL=postgres_url
        )
        env["LEADFLOW_PAGE_TOKEN_KEY"] = "p" * 40
        env["LEADFLOW_ASSIGN_REQUEST_KEY"] = "r" * 40
        replicas.append(await start_replica(env, clock, seen[index]))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{replicas[0].port}")
    try:
        assign = AssignClient(replicas[0], env, clock, nats_server.url, channel)
        team = await assign.team()
        agents = [await assign.agent(team) for _ in range(3)]
        await assign.round_robin(team)
        # One lead first, so that the rule's rotation row exists when the burst comes (its first turn has no row to
        # lock: both replicas' first batches may race on inserting it, and one of them then goes lead by lead).
        leads = [await assign.accept()]
        await assign.eventually(lambda: assign.assignments(page_size=1), lambda r: r.total_size == 1)
        leads += await asyncio.gather(*(assign.accept() for _ in range(LEADS - 1)))
        done = await assign.eventually(
            lambda: assign.assignments(page_size=1000), lambda r: r.total_size >= LEADS
        )
        assert done.total_size == LEADS
        assert sorted(a.lead_id for a in done.assignments) == sorted(leads), "each lead assigned exactly once"
        counts = Counter(a.agent_id for a in done.assignments)
        print(
            f"\ntwo replicas, {LEADS} leads: per agent {sorted(counts.values())}; per replica "
            f"{[s['assign-leads'] for s in seen]} (batches applied at once: {[s['assign-leads batches'] for s in seen]}, holding "
            f"{[s['assign-leads in batches'] for s in seen]} leads)"
        )
        assert set(counts) == {a.id for a in agents}
        assert max(counts.values()) - min(counts.values()) <= 1
        assert all(s["assign-leads"] > 0 for s in seen), "both replicas consumed leads"
        assert sum(s["assign-leads"] for s in seen) == LEADS
        # Each replica's batch locks the rule's rotation row: the other's batch waits for it instead of losing its
        # compare-and-set and running lead by lead.
        assert sum(s["assign-leads in batches"] for s in seen) >= LEADS * 9 // 10
        assigned = await assign.published(LEAD_ASSIGNED, LEADS)
        assert len({e.lead_id for e in assigned}) == LEADS

        clock.advance(timedelta(minutes=16))
        for replica in replicas:
            assert replica.timer_worker is not None
            replica.timer_worker.wake()
        reminders = await assign.published(REMINDER_DUE, LEADS)
        assert {e.assignment_id for e in reminders} == {a.id for a in done.assignments}
        await asyncio.sleep(1.0)  # let a second firing, if there were one, reach the stream
        everything = await assign.published_so_far(REMINDER_DUE)
        assert len(everything) == LEADS, "each reminder fired once across both replicas"
        first = (
            await assign.stub.GetAssignment(
                pb.GetAssignmentRequest(assignment_id=done.assignments[0].id), metadata=assign.md()
            )
        ).assignment
        assert first.reminders_sent == 1
    finally:
        await channel.close()
        for replica in replicas:
            await replica.stop()
