"""Events in and out through a real nats-server: call.completed is a follow-up, refund.issued frees capacity,
lead.duplicate brings a pooled lead back, conversion publishes lead.status_changed, agent events carry the phone
sealed; a restarted service fires the timers left pending; a redelivered event changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import grpc
from google.protobuf import field_mask_pb2

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.common.v1 import call_pb2, lead_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.refund.v1 import events_pb2 as refund_events
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.clock import FakeClock
from services.common.config import Env
from services.common.events import (
    AGENT_CREATED,
    AGENT_DELETED,
    AGENT_UPDATED,
    CALL_COMPLETED,
    INGEST_STREAM,
    LEAD_ACCEPTED,
    LEAD_DUPLICATE,
    LEAD_RECLAIMED,
    LEAD_STATUS_CHANGED,
    REFUND_ISSUED,
    REFUND_STREAM,
    TELEPHONY_STREAM,
)
from services.common.protoconv import sealed_value, timestamp
from services.common.sealing import KeyRing, Sealer
from tests.assign.api.client import AssignClient, assign_environ, start_assign, unique
from tests.assign.api.conftest import T0


async def designated(assign: AssignClient, **agent_fields: object) -> pb.Agent:
    team = await assign.team()
    agent = await assign.agent(team, user_id="me", **agent_fields)
    rule = pb.AssignmentRule(id="d", method=pb.ASSIGNMENT_METHOD_DESIGNATED, agent_id=agent.id)
    await assign.stub.SetAssignmentPolicy(
        pb.SetAssignmentPolicyRequest(policy=pb.AssignmentPolicy(account_id="acct-1", rules=[rule])),
        metadata=assign.md(),
    )
    return agent


async def test_a_completed_call_is_the_first_follow_up(assign: AssignClient) -> None:
    agent = await designated(assign)
    lead_id = await assign.accept()
    assignment = await assign.active(lead_id)
    call = telephony_events.CallCompleted(
        event_id=uuid.uuid4().hex,
        tenant_id=assign.tenant,
        call_id="call-1",
        lead_id=lead_id,
        agent_id=agent.id,
        outcome=call_pb2.CALL_OUTCOME_ANSWERED,
        start_time=timestamp(T0 + timedelta(minutes=1)),
    )
    await assign.publish(TELEPHONY_STREAM, CALL_COMPLETED, call)
    await assign.publish(TELEPHONY_STREAM, CALL_COMPLETED, call)  # redelivered: the inbox skips it
    followed = await assign.eventually(
        lambda: assign.stub.GetAssignment(
            pb.GetAssignmentRequest(assignment_id=assignment.id), metadata=assign.md()
        ),
        lambda r: r.assignment.HasField("first_follow_up_time"),
    )
    assert followed.assignment.first_follow_up_time == timestamp(T0 + timedelta(minutes=1))
    follow_ups = await assign.stub.ListFollowUps(
        pb.ListFollowUpsRequest(lead_id=lead_id), metadata=assign.md()
    )
    assert [(f.kind, f.outcome, f.call_id) for f in follow_ups.follow_ups] == [
        (pb.FOLLOW_UP_KIND_CALL, pb.FOLLOW_UP_OUTCOME_REACHED, "call-1")
    ]


async def test_a_refund_frees_the_agents_capacity(assign: AssignClient) -> None:
    await designated(assign, max_held_leads=1)
    first = await assign.accept()
    await assign.active(first)
    second = await assign.accept()
    entry = await assign.pooled(second)
    assert entry.reason == pb.POOL_REASON_NO_AGENT_AVAILABLE
    refund = refund_events.RefundIssued(
        event_id=uuid.uuid4().hex,
        tenant_id=assign.tenant,
        lead_id=first,
        reason=refund_pb.REFUND_REASON_EMPTY_NUMBER,
    )
    await assign.publish(REFUND_STREAM, REFUND_ISSUED, refund)
    closed = await assign.eventually(
        lambda: assign.assignments(lead_id=first),
        lambda r: r.assignments[0].state == pb.ASSIGNMENT_STATE_CLOSED,
    )
    assert len(closed.assignments) == 1
    third = await assign.accept()
    assert (await assign.active(third)).lead_id == third


async def test_a_duplicate_of_a_released_lead_goes_back_to_its_agent(assign: AssignClient) -> None:
    agent = await designated(assign)
    lead_id = await assign.accept()
    await assign.active(lead_id)
    await assign.stub.ReleaseToPool(
        pb.ReleaseToPoolRequest(lead_id=lead_id, request_id=unique("r")), metadata=assign.as_agent("me")
    )
    duplicate = ingest_events.LeadDuplicate(
        event_id=uuid.uuid4().hex, tenant_id=assign.tenant, lead_id=lead_id
    )
    await assign.publish(INGEST_STREAM, LEAD_DUPLICATE, duplicate)
    back = await assign.eventually(
        lambda: assign.assignments(lead_id=lead_id, state=pb.ASSIGNMENT_STATE_ACTIVE),
        lambda r: len(r.assignments) == 1,
    )
    assert (
        back.assignments[0].agent_id == agent.id
        and back.assignments[0].reason == pb.ASSIGNMENT_REASON_FAMILIARITY
    )


async def test_conversion_publishes_the_status_change(assign: AssignClient) -> None:
    agent = await designated(assign)
    lead_id = await assign.accept()
    assignment = await assign.active(lead_id)
    await assign.stub.RecordFollowUp(
        pb.RecordFollowUpRequest(
            follow_up=pb.FollowUp(
                lead_id=lead_id, kind=pb.FOLLOW_UP_KIND_VISIT, outcome=pb.FOLLOW_UP_OUTCOME_CONVERTED
            ),
            request_id=unique("r"),
        ),
        metadata=assign.as_agent("me"),
    )
    (event,) = await assign.published(LEAD_STATUS_CHANGED, 1)
    assert (event.lead_id, event.status, event.assignment_id, event.agent_id) == (
        lead_id,
        lead_pb2.LEAD_STATUS_CONVERTED,
        assignment.id,
        agent.id,
    )


async def test_agent_events_carry_the_phone_sealed(assign: AssignClient) -> None:
    team = await assign.team()
    agent = await assign.agent(team, phone="+8613912345678")
    await assign.stub.UpdateAgent(
        pb.UpdateAgentRequest(
            agent=pb.Agent(id=agent.id, status=pb.AGENT_STATUS_OFFLINE),
            update_mask=field_mask_pb2.FieldMask(paths=["status"]),
        ),
        metadata=assign.md(),
    )
    await assign.stub.DeleteAgent(pb.DeleteAgentRequest(agent_id=agent.id), metadata=assign.md())
    (created,) = await assign.published(AGENT_CREATED, 1)
    (updated,) = await assign.published(AGENT_UPDATED, 1)
    (deleted,) = await assign.published(AGENT_DELETED, 1)
    sealer = Sealer(KeyRing.from_env(Env(assign.env), Path(assign.env["LEADFLOW_DATA_DIR"])))
    for snapshot in (created.agent, updated.agent):
        assert b"13912345678" not in snapshot.SerializeToString()
        assert snapshot.phone_masked == "139****5678"
        assert sealer.open(assign.tenant, "agent.phone", sealed_value(snapshot.phone)) == "+8613912345678"
    assert (created.agent.revision, updated.agent.revision, deleted.revision) == (1, 2, 3)
    assert list(updated.changed_fields) == ["status"] and updated.agent.status == pb.AGENT_STATUS_OFFLINE


async def test_a_restarted_service_fires_the_timers_left_pending(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock(T0)
    env = assign_environ(tmp_path, nats_server.url)
    running = await start_assign(env, clock)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    assign = AssignClient(running, env, clock, nats_server.url, channel)
    try:
        await designated(assign)
        lead_id = await assign.accept()
        await assign.active(lead_id)
    finally:
        await channel.close()
        await running.stop()
    clock.advance(timedelta(hours=25))  # the reclaim came due while the service was down
    restarted = await start_assign(env, clock)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{restarted.port}")
    try:
        assign = AssignClient(restarted, env, clock, nats_server.url, channel, tenant=assign.tenant)
        entry = await assign.pooled(lead_id)
        assert entry.reason == pb.POOL_REASON_RECLAIMED
        (reclaimed,) = await assign.published(LEAD_RECLAIMED, 1)
        assert reclaimed.lead_id == lead_id
    finally:
        await channel.close()
        await restarted.stop()


async def test_an_accepted_lead_published_twice_is_assigned_once(assign: AssignClient) -> None:
    await designated(assign)
    event = ingest_events.LeadAccepted(
        event_id=uuid.uuid4().hex,
        tenant_id=assign.tenant,
        lead_id="lead-x",
        account_id="acct-1",
        verdict=lead_pb2.LEAD_VERDICT_NEW,
    )
    await assign.publish(INGEST_STREAM, LEAD_ACCEPTED, event)
    event.event_id = uuid.uuid4().hex  # re-published under a new event id (say, a replayed outbox)
    await assign.publish(INGEST_STREAM, LEAD_ACCEPTED, event)
    await assign.active("lead-x")
    marker = await assign.accept()
    await assign.active(marker)  # both copies of lead-x were consumed before the marker
    everything = await assign.assignments(lead_id="lead-x")
    assert len(everything.assignments) == 1
