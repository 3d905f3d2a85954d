"""The load of the end-to-end benchmark and the watch on its outcome.

Every lead is a distinct person (a new mobile number from a counter), so each is NEW, claimed in dedup, accepted,
routed by assign (one team, round robin) and announced as ``lead.assigned``, which ``AssignedWatch`` sees on the
bus with a plain NATS subscription (it does not consume from the stream, so it takes nothing from the services).
A lead's latency is from the moment it was due to be sent (open loop) or was sent (closed loop) to its
``lead.assigned`` in hand; its RPC latency (``rpc_p50_ms``/``rpc_p99_ms``) from the same moment to ingest's answer.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
import nats
from nats.aio.msg import Msg

from bench.echo import percentile
from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.events import LEAD_ASSIGNED

ACCOUNT = "bench-account"
AGENTS = 5
Metadata = Sequence[tuple[str, str]]


class People:
    """Distinct, valid mainland mobile numbers (135-139 prefixes) and request ids, never repeated in a run."""

    def __init__(self) -> None:
        self._next = itertools.count(1)

    def lead(self) -> pb.SubmitLeadRequest:
        i = next(self._next)
        return pb.SubmitLeadRequest(
            account_id=ACCOUNT,
            channel=lead_pb2.CHANNEL_FORM,
            traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
            business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
            request_id=f"bench-{i}",
            name="张三",
            phone=f"13{5 + i % 5}{(i // 5 * 7919) % 10**8:08d}",
            attributes={"城市": "深圳", "预算": "10-20万"},
            consent=pb.Consent(contact=True),
        )


class AssignedWatch:
    """When each lead's ``lead.assigned`` was first seen (time.monotonic), by lead id."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self._connection: nats.NATS | None = None

    async def start(self, nats_url: str) -> None:
        self._connection = await nats.connect(nats_url)
        await self._connection.subscribe(LEAD_ASSIGNED, cb=self._arrived)
        await self._connection.flush()

    async def _arrived(self, message: Msg) -> None:
        lead_id = assign_events.LeadAssigned.FromString(message.data).lead_id
        self.seen.setdefault(lead_id, time.monotonic())

    async def wait_for(self, lead_ids: Sequence[str], timeout: float) -> int:
        """Wait until every lead in ``lead_ids`` was seen or ``timeout`` s passed; returns how many were not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            missing = sum(1 for lead in lead_ids if lead not in self.seen)
            if not missing:
                return 0
            await asyncio.sleep(0.02)
        return sum(1 for lead in lead_ids if lead not in self.seen)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()


async def set_up_assignment(address: str, metadata: Metadata) -> None:
    """One team of ``AGENTS`` agents and a round-robin policy for the bench account, through assign's API."""
    async with grpc.aio.insecure_channel(address) as channel:
        stub = assign_service_pb2_grpc.AssignServiceStub(channel)
        team = (
            await stub.CreateTeam(
                assign_pb.CreateTeamRequest(team=assign_pb.Team(display_name="Bench"), request_id="team"),
                metadata=metadata,
            )
        ).team
        for i in range(AGENTS):
            agent = assign_pb.Agent(team_id=team.id, display_name=f"agent {i}", user_id=f"agent-{i}")
            await stub.CreateAgent(
                assign_pb.CreateAgentRequest(agent=agent, request_id=f"agent-{i}"), metadata=metadata
            )
        rule = assign_pb.AssignmentRule(
            id="rr", method=assign_pb.ASSIGNMENT_METHOD_ROUND_ROBIN, team_id=team.id
        )
        policy = assign_pb.AssignmentPolicy(account_id=ACCOUNT, rules=[rule])
        await stub.SetAssignmentPolicy(assign_pb.SetAssignmentPolicyRequest(policy=policy), metadata=metadata)


