"""A started assign service and what its API tests do with it: call the gRPC API as a tenant's admin, agent or
service; publish other services' events to their real streams; read the events assign published.

Waiting for an asynchronous effect (an event consumed, a timer fired) polls the API with a deadline: the effect
happens in the service's own tasks, and the deadline only bounds a failing test.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.common.v1 import lead_pb2, region_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from services.common.auth import Role
from services.common.clock import FakeClock
from services.common.config import Env
from services.common.events import ASSIGN_STREAM, INGEST_STREAM, LEAD_ACCEPTED, payload_types
from services.common.messaging import MSG_ID_HEADER, StreamSpec, ensure_stream
from services.common.protoconv import encrypted_value
from services.common.runtime import RunningService
from services.common.sealing import KeyRing, Sealer
from tests.harness import TokenMinter, service_environ, start_service

T = TypeVar("T")
WAIT_SECONDS = 20.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def assign_environ(data_dir: Path, nats_url: str, **extra: str) -> dict[str, str]:
    values = {"LEADFLOW_ASSIGN_GAUGE_SECONDS": "1"}
    values.update(extra)
    return service_environ("assign", data_dir, nats_url, **values)


async def start_assign(env: dict[str, str], clock: FakeClock) -> RunningService:
    return await start_service("assign", env, clock=clock)


@dataclass
class AssignClient:
    running: RunningService
    env: dict[str, str]
    clock: FakeClock
    nats_url: str
    channel: grpc.aio.Channel
    tenant: str = field(default_factory=lambda: unique("tenant"))

    def __post_init__(self) -> None:
        self.stub = assign_service_pb2_grpc.AssignServiceStub(self.channel)
        self._tokens = TokenMinter(self.env)
        self.sealer = Sealer(KeyRing.from_env(Env(self.env), Path(self.env["LEADFLOW_DATA_DIR"])))

    def md(self, role: Role = Role.ADMIN, subject: str = "boss", tenant: str | None = None) -> Any:
        return self._tokens.metadata(tenant or self.tenant, role, subject)

    def as_agent(self, user_id: str, tenant: str | None = None) -> Any:
        return self.md(Role.AGENT, user_id, tenant)

    # ---------------------------------------------------------------------------------------- set-up

    async def team(self, name: str = "Sales", admins: tuple[str, ...] = ()) -> pb.Team:
        reply = await self.stub.CreateTeam(
            pb.CreateTeamRequest(
                team=pb.Team(display_name=name, admin_agent_ids=admins), request_id=unique("r")
            ),
            metadata=self.md(),
        )
        return reply.team

    async def agent(self, team: pb.Team, user_id: str | None = None, **fields: Any) -> pb.Agent:
        user_id = user_id or unique("user")
        values: dict[str, Any] = {"team_id": team.id, "display_name": user_id, "user_id": user_id}
        values.update(fields)
        reply = await self.stub.CreateAgent(
            pb.CreateAgentRequest(agent=pb.Agent(**values), request_id=unique("r")), metadata=self.md()
        )
        return reply.agent

    async def round_robin(
        self, team: pb.Team, account_id: str = "acct-1", **policy: Any
    ) -> pb.AssignmentPolicy:
        rule = pb.AssignmentRule(id="rr", method=pb.ASSIGNMENT_METHOD_ROUND_ROBIN, team_id=team.id)
        reply = await self.stub.SetAssignmentPolicy(
            pb.SetAssignmentPolicyRequest(
                policy=pb.AssignmentPolicy(account_id=account_id, rules=[rule], **policy)
            ),
            metadata=self.md(),
        )
        return reply.policy

    # ---------------------------------------------------------------------------------------- events

    async def publish(self, stream: StreamSpec, subject: str, event: Message) -> None:
        nc = NATS()
        await nc.connect(self.nats_url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, stream)
            await js.publish(subject, event.SerializeToString(), headers={MSG_ID_HEADER: event.event_id})  # type: ignore[attr-defined]
        finally:
            await nc.close()

    async def accept(self, lead_id: str | None = None, **fields: Any) -> str:
        """Publish a lead.accepted (FORM / AD_DIRECT / LANDING_PAGE, a phone in 广东省 深圳市); the lead id."""
        lead_id = lead_id or unique("lead")
        values: dict[str, Any] = {
            "event_id": uuid.uuid4().hex,
            "tenant_id": self.tenant,
            "lead_id": lead_id,
            "account_id": "acct-1",
            "verdict": lead_pb2.LEAD_VERDICT_NEW,
            "channel": lead_pb2.CHANNEL_FORM,
            "traffic_source": lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
            "business_source": lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
            "encrypted_phone": encrypted_value(self.sealer.seal(self.tenant, "lead.phone", "+8613800138000")),
            "phone_region": region_pb2.Region(province="广东省", city="深圳市"),
        }
        values.update(fields)
        await self.publish(INGEST_STREAM, LEAD_ACCEPTED, ingest_events.LeadAccepted(**values))
        return lead_id

    async def published_so_far(self, subject: str) -> list[Any]:
        """Every event on ``subject`` of this tenant in assign's stream now."""
        kind = payload_types()[subject]
        nc = NATS()
        await nc.connect(self.nats_url)
        try:
            js = nc.jetstream()
            last = (await js.stream_info(ASSIGN_STREAM.name)).state.last_seq
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, filter_subject=subject
            )
            sub = await js.pull_subscribe(subject, durable=None, stream=ASSIGN_STREAM.name, config=config)
            found: list[Any] = []
            while True:
                try:
                    messages = await sub.fetch(500, timeout=0.5)
                except TimeoutError:
                    break
                found += [
                    e for e in (kind.FromString(m.data) for m in messages) if e.tenant_id == self.tenant
                ]
                if messages and messages[-1].metadata.sequence.stream >= last:
                    break
            await sub.unsubscribe()
            return found
        finally:
            await nc.close()

    async def published(
        self, subject: str, count: int, where: Callable[[Any], bool] = lambda _: True
    ) -> list[Any]:
        """The first ``count`` events on ``subject`` of this tenant matching ``where`` (all of assign's stream is
        read from the start with an ephemeral consumer)."""
        kind = payload_types()[subject]
        found: list[Any] = []
        nc = NATS()
        await nc.connect(self.nats_url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, ASSIGN_STREAM)
            deadline = time.monotonic() + WAIT_SECONDS
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, filter_subject=subject
            )
            sub = await js.pull_subscribe(subject, durable=None, stream=ASSIGN_STREAM.name, config=config)
            while len(found) < count:
                assert time.monotonic() < deadline, f"only {len(found)} of {count} {subject} events arrived"
                try:
                    messages = await sub.fetch(100, timeout=0.5)
                except TimeoutError:
                    continue
                for message in messages:
                    event = kind.FromString(message.data)
                    if event.tenant_id == self.tenant and where(event):
                        found.append(event)
            await sub.unsubscribe()
        finally:
            await nc.close()
        return found[:count]

    # ---------------------------------------------------------------------------------------- waiting

    async def eventually(self, probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool]) -> T:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            value = await probe()
            if ok(value):
                return value
            assert time.monotonic() < deadline, f"never reached the expected state; last: {value}"
            await asyncio.sleep(0.05)

    async def assignments(self, **filters: Any) -> pb.ListAssignmentsResponse:
        return await self.stub.ListAssignments(pb.ListAssignmentsRequest(**filters), metadata=self.md())

    async def active(self, lead_id: str) -> pb.Assignment:
        """The lead's active assignment, once the lead was routed to an agent."""
        reply = await self.eventually(
            lambda: self.assignments(lead_id=lead_id, state=pb.ASSIGNMENT_STATE_ACTIVE),
            lambda r: len(r.assignments) == 1,
        )
        return reply.assignments[0]

    async def pooled(self, lead_id: str) -> pb.PoolEntry:
        async def probe() -> list[pb.PoolEntry]:
            reply = await self.stub.ListPool(pb.ListPoolRequest(page_size=1000), metadata=self.md())
            return [e for e in reply.entries if e.lead_id == lead_id]

        return (await self.eventually(probe, lambda found: len(found) == 1))[0]

    async def advance(self, delta: timedelta) -> None:
        """Move the service's clock and wake its timer worker (as the dev clock does), which fires what is due."""
        self.clock.advance(delta)
        assert self.running.timer_worker is not None
        self.running.timer_worker.wake()
