"""Leads changing hands: a new assignment with its timers, pool claims, releases, reassignments, refunds. Pure.

Every new assignment (by a rule, familiarity, a claim or a reassignment) starts the same clock: a reclaim timer at
``assign_time + policy.reclaim_after`` and reminder 1 (``reminders``). Every ending cancels the timers still
pending; a stale timer would do nothing anyway (the firing re-checks the assignment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.assignments import Assignment, end, pending_timers, require_active, require_holder
from services.assign.domain.availability import at_max_held
from services.assign.domain.enums import AssignmentReason, AssignmentState, PoolReason
from services.assign.domain.errors import AgentAtMaxHeld, AlreadyHeldByAgent, AssignmentNotActive
from services.assign.domain.leads import LeadSummary
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.pool import Cooldown, PoolEntry, check_claim
from services.assign.domain.reclaim import reclaim_timer
from services.assign.domain.reminders import first_reminder
from services.assign.domain.timers import Timer, TimerRef


@dataclass(frozen=True)
class Opened:
    """A new assignment and the timers to schedule with it (reclaim, reminder 1)."""

    assignment: Assignment
    timers: tuple[Timer, ...]


@dataclass(frozen=True)
class Released:
    assignment: Assignment
    entry: PoolEntry
    cancel: tuple[TimerRef, ...]


@dataclass(frozen=True)
class Reassigned:
    """``ended`` is the previous assignment (None when the lead came from the pool; the caller then removes the
    pool entry with the same conditional delete as a claim)."""

    ended: Assignment | None
    opened: Opened
    cancel: tuple[TimerRef, ...]


@dataclass(frozen=True)
class Refunded:
    """The lead's assignments that changed (no longer counting toward capacity; the active one CLOSED)."""

    assignments: tuple[Assignment, ...]
    cancel: tuple[TimerRef, ...]


def open_assignment(
    assignment_id: str,
    lead: LeadSummary,
    agent: Agent,
    reason: AssignmentReason,
    now: datetime,
    policy: AssignmentPolicy,
    *,
    rule_id: str = "",
    previous_agent_id: str = "",
) -> Opened:
    assignment = Assignment(
        id=assignment_id,
        lead=lead,
        agent_id=agent.id,
        team_id=agent.team_id,
        reason=reason,
        assign_time=now,
        rule_id=rule_id,
        previous_agent_id=previous_agent_id,
        reclaim_due_time=now + policy.reclaim_after,
    )
    return Opened(
        assignment, (reclaim_timer(assignment, policy), first_reminder(assignment, policy.reminders))
    )


def claim(
    assignment_id: str,
    entry: PoolEntry | None,
    agent: Agent,
    load: AgentLoad,
    cooldowns: Sequence[Cooldown],
    now: datetime,
    policy: AssignmentPolicy,
) -> Opened:
    """``agent`` takes the pooled lead; raises LeadNotInPool, ClaimCoolingDown or AgentAtMaxHeld (see ``pool``)."""
    entry = check_claim(entry, agent, load, cooldowns, now)
    return open_assignment(
        assignment_id,
        entry.lead,
        agent,
        AssignmentReason.POOL_CLAIM,
        now,
        policy,
        previous_agent_id=entry.previous_agent_id,
    )


def release(
    assignment: Assignment, actor_agent_id: str, now: datetime, *, is_admin: bool = False
) -> Released:
    """The holder (or an administrator) gives the lead back to the pool; raises AssignmentNotActive, NotAssignee."""
    require_active(assignment)
    require_holder(assignment, actor_agent_id, is_admin=is_admin)
    ended = end(assignment, AssignmentState.RELEASED, now)
    entry = PoolEntry(ended.lead, PoolReason.RELEASED, now, previous_agent_id=assignment.agent_id)
    return Released(ended, entry, pending_timers(assignment))


def reassign(
    assignment_id: str,
    current: Assignment | None,
    entry: PoolEntry | None,
    target: Agent,
    target_load: AgentLoad,
    now: datetime,
    policy: AssignmentPolicy,
) -> Reassigned:
    """An administrator moves the lead (held or pooled) to ``target``.

    Administrators override cooling periods, status and working hours, but not max held: the invariant "nobody holds
    more than max held" has no exception. Raises AlreadyHeldByAgent, AgentAtMaxHeld, or AssignmentNotActive when
    the lead is neither held nor pooled. The reason text is checked by ``checks.check_reason``.
    """
    if current is not None and current.active:
        if current.agent_id == target.id:
            raise AlreadyHeldByAgent(
                f"agent {target.id} already holds lead {current.lead.lead_id}",
                metadata={"agent_id": target.id},
            )
        lead, previous, cancel = current.lead, current.agent_id, pending_timers(current)
    elif entry is not None:
        lead, previous, cancel = entry.lead, entry.previous_agent_id, ()
    else:
        raise AssignmentNotActive("the lead is neither held by an agent nor in the pool")
    if at_max_held(target, target_load):
        raise AgentAtMaxHeld(
            f"agent {target.id} already holds {target_load.held} leads (max {target.max_held_leads})",
            metadata={"agent_id": target.id},
        )
    ended = end(current, AssignmentState.REASSIGNED, now) if current is not None and current.active else None
    opened = open_assignment(
        assignment_id, lead, target, AssignmentReason.REASSIGN, now, policy, previous_agent_id=previous
    )
    return Reassigned(ended, opened, cancel)


def apply_refund(assignments: Sequence[Assignment], now: datetime) -> Refunded:
    """refund.issued for the lead: none of its assignments counts toward capacity any more, the active one closes
    (the caller also drops the lead's pool entry: a refunded lead is invalid and nobody should claim it)."""
    changed: list[Assignment] = []
    cancel: list[TimerRef] = []
    for assignment in assignments:
        if not assignment.counts_toward_capacity and not assignment.active:
            continue
        updated = replace(assignment, counts_toward_capacity=False)
        if assignment.active:
            cancel += pending_timers(assignment)
            updated = end(updated, AssignmentState.CLOSED, now)
        changed.append(updated)
    return Refunded(tuple(changed), tuple(cancel))
