"""Follow-ups: an agent's calls, WeChat contacts, visits and notes on a lead they hold, and the lead status changes
they settle. Pure.

- The first follow-up of an assignment stops its reminders and its reclaim timer.
- A ``call.completed`` from telephony is a CALL follow-up by itself (ANSWERED → REACHED, anything else →
  NOT_REACHED) when the calling agent holds the lead and the call started during the assignment.
- Outcome CONVERTED or INVALID (INVALID needs a ``LeadInvalidReason``) closes the assignment and yields the
  lead.status_changed that ingest applies (CONVERTED / INVALID are final there).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.assign.domain.assignments import Assignment, end, pending_timers, require_active, require_holder
from services.assign.domain.checks import check_enum, check_identifier, check_text
from services.assign.domain.enums import (
    AssignmentState,
    CallOutcome,
    FollowUpKind,
    FollowUpOutcome,
    LeadInvalidReason,
    LeadStatus,
)
from services.assign.domain.timers import TimerRef
from services.common.errors import FieldViolation, InvalidArgument, ViolationCollector

MAX_NOTE_LENGTH = 2000
# A client's clock may run a little ahead; a follow-up further in the future than this is a mistake.
MAX_FUTURE_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class FollowUp:
    id: str
    lead_id: str
    agent_id: str
    kind: FollowUpKind
    outcome: FollowUpOutcome
    follow_up_time: datetime
    assignment_id: str = ""
    note: str = ""
    call_id: str = ""
    next_follow_up_time: datetime | None = None
    invalid_reason: LeadInvalidReason = LeadInvalidReason.UNSPECIFIED
    create_time: datetime | None = None


@dataclass(frozen=True)
class FollowUpDraft:
    """A RecordFollowUpRequest as plain values, enums as the numbers sent; None times mean unset."""

    lead_id: str
    kind: int
    outcome: int = 0
    note: str = ""
    call_id: str = ""
    follow_up_time: datetime | None = None
    next_follow_up_time: datetime | None = None
    invalid_reason: int = 0


@dataclass(frozen=True)
class StatusChange:
    """What lead.status_changed reports."""

    lead_id: str
    status: LeadStatus
    invalid_reason: LeadInvalidReason = LeadInvalidReason.UNSPECIFIED


@dataclass(frozen=True)
class FollowUpApplied:
    assignment: Assignment
    follow_up: FollowUp
    status_change: StatusChange | None
    cancel: tuple[TimerRef, ...]


@dataclass(frozen=True)
class CallFacts:
    """The parts of call.completed that make a follow-up."""

    call_id: str
    lead_id: str
    agent_id: str
    outcome: CallOutcome
    start_time: datetime


def check_follow_up(draft: FollowUpDraft, now: datetime, path: str = "follow_up") -> None:
    """Raises InvalidArgument naming every bad field of the draft."""
    errors = ViolationCollector()
    check_identifier(errors, f"{path}.lead_id", draft.lead_id)
    check_enum(errors, f"{path}.kind", draft.kind, FollowUpKind)
    check_enum(errors, f"{path}.outcome", draft.outcome, FollowUpOutcome, required=False)
    check_text(errors, f"{path}.note", draft.note, MAX_NOTE_LENGTH)
    check_identifier(errors, f"{path}.call_id", draft.call_id, required=False)
    if draft.outcome == FollowUpOutcome.INVALID:
        check_enum(errors, f"{path}.invalid_reason", draft.invalid_reason, LeadInvalidReason)
    elif draft.invalid_reason:
        errors.add(f"{path}.invalid_reason", "must be unset unless the outcome is INVALID")
    happened = draft.follow_up_time or now
    if draft.follow_up_time is not None and draft.follow_up_time > now + MAX_FUTURE_SKEW:
        errors.add(f"{path}.follow_up_time", "must not be in the future")
    if draft.next_follow_up_time is not None and draft.next_follow_up_time <= happened:
        errors.add(f"{path}.next_follow_up_time", "must be after the follow-up")
    errors.raise_if_any()


def from_draft(draft: FollowUpDraft, follow_up_id: str, agent_id: str, now: datetime) -> FollowUp:
    """The follow-up of a checked draft, recorded at ``now`` by ``agent_id``."""
    return FollowUp(
        id=follow_up_id,
        lead_id=draft.lead_id,
        agent_id=agent_id,
        kind=FollowUpKind(draft.kind),
        outcome=FollowUpOutcome(draft.outcome),
        follow_up_time=draft.follow_up_time or now,
        note=draft.note,
        call_id=draft.call_id,
        next_follow_up_time=draft.next_follow_up_time,
        invalid_reason=LeadInvalidReason(draft.invalid_reason),
        create_time=now,
    )


def status_change(follow_up: FollowUp) -> StatusChange | None:
    if follow_up.outcome == FollowUpOutcome.CONVERTED:
        return StatusChange(follow_up.lead_id, LeadStatus.CONVERTED)
    if follow_up.outcome == FollowUpOutcome.INVALID:
        return StatusChange(follow_up.lead_id, LeadStatus.INVALID, follow_up.invalid_reason)
    return None


def apply_follow_up(
    assignment: Assignment, follow_up: FollowUp, *, is_admin: bool = False
) -> FollowUpApplied:
    """Record ``follow_up`` on the active ``assignment`` of its agent.

    Raises AssignmentNotActive, NotAssignee, or InvalidArgument (``follow_up.follow_up_time``) for a follow-up
    dated before the assignment.
    """
    require_active(assignment)
    require_holder(assignment, follow_up.agent_id, is_admin=is_admin)
    if follow_up.follow_up_time < assignment.assign_time:
        raise InvalidArgument(
            FieldViolation("follow_up.follow_up_time", "must not be before the lead was assigned")
        )
    first = assignment.first_follow_up_time is None
    updated = replace(
        assignment,
        first_follow_up_time=assignment.first_follow_up_time or follow_up.follow_up_time,
        reclaim_due_time=None,
        next_follow_up_time=follow_up.next_follow_up_time,
    )
    cancel = pending_timers(assignment) if first else ()
    change = status_change(follow_up)
    if change is not None:
        updated = end(updated, AssignmentState.CLOSED, follow_up.follow_up_time)
    return FollowUpApplied(updated, replace(follow_up, assignment_id=assignment.id), change, cancel)


def call_counts(call: CallFacts, assignment: Assignment | None) -> bool:
    """Whether the call is a follow-up of ``assignment``: held by the caller, started while it was active."""
    return (
        assignment is not None
        and assignment.active
        and assignment.agent_id == call.agent_id
        and assignment.lead.lead_id == call.lead_id
        and call.start_time >= assignment.assign_time
    )


def follow_up_from_call(call: CallFacts, follow_up_id: str, now: datetime) -> FollowUp:
    """The CALL follow-up of a completed call; ``follow_up_id`` is best derived from the call id so that the
    store's unique key makes a replayed call.completed a no-op even outside the inbox."""
    outcome = FollowUpOutcome.REACHED if call.outcome == CallOutcome.ANSWERED else FollowUpOutcome.NOT_REACHED
    return FollowUp(
        id=follow_up_id,
        lead_id=call.lead_id,
        agent_id=call.agent_id,
        kind=FollowUpKind.CALL,
        outcome=outcome,
        follow_up_time=call.start_time,
        call_id=call.call_id,
        create_time=now,
    )
