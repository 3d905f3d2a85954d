"""The main path end to end: lead.accepted in, lead.assigned out; reminders and reclaim on the moved clock."""

from __future__ import annotations

from datetime import timedelta

from leadflow.assign.v1 import assign_service_pb2 as pb
from services.common.events import LEAD_ASSIGNED, LEAD_RECLAIMED, REMINDER_DUE
from tests.assign.api.client import AssignClient


async def test_an_accepted_lead_is_assigned_reminded_and_reclaimed(assign: AssignClient) -> None:
    team = await assign.team()
    first = await assign.agent(team)
    second = await assign.agent(team)
    await assign.round_robin(team)
    leads = [await assign.accept() for _ in range(4)]
    holders = [(await assign.active(lead)).agent_id for lead in leads]
    assert sorted(holders) == sorted([first.id, first.id, second.id, second.id])
    assigned = await assign.published(LEAD_ASSIGNED, 4)
    assert {e.lead_id for e in assigned} == set(leads)
    assert all(e.reason == pb.ASSIGNMENT_REASON_RULE and e.rule_id == "rr" for e in assigned)

    await assign.advance(timedelta(minutes=16))
    reminders = await assign.published(REMINDER_DUE, 4)
    assert {e.lead_id for e in reminders} == set(leads)
    assert all(e.sequence == 1 and not e.escalated for e in reminders)

    await assign.advance(timedelta(hours=24))
    reclaimed = await assign.published(LEAD_RECLAIMED, 4)
    assert {e.lead_id for e in reclaimed} == set(leads)
    entry = await assign.pooled(leads[0])
    assert entry.reason == pb.POOL_REASON_RECLAIMED
