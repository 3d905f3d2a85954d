"""The use cases over the real store (SQLite, and PostgreSQL in its tier): routing with the stored rotation and
counters, the runtime's timer worker firing reminders and reclaims exactly once, restarts with timers pending,
claims and releases, follow-ups, tags and lists with filters, refunds, events in the outbox."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from leadflow.assign.v1 import events_pb2
from services.assign.adapters.db.tables import messaging
from services.assign.domain.commands import ClaimCommand, RecordCommand, ReleaseCommand, TagDraft
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    AssignmentState,
    FollowUpKind,
    FollowUpOutcome,
    PoolReason,
    TagScope,
    Verdict,
)
from services.assign.domain.followups import FollowUpDraft
from services.assign.domain.policy_checks import RuleDraft
from services.assign.domain.ports import AssignmentFilter, PoolFilter
from services.assign.domain.rotation import RotationState
from services.assign.domain.timers import TimerKind
from services.common.db import Database
from services.common.errors import FailedPrecondition
from services.common.events import AGENT_CREATED, LEAD_ASSIGNED
from services.common.protoconv import sealed_value
from services.common.sealing import Sealer
from tests.assign.integration.conftest import KEYS, sql_world
from tests.assign.world import World, agent_principal

RR = AssignmentMethod.ROUND_ROBIN


def outbox(database: Database, tenant: str, subject: str) -> list[bytes]:
    with database.read() as session:
        rows = session.execute(
            sa.select(messaging.outbox.c.payload).where(messaging.outbox.c.subject == subject)
        ).scalars()
        return [bytes(p) for p in rows]


def test_round_robin_reminders_and_reclaim_on_the_store(world: World, assign_database: Database) -> None:
    team = world.team()
    agents = [world.agent(team) for _ in range(3)]
    world.policy(RuleDraft(id="rr", method=RR, team_id=team.id))
    results = [world.accept() for _ in range(9)]
    holders = Counter(r.assignment.agent_id for r in results if r and r.assignment)
    assert holders == {a.id: 3 for a in agents}
    state = world.read(lambda uow: uow.rotations.get_many(world.tenant, "acct-1", ["rr"]))["rr"]
    assert state.version == 9 and state.turns == 9
    fired = world.advance(timedelta(minutes=15))
    assert sum(1 for f in fired if f.reminder) == 9
    assert world.fire_due() == [], "a fired timer is gone"
    fired = world.advance(timedelta(hours=24))
    assert sum(1 for f in fired if f.reclaimed) == 9
    pool = world.run(world.pool.list_pool(world.admin, PoolFilter(reason=PoolReason.RECLAIMED), 100, ""))
    assert pool.total_size == 9
    loads = world.read(
        lambda uow: uow.loads.get_many(
            world.tenant, {a.id: (world.clock.now(), world.clock.now()) for a in agents}
        )
    )
    assert {load.held for load in loads.values()} == {0}
    payloads = [
        events_pb2.LeadAssigned.FromString(p) for p in outbox(assign_database, world.tenant, LEAD_ASSIGNED)
    ]
    assert {p.lead_id for p in payloads if p.tenant_id == world.tenant} == {
        r.assignment.lead.lead_id for r in results if r and r.assignment
    }


def test_agent_events_carry_the_phone_sealed(world: World, assign_database: Database) -> None:
    team = world.team()
    agent = world.agent(team, phone="+8613800138000")
    created = [
        e
        for e in (
            events_pb2.AgentCreated.FromString(p)
            for p in outbox(assign_database, world.tenant, AGENT_CREATED)
        )
        if e.tenant_id == world.tenant
    ]
    assert [e.agent.agent_id for e in created] == [agent.id]
    snapshot = created[0].agent
    assert snapshot.phone_masked == "138****8000"
    assert b"13800138000" not in snapshot.phone.ciphertext
    assert Sealer(KEYS).open(world.tenant, "agent.phone", sealed_value(snapshot.phone)) == "+8613800138000"


def test_timers_pending_across_a_restart_fire_once(
    assign_database: Database, assign_url: str, world: World
) -> None:
    team = world.team()
    world.agent(team)
    world.policy(RuleDraft(id="rr", method=RR, team_id=team.id), reclaim_after=timedelta(hours=1))
    result = world.accept()
    assert result and result.assignment
    fired = world.advance(timedelta(minutes=45))
    assert [f.reminder.sequence for f in fired if f.reminder] == [1, 2, 3]
    # The process stops with reminder 4 and the reclaim pending; a new one starts on the same database.
    restarted_database = Database(assign_url)
    try:
        restarted = sql_world(restarted_database, world.clock, world.tenant)
        fired = restarted.advance(timedelta(minutes=15))
        assert sum(1 for f in fired if f.reclaimed) == 1
        assert restarted.fire_due() == [] and world.fire_due() == []
        ended = restarted.read(lambda uow: uow.assignments.get(world.tenant, result.assignment.id))  # type: ignore[union-attr]
        assert ended and ended.state == AssignmentState.RECLAIMED
        # Reminder 4 came due with the reclaim: it fired first, or found the lead reclaimed and did nothing.
        assert ended.reminders_sent in (3, 4)
        assert restarted.read(lambda uow: uow.timers.get(TimerKind.REMINDER, f"{ended.id}#5")) is None
    finally:
        restarted_database.dispose()


def test_claim_release_follow_up_tags_and_lists(world: World) -> None:
    team = world.team()
    world.agent(team, name=f"{world.tenant}-me")
    world.agent(team, name=f"{world.tenant}-you")
    me, you = (
        agent_principal(world.tenant, f"{world.tenant}-me"),
        agent_principal(world.tenant, f"{world.tenant}-you"),
    )
    world.policy(RuleDraft(id="p", method=AssignmentMethod.POOL))
    leads = []
    for _ in range(3):
        result = world.accept()
        assert result and result.entry
        leads.append(result.entry.lead.lead_id)
        world.clock.advance(timedelta(seconds=1))
    won = world.run(world.pool.claim(me, ClaimCommand(leads[0]), "c-1"))
    with pytest.raises(FailedPrecondition) as lost:
        world.run(world.pool.claim(you, ClaimCommand(leads[0]), "c-2"))
    assert lost.value.reason == "LEAD_NOT_IN_POOL"
    assert world.run(world.pool.claim(me, ClaimCommand(leads[0]), "c-1")) == won
    world.run(world.pool.claim(me, ClaimCommand(leads[1]), "c-3"))
    hot = world.run(world.tags.create_tag(world.admin, TagDraft("hot", TagScope.ENTERPRISE), "t-1"))
    world.run(world.tags.add_lead_tags(me, leads[1], [hot.id]))
    world.run(world.tags.add_lead_tags(me, leads[2], [hot.id]))
    tagged = world.run(world.assignments.list(me, AssignmentFilter(tag_ids=(hot.id,)), 10, ""))
    assert [v.assignment.lead.lead_id for v in tagged.items] == [leads[1]] and tagged.total_size == 1
    assert tagged.items[0].tag_ids == (hot.id,)
    pooled = world.run(world.pool.list_pool(me, PoolFilter(tag_ids=(hot.id,)), 10, ""))
    assert [v.entry.lead.lead_id for v in pooled.items] == [leads[2]]
    follow = world.run(
        world.follow_ups.record(
            me, RecordCommand(FollowUpDraft(leads[0], FollowUpKind.CALL, FollowUpOutcome.CONVERTED)), "f-1"
        )
    )
    closed = world.run(world.assignments.get(me, won.id)).assignment
    assert closed.state == AssignmentState.CLOSED and closed.first_follow_up_time == follow.follow_up_time
    page = world.run(world.assignments.list(me, AssignmentFilter(), 1, ""))
    rest = world.run(world.assignments.list(me, AssignmentFilter(), 1, page.next_page_token))
    assert page.total_size == 2 and {
        page.items[0].assignment.lead.lead_id,
        rest.items[0].assignment.lead.lead_id,
    } == {leads[0], leads[1]}
    entry = world.run(world.pool.release(me, ReleaseCommand(leads[1], "not mine"), "r-1"))
    assert entry.reason == PoolReason.RELEASED
    assert world.read(lambda uow: uow.timers.get(TimerKind.RECLAIM, won.id)) is None


def test_familiarity_and_refund_on_the_store(world: World) -> None:
    team = world.team()
    a, b = world.agent(team, daily_capacity=1), world.agent(team, daily_capacity=1)
    world.policy(RuleDraft(id="rr", method=RR, team_id=team.id))
    first = world.accept()
    assert first and first.assignment
    world.write(
        lambda uow: world.refunds.on_refund_issued(
            uow, world.tenant, first.assignment.lead.lead_id, "EMPTY_NUMBER"
        )
    )  # type: ignore[union-attr]
    again = world.accept(verdict=Verdict.RETURNING, returning_of_lead_id=first.assignment.lead.lead_id)
    assert again and again.assignment and again.assignment.agent_id == first.assignment.agent_id, (
        "the refund gave the day's lead back, so the familiar agent still has capacity"
    )
    other = world.accept()
    assert (
        other and other.assignment and other.assignment.agent_id in {a.id, b.id} - {first.assignment.agent_id}
    )
    world.set_status(b if other.assignment.agent_id == b.id else a, AgentStatus.OFFLINE)
    assert (full := world.accept()) and full.entry and full.entry.reason == PoolReason.NO_AGENT_AVAILABLE


def test_compare_and_set_refuses_stale_writes(world: World) -> None:
    team = world.team()
    agent = world.agent(team, max_held_leads=1)
    day = (world.clock.now(), world.clock.now() + timedelta(days=1))

    def race(uow):  # type: ignore[no-untyped-def]
        first = RotationState(version=1)
        assert uow.rotations.save(world.tenant, "acct-x", "r", first)
        assert not uow.rotations.save(world.tenant, "acct-x", "r", first), "a second version 1 loses"
        assert uow.rotations.save(world.tenant, "acct-x", "r", RotationState(version=2))
        assert not uow.rotations.save(world.tenant, "acct-x", "r", RotationState(version=2))
        assert uow.loads.take(world.tenant, agent.id, day, 1, 0)
        assert not uow.loads.take(world.tenant, agent.id, day, 1, 0), "max held 1"
        uow.loads.release(world.tenant, agent.id)
        assert uow.loads.take(world.tenant, agent.id, day, 0, 2)
        assert not uow.loads.take(world.tenant, agent.id, day, 0, 2), "two today already"
        uow.loads.uncount(world.tenant, agent.id, world.clock.now())
        assert uow.loads.take(world.tenant, agent.id, day, 0, 2)
        later = (day[1], day[1] + timedelta(days=1))
        assert uow.loads.take(world.tenant, agent.id, later, 0, 1), "a new day counts from zero"
        return True

    assert world.write(race)