@dataclass
class Outcome:
    """One load phase: leads accepted as NEW, their send (or due) times, when the last was assigned, failures."""

    sent_at: dict[str, float]
    began: float
    submitted: float  # when the last RPC returned
    replied_ms: list[float] = field(
        default_factory=list
    )  # each accepted lead's RPC answer time (ms), per lead
    errors: Counter[str] = field(default_factory=Counter)  # leads that failed, by status code and reason
    examples: dict[str, str] = field(default_factory=dict)  # the first message of each code

    def failed(self, code: str, details: str, leads: int = 1) -> None:
        self.errors[code] += leads
        self.examples.setdefault(code, details[:300])

    def figures(self, watch: AssignedWatch, missing: int) -> dict[str, Any]:
        """leads, leads/s end to end (first send to last ``lead.assigned``), RPC leads/s, p50/p99 ms, missing."""
        arrived = [watch.seen[lead] for lead in self.sent_at if lead in watch.seen]
        latencies = [
            (watch.seen[lead] - sent) * 1000 for lead, sent in self.sent_at.items() if lead in watch.seen
        ]
        last = max(arrived, default=self.began)
        leads = len(self.sent_at)
        return {
            "leads": leads,
            "leads_per_s": leads / (last - self.began) if last > self.began else 0.0,
            "rpc_leads_per_s": leads / (self.submitted - self.began) if self.submitted > self.began else 0.0,
            "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99),
            "rpc_p50_ms": percentile(self.replied_ms, 50),
            "rpc_p99_ms": percentile(self.replied_ms, 99),
            "missing": missing,
            "errors": sum(self.errors.values()),
            "error_codes": dict(self.errors),
            "error_examples": self.examples,
        }


class Load:
    """SubmitLead and BatchSubmitLeads against ingest, in the shapes the benchmark measures."""

    def __init__(self, channel: grpc.aio.Channel, metadata: Metadata, people: People) -> None:
        self._stub = ingest_service_pb2_grpc.IngestServiceStub(channel)
        self._metadata = metadata
        self._people = people

    async def _submit(self, outcome: Outcome, sent: float) -> None:
        try:
            reply = await self._stub.SubmitLead(self._people.lead(), metadata=self._metadata, timeout=60)
        except grpc.aio.AioRpcError as exc:
            outcome.failed(exc.code().name, exc.details() or "")
            return
        if reply.verdict == lead_pb2.LEAD_VERDICT_NEW:
            outcome.sent_at[reply.lead.id] = sent
            outcome.replied_ms.append((time.monotonic() - sent) * 1000)

    async def closed_loop(self, total: int, concurrency: int) -> Outcome:
        """``total`` SubmitLeads from ``concurrency`` tasks, each sending its next as soon as the last returned:
        the stack at saturation."""
        outcome = Outcome({}, time.monotonic(), 0.0)
        remaining = iter(range(total))

        async def worker() -> None:
            for _ in remaining:
                await self._submit(outcome, time.monotonic())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        outcome.submitted = time.monotonic()
        return outcome

    async def fixed_rate(self, rate: float, seconds: float) -> Outcome:
        """SubmitLeads due at ``rate`` per second for ``seconds``, each sent when due whether or not the earlier
        ones have returned (open loop: a slow stack is not offered less)."""
        began = time.monotonic()
        outcome = Outcome({}, began, 0.0)
        tasks = []
        for i in range(int(rate * seconds)):
            due = began + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(self._submit(outcome, due)))
        await asyncio.gather(*tasks)
        outcome.submitted = time.monotonic()
        return outcome

    async def batches(self, total: int, batch_size: int, concurrency: int) -> Outcome:
        """``total`` leads in BatchSubmitLeads calls of ``batch_size`` from ``concurrency`` tasks."""
        outcome = Outcome({}, time.monotonic(), 0.0)
        remaining = iter(range(0, total, batch_size))

        async def worker() -> None:
            for start in remaining:
                size = min(batch_size, total - start)
                request = pb.BatchSubmitLeadsRequest(requests=[self._people.lead() for _ in range(size)])
                sent = time.monotonic()
                try:
                    reply = await self._stub.BatchSubmitLeads(request, metadata=self._metadata, timeout=120)
                except grpc.aio.AioRpcError as exc:
                    outcome.failed(exc.code().name, exc.details() or "", size)
                    continue
                for result in reply.results:
                    if result.WhichOneof("result") != "response":
                        error = result.error
                        outcome.failed(f"{error.code} {error.reason}".strip(), error.message)
                    elif result.response.verdict == lead_pb2.LEAD_VERDICT_NEW:
                        outcome.sent_at[result.response.lead.id] = sent
                        outcome.replied_ms.append((time.monotonic() - sent) * 1000)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        outcome.submitted = time.monotonic()
        return outcome
