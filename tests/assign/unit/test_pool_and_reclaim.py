"""The public pool: claims within max held, the race, release, reassignment, reclaim with cooling, refunds and
deleted agents."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.assign.domain.agents import AgentLoad
from services.assign.domain.assignments import pending_timers
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentReason,
    AssignmentState,
    PoolReason,
    ReclaimReason,
)
from services.assign.domain.errors import (
    AgentAtMaxHeld,
    AlreadyHeldByAgent,
    AssignmentNotActive,
    ClaimCoolingDown,
    LeadNotInPool,
    NotAssignee,
)
from services.assign.domain.handover import apply_refund, claim, reassign, release
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.reclaim import fire_reclaim, reclaim_for_deleted_agent, reclaim_timer
from services.assign.domain.timers import Timer, TimerKind, TimerRef, reclaim_ref, reminder_ref
from tests.assign.unit.builders import NOON_UTC, agent, opened, policy, summary

POLICY = policy()
ENTRY = PoolEntry(summary(), PoolReason.NO_AGENT_AVAILABLE, NOON_UTC)


def test_a_new_assignment_schedules_its_reclaim_and_first_reminder() -> None:
    result = opened()
    assert result.assignment.state == AssignmentState.ACTIVE
    assert result.assignment.reclaim_due_time == NOON_UTC + timedelta(hours=24)
    assert result.timers == (
        Timer(TimerKind.RECLAIM, "as-1", NOON_UTC + timedelta(hours=24)),
        Timer(TimerKind.REMINDER, "as-1#1", NOON_UTC + timedelta(minutes=15)),
    )


def test_claim_gives_the_lead_to_the_agent() -> None:
    result = claim("as-2", ENTRY, agent("a2"), AgentLoad(held=2), (), NOON_UTC, POLICY)
    assert result.assignment.agent_id == "a2" and result.assignment.reason == AssignmentReason.POOL_CLAIM
    assert result.assignment.lead == summary()
    assert [timer.kind for timer in result.timers] == [TimerKind.RECLAIM, TimerKind.REMINDER]


def test_claim_is_limited_by_max_held_only() -> None:
    busy = agent("a2", max_held_leads=2, status=AgentStatus.OFFLINE, daily_capacity=1)
    with pytest.raises(AgentAtMaxHeld):
        claim("as-2", ENTRY, busy, AgentLoad(held=2), (), NOON_UTC, POLICY)
    # Offline and over the daily capacity, the agent may still claim by hand below max held.
    assert claim("as-2", ENTRY, busy, AgentLoad(held=1, assigned_today=5), (), NOON_UTC, POLICY).assignment


def test_the_loser_of_a_claim_race_finds_no_entry() -> None:
    """The store removes the entry with a conditional delete; the second claimant sees no entry."""
    claim("as-2", ENTRY, agent("a2"), AgentLoad(), (), NOON_UTC, POLICY)
    with pytest.raises(LeadNotInPool) as raised:
        claim("as-3", None, agent("a3"), AgentLoad(), (), NOON_UTC, POLICY)
    assert raised.value.reason == "LEAD_NOT_IN_POOL"


def test_release_returns_the_lead_to_the_pool_and_cancels_timers() -> None:
    assignment = opened().assignment
    later = NOON_UTC + timedelta(hours=1)
    released = release(assignment, "a1", later)
    assert released.assignment.state == AssignmentState.RELEASED and released.assignment.end_time == later
    assert released.entry == PoolEntry(summary(), PoolReason.RELEASED, later, previous_agent_id="a1")
    assert released.cancel == (reclaim_ref("as-1"), reminder_ref("as-1", 1))


def test_only_the_holder_or_an_administrator_releases() -> None:
    assignment = opened().assignment
    with pytest.raises(NotAssignee):
        release(assignment, "a2", NOON_UTC)
    assert release(assignment, "boss", NOON_UTC, is_admin=True).assignment.state == AssignmentState.RELEASED
    with pytest.raises(AssignmentNotActive):
        release(release(assignment, "a1", NOON_UTC).assignment, "a1", NOON_UTC)


def test_reassign_a_held_lead() -> None:
    assignment = opened().assignment
    moved = reassign("as-2", assignment, None, agent("a2"), AgentLoad(), NOON_UTC, POLICY)
    assert moved.ended is not None and moved.ended.state == AssignmentState.REASSIGNED
    new = moved.opened.assignment
    assert (new.agent_id, new.reason, new.previous_agent_id) == ("a2", AssignmentReason.REASSIGN, "a1")
    assert moved.cancel == pending_timers(assignment)


def test_reassign_a_pooled_lead_overrides_cooling_but_not_max_held() -> None:
    entry = PoolEntry(summary(), PoolReason.RECLAIMED, NOON_UTC, previous_agent_id="a1")
    moved = reassign("as-2", None, entry, agent("a1"), AgentLoad(), NOON_UTC, POLICY)
    assert moved.ended is None and moved.opened.assignment.previous_agent_id == "a1"
    with pytest.raises(AgentAtMaxHeld):
        reassign("as-2", None, entry, agent("a2", max_held_leads=1), AgentLoad(held=1), NOON_UTC, POLICY)


def test_reassign_refusals() -> None:
    assignment = opened().assignment
    with pytest.raises(AlreadyHeldByAgent):
        reassign("as-2", assignment, None, agent("a1"), AgentLoad(), NOON_UTC, POLICY)
    with pytest.raises(AssignmentNotActive):
        reassign("as-2", None, None, agent("a2"), AgentLoad(), NOON_UTC, POLICY)


def test_reclaim_without_follow_up_pools_the_lead_and_cools_the_agent() -> None:
    the_policy = policy(reclaim_after=timedelta(hours=2), reclaim_cooldown=timedelta(hours=6))
    result = opened(the_policy=the_policy)
    timer = reclaim_timer(result.assignment, the_policy)
    assert timer in result.timers and timer.due_time == NOON_UTC + timedelta(hours=2)
    fired_at = NOON_UTC + timedelta(hours=2, seconds=3)
    reclaimed = fire_reclaim(result.assignment, timer, the_policy, fired_at)
    assert reclaimed is not None
    assert reclaimed.assignment.state == AssignmentState.RECLAIMED
    assert reclaimed.entry == PoolEntry(summary(), PoolReason.RECLAIMED, fired_at, previous_agent_id="a1")
    assert reclaimed.cooldown == Cooldown("lead-1", "a1", fired_at + timedelta(hours=6))
    assert reclaimed.reason == ReclaimReason.NO_FOLLOW_UP
    assert reclaimed.cancel == (TimerRef(TimerKind.REMINDER, "as-1#1"),)


def test_the_reclaimed_agent_cannot_claim_back_until_cooling_ends() -> None:
    the_policy = policy(reclaim_cooldown=timedelta(hours=6))
    result = opened(the_policy=the_policy)
    fired_at = NOON_UTC + timedelta(hours=24)
    reclaimed = fire_reclaim(
        result.assignment, reclaim_timer(result.assignment, the_policy), the_policy, fired_at
    )
    assert reclaimed is not None and reclaimed.cooldown is not None
    cooldowns = (reclaimed.cooldown,)
    with pytest.raises(ClaimCoolingDown) as raised:
        claim(
            "as-2",
            reclaimed.entry,
            agent("a1"),
            AgentLoad(),
            cooldowns,
            fired_at + timedelta(hours=5),
            the_policy,
        )
    assert raised.value.metadata["cooldown_end_time"] == (fired_at + timedelta(hours=6)).isoformat()
    # Another agent may claim it at once; the same agent once the cooling period is over.
    assert claim("as-2", reclaimed.entry, agent("a2"), AgentLoad(), cooldowns, fired_at, the_policy)
    back = claim(
        "as-3",
        reclaimed.entry,
        agent("a1"),
        AgentLoad(),
        cooldowns,
        fired_at + timedelta(hours=6),
        the_policy,
    )
    assert back.assignment.agent_id == "a1" and back.assignment.previous_agent_id == "a1"


def test_reclaim_does_nothing_after_a_follow_up_or_an_ending() -> None:
    result = opened()
    timer = reclaim_timer(result.assignment, POLICY)
    followed = replace(result.assignment, first_follow_up_time=NOON_UTC + timedelta(minutes=5))
    assert fire_reclaim(followed, timer, POLICY, NOON_UTC + timedelta(hours=24)) is None
    released = release(result.assignment, "a1", NOON_UTC).assignment
    assert fire_reclaim(released, timer, POLICY, NOON_UTC + timedelta(hours=24)) is None
    with pytest.raises(ValueError, match="not a reclaim timer"):
        fire_reclaim(result.assignment, result.timers[1], POLICY, NOON_UTC)


def test_a_deleted_agents_leads_return_to_the_pool_without_cooling() -> None:
    reclaimed = reclaim_for_deleted_agent(opened().assignment, NOON_UTC)
    assert reclaimed.reason == ReclaimReason.AGENT_DELETED and reclaimed.cooldown is None
    assert (
        reclaimed.entry.previous_agent_id == "a1" and reclaimed.assignment.state == AssignmentState.RECLAIMED
    )


def test_a_refund_frees_capacity_and_closes_the_active_assignment() -> None:
    old = release(opened("as-0").assignment, "a1", NOON_UTC).assignment
    active = opened("as-1", agent("a2")).assignment
    refunded = apply_refund([old, active], NOON_UTC + timedelta(hours=1))
    by_id = {a.id: a for a in refunded.assignments}
    assert not by_id["as-0"].counts_toward_capacity and by_id["as-0"].state == AssignmentState.RELEASED
    assert not by_id["as-1"].counts_toward_capacity and by_id["as-1"].state == AssignmentState.CLOSED
    assert refunded.cancel == pending_timers(active)
    # A second refund.issued for the lead changes nothing.
    assert apply_refund(list(refunded.assignments), NOON_UTC).assignments == ()
