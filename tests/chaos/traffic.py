"""Traffic for the fault tests, through the real gRPC APIs: a tenant whose leads are assigned (ROUND_ROBIN over three
agents) and whose duplicate charges are refunded at once (settling period 0), then N charged SubmitLeads, about a
tenth of them the same person again (a duplicate charge that refund pays back).

Clients retry the way the API documents: the channel's gRPC retry policy (UNAVAILABLE), and on top of it the same
request again (same request_id, same submit_time) after a pause while the answer is UNAVAILABLE, DEADLINE_EXCEEDED
or ABORTED; ingest answers a repeat with the first result. Any other code is a failure the tests count.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import grpc
from google.protobuf import duration_pb2, field_mask_pb2, timestamp_pb2

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.common.v1 import lead_pb2, money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.auth import Role
from tests.harness import TokenMinter
from tests.pipeline import PipelineStack

TENANT = "tenant-chaos"
ACCOUNT = "acct-chaos"
AGENTS = 3
COST = money_pb2.Money(currency_code="CNY", units=20)
RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED)


def metadata(stack: PipelineStack, role: Role = Role.ADMIN) -> tuple[tuple[str, str], ...]:
    env = stack.members["ingest"].env
    return TokenMinter(env).metadata(TENANT, role, subject="chaos")


def set_up_tenant(stack: PipelineStack) -> list[str]:
    """Three agents in a team that gets every lead of ACCOUNT by ROUND_ROBIN; refunds paid without settling.
    Returns the agent ids."""
    md = metadata(stack)
    with stack.channel("assign") as channel:
        assign = assign_service_pb2_grpc.AssignServiceStub(channel)
        team = assign.CreateTeam(
            assign_pb.CreateTeamRequest(team=assign_pb.Team(display_name="Sales"), request_id="chaos-team"),
            metadata=md,
            timeout=30,
        ).team
        agents = [
            assign.CreateAgent(
                assign_pb.CreateAgentRequest(
                    agent=assign_pb.Agent(
                        team_id=team.id,
                        display_name=f"Agent {n}",
                        user_id=f"agent-{n}",
                        phone=f"+861380013800{n}",  # the A side of their masked calls
                    ),
                    request_id=f"chaos-agent-{n}",
                ),
                metadata=md,
                timeout=30,
            ).agent.id
            for n in range(AGENTS)
        ]
        rule = assign_pb.AssignmentRule(
            id="rr", method=assign_pb.ASSIGNMENT_METHOD_ROUND_ROBIN, team_id=team.id
        )
        assign.SetAssignmentPolicy(
            assign_pb.SetAssignmentPolicyRequest(
                policy=assign_pb.AssignmentPolicy(account_id=ACCOUNT, rules=[rule])
            ),
            metadata=md,
            timeout=30,
        )
    with stack.channel("refund") as channel:
        refund_service_pb2_grpc.RefundServiceStub(channel).UpdateRefundRules(
            refund_pb.UpdateRefundRulesRequest(
                rules=refund_pb.RefundRules(
                    account_id=ACCOUNT, settling_period=duration_pb2.Duration(seconds=0)
                ),
                update_mask=field_mask_pb2.FieldMask(paths=["settling_period"]),
            ),
            metadata=md,
            timeout=30,
        )
    return agents


@dataclass(frozen=True)
class Planned:
    request_id: str
    phone: str
    submit_time: datetime


def plan(count: int, seed: int, duplicate_share: float = 0.1) -> list[Planned]:
    """``count`` (at most a million) submissions: distinct people, and about ``duplicate_share`` of them a person
    submitted before. Plans of different seeds share no person."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(minutes=5)
    people: list[str] = []
    planned = []
    for index in range(count):
        if people and rng.random() < duplicate_share:
            phone = rng.choice(people)
        else:
            phone = f"139{seed % 100:02d}{len(people):06d}"  # the seed's own people
            people.append(phone)
        planned.append(Planned(f"chaos-{seed}-{index}", phone, start + timedelta(milliseconds=index)))
    return planned


def submit_request(item: Planned) -> ingest_pb.SubmitLeadRequest:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(item.submit_time)
    return ingest_pb.SubmitLeadRequest(
        account_id=ACCOUNT,
        channel=lead_pb2.CHANNEL_FORM,
        traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
        business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
        request_id=item.request_id,
        name="张三",
        phone=item.phone,
        cost=COST,
        submit_time=stamp,
        consent=ingest_pb.Consent(contact=True),
    )


@dataclass
class Acked:
    """What SubmitLead answered OK."""

    request_id: str
    phone: str
    lead_id: str
    submission_id: str
    verdict: int


@dataclass
class TrafficResult:
    acked: dict[str, Acked] = field(default_factory=dict)
    failed: Counter[str] = field(default_factory=Counter)  # final answers other than OK, by code
    details: Counter[str] = field(default_factory=Counter)  # the same, by code and the status's details
    retried: Counter[str] = field(default_factory=Counter)  # answers that made the client ask again, by code
    seconds: float = 0.0


async def submit_all(
    stack: PipelineStack,
    items: list[Planned],
    *,
    rate: float,
    concurrency: int = 8,
    retry_budget: float = 180.0,
    app_retries: bool = True,
    grpc_retries: bool = True,
    stop: asyncio.Event | None = None,
    result: TrafficResult | None = None,
) -> TrafficResult:
    """Submit ``items`` at about ``rate`` per second with ``concurrency`` callers, until all are submitted or
    ``stop`` is set. With ``app_retries`` a caller asks again (same request) for up to ``retry_budget`` seconds while
    the answer is retryable; ``grpc_retries`` gives the channel the gRPC retry policy. The answers go into ``result``
    (a new one by default) as they come, so others can act on them during the run."""
    result = result if result is not None else TrafficResult()
    md = metadata(stack, Role.SERVICE)
    queue: asyncio.Queue[tuple[int, Planned]] = asyncio.Queue()
    for entry in enumerate(items):
        queue.put_nowait(entry)
    start = time.monotonic()
    channel = stack.aio_channel("ingest", retries=grpc_retries)
    stub = ingest_service_pb2_grpc.IngestServiceStub(channel)

    async def caller() -> None:
        while not queue.empty() and not (stop is not None and stop.is_set()):
            index, item = queue.get_nowait()
            await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
            request = submit_request(item)
            give_up = time.monotonic() + retry_budget
            pause = 0.2
            while True:
                try:
                    reply = await stub.SubmitLead(request, metadata=md, timeout=15)
                except grpc.aio.AioRpcError as error:
                    code = error.code()
                    if app_retries and code in RETRIED and time.monotonic() < give_up:
                        result.retried[code.name] += 1
                        await asyncio.sleep(pause)
                        pause = min(pause * 2, 2.0)
                        continue
                    result.failed[code.name] += 1
                    result.details[f"{code.name}: {error.details()}"] += 1
                    break
                result.acked[item.request_id] = Acked(
                    item.request_id, item.phone, reply.lead.id, reply.submission.id, reply.verdict
                )
                break

    try:
        await asyncio.gather(*(caller() for _ in range(concurrency)))
    finally:
        await channel.close()
    result.seconds = time.monotonic() - start
    return result
