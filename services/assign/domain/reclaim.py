"""Reclaim: a lead without a first follow-up within policy.reclaim_after (default 24 hours) returns to the pool by
itself, and the agent cools down on it for policy.reclaim_cooldown (default 24 hours). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.assign.domain.assignments import Assignment, end, pending_timers
from services.assign.domain.enums import AssignmentState, PoolReason, ReclaimReason
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.timers import Timer, TimerKind, TimerRef, reclaim_ref


@dataclass(frozen=True)
class Reclaimed:
    """The ended assignment, the lead's pool entry, the agent's cooling period and the timers to cancel; the caller
    publishes lead.reclaimed with ``reason`` and ``cooldown.end_time``."""

    assignment: Assignment
    entry: PoolEntry
    cooldown: Cooldown | None
    reason: ReclaimReason
    cancel: tuple[TimerRef, ...]


def reclaim_timer(assignment: Assignment, policy: AssignmentPolicy) -> Timer:
    ref = reclaim_ref(assignment.id)
    return Timer(ref.kind, ref.key, assignment.assign_time + policy.reclaim_after)


def fire_reclaim(
    assignment: Assignment, timer: Timer, policy: AssignmentPolicy, now: datetime
) -> Reclaimed | None:
    """The effect of the reclaim timer, or None when the agent followed up or the assignment already ended."""
    if timer.kind != TimerKind.RECLAIM:
        raise ValueError(f"not a reclaim timer: {timer.kind}")
    if timer.key != assignment.id or not assignment.awaiting_first_follow_up:
        return None
    cancel = tuple(ref for ref in pending_timers(assignment) if ref != timer.ref)
    ended = end(assignment, AssignmentState.RECLAIMED, now)
    entry = PoolEntry(ended.lead, PoolReason.RECLAIMED, now, previous_agent_id=assignment.agent_id)
    cooldown = Cooldown(assignment.lead.lead_id, assignment.agent_id, now + policy.reclaim_cooldown)
    return Reclaimed(ended, entry, cooldown, ReclaimReason.NO_FOLLOW_UP, cancel)


def reclaim_for_deleted_agent(assignment: Assignment, now: datetime) -> Reclaimed:
    """A deleted agent's active assignment returns to the pool (lead.reclaimed with AGENT_DELETED); no cooling,
    since the agent cannot claim anything any more. Raises AssignmentNotActive when it already ended."""
    cancel = pending_timers(assignment)
    ended = end(assignment, AssignmentState.RECLAIMED, now)
    entry = PoolEntry(ended.lead, PoolReason.RECLAIMED, now, previous_agent_id=assignment.agent_id)
    return Reclaimed(ended, entry, None, ReclaimReason.AGENT_DELETED, cancel)
