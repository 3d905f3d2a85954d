"""An assignment: one period during which one agent holds one lead. Pure values and small transitions.

States: ACTIVE while the agent holds the lead; it ends RELEASED (the agent gave it back), RECLAIMED (no first
follow-up in time), REASSIGNED (an administrator moved it) or CLOSED (converted, proved invalid, or refunded). Only
ACTIVE assignments count as held (max held); every assignment received in the agent's local day counts toward the
daily capacity unless the lead was refunded (``counts_toward_capacity`` False).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.assign.domain.enums import AssignmentReason, AssignmentState
from services.assign.domain.errors import AssignmentNotActive, NotAssignee
from services.assign.domain.leads import LeadSummary
from services.assign.domain.timers import TimerRef, reclaim_ref, reminder_ref


@dataclass(frozen=True)
class Assignment:
    id: str
    lead: LeadSummary
    agent_id: str
    team_id: str
    reason: AssignmentReason
    assign_time: datetime
    state: AssignmentState = AssignmentState.ACTIVE
    rule_id: str = ""
    previous_agent_id: str = ""
    first_follow_up_time: datetime | None = None
    next_follow_up_time: datetime | None = None
    reclaim_due_time: datetime | None = None
    end_time: datetime | None = None
    reminders_sent: int = 0
    counts_toward_capacity: bool = True
    # Why an administrator moved the lead to this agent (REASSIGN), and why the agent released it (RELEASED).
    reassign_reason: str = ""
    release_reason: str = ""
    # The stored version, raised by every change the store writes: updates are a compare-and-set on it.
    version: int = 1

    @property
    def active(self) -> bool:
        return self.state == AssignmentState.ACTIVE

    @property
    def awaiting_first_follow_up(self) -> bool:
        return self.active and self.first_follow_up_time is None


def pending_timers(assignment: Assignment) -> tuple[TimerRef, ...]:
    """The timers that may still be pending for the assignment: its reclaim and its next reminder."""
    if not assignment.awaiting_first_follow_up:
        return ()
    return (reclaim_ref(assignment.id), reminder_ref(assignment.id, assignment.reminders_sent + 1))


def end(assignment: Assignment, state: AssignmentState, now: datetime) -> Assignment:
    """The assignment ended in ``state``; raises AssignmentNotActive when it had already ended."""
    require_active(assignment)
    return replace(assignment, state=state, end_time=now, reclaim_due_time=None)


def require_active(assignment: Assignment) -> None:
    if not assignment.active:
        raise AssignmentNotActive(
            f"assignment {assignment.id} is {assignment.state.name}, not ACTIVE",
            metadata={"assignment_id": assignment.id},
        )


def require_holder(assignment: Assignment, agent_id: str, *, is_admin: bool = False) -> None:
    """Agents act only on leads they hold; administrators on any."""
    if not is_admin and assignment.agent_id != agent_id:
        raise NotAssignee(
            f"lead {assignment.lead.lead_id} is held by another agent",
            metadata={"lead_id": assignment.lead.lead_id},
        )
