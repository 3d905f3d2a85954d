"""Follow-ups: checks, the first follow-up stopping reminders and reclaim, calls counted as follow-ups, and the
status changes of CONVERTED and INVALID."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.assign.domain.enums import (
    AssignmentState,
    CallOutcome,
    FollowUpKind,
    FollowUpOutcome,
    LeadInvalidReason,
    LeadStatus,
)
from services.assign.domain.errors import AssignmentNotActive, NotAssignee
from services.assign.domain.followups import (
    CallFacts,
    FollowUp,
    FollowUpDraft,
    StatusChange,
    apply_follow_up,
    call_counts,
    check_follow_up,
    follow_up_from_call,
    from_draft,
)
from services.assign.domain.handover import release
from services.assign.domain.timers import reclaim_ref, reminder_ref
from services.common.errors import InvalidArgument
from tests.assign.unit.builders import NOON_UTC, opened

LATER = NOON_UTC + timedelta(minutes=40)


def fields_of(error: InvalidArgument) -> set[str]:
    return {violation.field for violation in error.violations}


def recorded(**changes: object) -> FollowUp:
    values: dict[str, object] = {"lead_id": "lead-1", "kind": FollowUpKind.NOTE}
    values.update(changes)
    draft = FollowUpDraft(**values)  # type: ignore[arg-type]
    check_follow_up(draft, LATER)
    return from_draft(draft, "fu-1", "a1", LATER)


def test_the_first_follow_up_stops_reminders_and_reclaim() -> None:
    assignment = opened().assignment
    applied = apply_follow_up(assignment, recorded(kind=FollowUpKind.WECHAT_ADDED))
    assert applied.assignment.first_follow_up_time == LATER
    assert applied.assignment.reclaim_due_time is None
    assert applied.assignment.state == AssignmentState.ACTIVE
    assert applied.cancel == (reclaim_ref("as-1"), reminder_ref("as-1", 1))
    assert applied.follow_up.assignment_id == "as-1"
    assert applied.status_change is None
    # The second follow-up cancels nothing more and keeps the first time.
    second = apply_follow_up(applied.assignment, recorded(next_follow_up_time=LATER + timedelta(days=1)))
    assert second.cancel == () and second.assignment.first_follow_up_time == LATER
    assert second.assignment.next_follow_up_time == LATER + timedelta(days=1)


def test_converted_closes_the_assignment_and_changes_the_status() -> None:
    applied = apply_follow_up(
        opened().assignment,
        recorded(kind=FollowUpKind.VISIT, outcome=FollowUpOutcome.CONVERTED),
    )
    assert applied.status_change == StatusChange("lead-1", LeadStatus.CONVERTED)
    assert applied.assignment.state == AssignmentState.CLOSED and applied.assignment.end_time == LATER


def test_invalid_needs_a_reason_and_carries_it() -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_follow_up(FollowUpDraft("lead-1", FollowUpKind.CALL, FollowUpOutcome.INVALID), LATER)
    assert fields_of(raised.value) == {"follow_up.invalid_reason"}
    applied = apply_follow_up(
        opened().assignment,
        recorded(
            kind=FollowUpKind.CALL,
            outcome=FollowUpOutcome.INVALID,
            invalid_reason=LeadInvalidReason.WRONG_PERSON,
        ),
    )
    assert applied.status_change == StatusChange("lead-1", LeadStatus.INVALID, LeadInvalidReason.WRONG_PERSON)
    assert applied.assignment.state == AssignmentState.CLOSED


def test_bad_drafts_name_every_field() -> None:
    draft = FollowUpDraft(
        lead_id="",
        kind=0,
        outcome=99,
        note="x" * 2001,
        call_id="bad\x00id",
        follow_up_time=LATER + timedelta(hours=1),
        next_follow_up_time=LATER,
        invalid_reason=LeadInvalidReason.OTHER,
    )
    with pytest.raises(InvalidArgument) as raised:
        check_follow_up(draft, LATER)
    assert fields_of(raised.value) == {
        "follow_up.lead_id",
        "follow_up.kind",
        "follow_up.outcome",
        "follow_up.note",
        "follow_up.call_id",
        "follow_up.follow_up_time",
        "follow_up.next_follow_up_time",
        "follow_up.invalid_reason",
    }


def test_a_note_may_have_line_breaks() -> None:
    check_follow_up(FollowUpDraft("lead-1", FollowUpKind.NOTE, note="called twice\n\tbusy"), LATER)


def test_follow_ups_need_the_holder_and_an_active_assignment() -> None:
    assignment = opened().assignment
    follow_up = recorded()
    with pytest.raises(NotAssignee):
        apply_follow_up(assignment, replace(follow_up, agent_id="a2"))
    with pytest.raises(AssignmentNotActive):
        apply_follow_up(release(assignment, "a1", NOON_UTC).assignment, follow_up)
    with pytest.raises(InvalidArgument) as raised:
        apply_follow_up(assignment, replace(follow_up, follow_up_time=NOON_UTC - timedelta(minutes=1)))
    assert fields_of(raised.value) == {"follow_up.follow_up_time"}


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [(CallOutcome.ANSWERED, FollowUpOutcome.REACHED), (CallOutcome.NO_ANSWER, FollowUpOutcome.NOT_REACHED)],
)
def test_a_completed_call_is_a_call_follow_up(outcome: CallOutcome, expected: FollowUpOutcome) -> None:
    assignment = opened().assignment
    call = CallFacts("call-1", "lead-1", "a1", outcome, NOON_UTC + timedelta(minutes=3))
    assert call_counts(call, assignment)
    follow_up = follow_up_from_call(call, "call:call-1", LATER)
    assert (follow_up.kind, follow_up.outcome, follow_up.call_id) == (FollowUpKind.CALL, expected, "call-1")
    applied = apply_follow_up(assignment, follow_up)
    assert applied.assignment.first_follow_up_time == NOON_UTC + timedelta(minutes=3)
    assert applied.cancel == (reclaim_ref("as-1"), reminder_ref("as-1", 1))


def test_calls_that_do_not_count() -> None:
    assignment = opened().assignment
    start = NOON_UTC + timedelta(minutes=3)
    assert not call_counts(CallFacts("c", "lead-1", "a2", CallOutcome.ANSWERED, start), assignment)
    assert not call_counts(CallFacts("c", "lead-2", "a1", CallOutcome.ANSWERED, start), assignment)
    assert not call_counts(
        CallFacts("c", "lead-1", "a1", CallOutcome.ANSWERED, NOON_UTC - timedelta(1)), assignment
    )
    assert not call_counts(CallFacts("c", "lead-1", "a1", CallOutcome.ANSWERED, start), None)
