"""Follow-ups stop reminders and the reclaim, conversion closes the assignment and emits lead.status_changed, a
completed call counts as a follow-up by itself (once); a refund frees the agent's capacity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.commands import RecordCommand
from services.assign.domain.enums import (
    AssignmentMethod,
    AssignmentState,
    CallOutcome,
    FollowUpKind,
    FollowUpOutcome,
    LeadInvalidReason,
    LeadStatus,
)
from services.assign.domain.events import LeadStatusChanged
from services.assign.domain.followups import CallFacts, FollowUpDraft
from services.assign.domain.policy_checks import RuleDraft
from services.assign.domain.timers import TimerKind
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, agent_principal, service

ME = agent_principal("t1", "me")


def assigned(world: World, **agent_fields: object) -> tuple[str, str]:
    team = world.team()
    me = world.agent(team, name="me", **agent_fields)
    world.agent(team, name="you")
    world.policy(RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id=me.id))
    result = world.accept()
    assert result and result.assignment
    return result.assignment.lead.lead_id, result.assignment.id


def test_the_first_follow_up_stops_reminders_and_reclaim(world: World, uow: FakeAssignUnitOfWork) -> None:
    lead_id, assignment_id = assigned(world)
    world.clock.advance(timedelta(minutes=5))
    note = world.run(
        world.follow_ups.record(
            ME,
            RecordCommand(FollowUpDraft(lead_id, FollowUpKind.WECHAT_ADDED, FollowUpOutcome.REACHED)),
            "f-1",
        )
    )
    assert note.assignment_id == assignment_id and note.follow_up_time == world.clock.now()
    assert uow.timers.rows == {}
    after = uow.assignments.get("t1", assignment_id)
    assert after and after.first_follow_up_time == world.clock.now() and after.reclaim_due_time is None
    assert world.advance(timedelta(days=3)) == []
    assert uow.assignments.get("t1", assignment_id).state == AssignmentState.ACTIVE  # type: ignore[union-attr]
    assert (
        world.run(
            world.follow_ups.record(
                ME,
                RecordCommand(FollowUpDraft(lead_id, FollowUpKind.WECHAT_ADDED, FollowUpOutcome.REACHED)),
                "f-1",
            )
        )
        == note
    )


def test_conversion_and_invalid_close_the_assignment_and_report_the_status(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    lead_id, assignment_id = assigned(world)
    with pytest.raises(InvalidArgument) as caught:
        world.run(
            world.follow_ups.record(
                ME, RecordCommand(FollowUpDraft(lead_id, FollowUpKind.CALL, FollowUpOutcome.INVALID)), "f-0"
            )
        )
    assert [v.field for v in caught.value.violations] == ["follow_up.invalid_reason"]
    done = world.run(
        world.follow_ups.record(
            ME,
            RecordCommand(
                FollowUpDraft(
                    lead_id,
                    FollowUpKind.CALL,
                    FollowUpOutcome.INVALID,
                    invalid_reason=LeadInvalidReason.WRONG_PERSON,
                )
            ),
            "f-1",
        )
    )
    closed = uow.assignments.get("t1", assignment_id)
    assert closed and closed.state == AssignmentState.CLOSED
    event = uow.events.recorded[-1]
    assert isinstance(event, LeadStatusChanged) and event.follow_up_id == done.id
    assert (event.change.status, event.change.invalid_reason) == (
        LeadStatus.INVALID,
        LeadInvalidReason.WRONG_PERSON,
    )
    assert uow.loads.rows[("t1", closed.agent_id)][0] == 0
    with pytest.raises(FailedPrecondition):
        world.run(
            world.follow_ups.record(ME, RecordCommand(FollowUpDraft(lead_id, FollowUpKind.NOTE)), "f-2")
        )


def test_only_the_holder_follows_up(world: World) -> None:
    lead_id, _ = assigned(world)
    with pytest.raises(PermissionDenied):
        world.run(
            world.follow_ups.record(
                agent_principal("t1", "you"), RecordCommand(FollowUpDraft(lead_id, FollowUpKind.NOTE)), "f-1"
            )
        )
    with pytest.raises(NotFound):
        world.run(world.follow_ups.record(ME, RecordCommand(FollowUpDraft("nope", FollowUpKind.NOTE)), "f-2"))
    recorded = world.run(
        world.follow_ups.record(world.admin, RecordCommand(FollowUpDraft(lead_id, FollowUpKind.VISIT)), "f-3")
    )
    assert recorded.agent_id == world.read(lambda u: u.agents.by_user("t1", "me")).id  # type: ignore[union-attr]


def test_a_completed_call_is_a_call_follow_up_once(world: World, uow: FakeAssignUnitOfWork) -> None:
    lead_id, assignment_id = assigned(world)
    me = world.read(lambda u: u.agents.by_user("t1", "me"))
    you = world.read(lambda u: u.agents.by_user("t1", "you"))
    assert me and you
    world.clock.advance(timedelta(minutes=20))
    stranger = CallFacts("call-0", lead_id, you.id, CallOutcome.ANSWERED, world.clock.now())
    assert world.write(lambda u: world.follow_ups.on_call_completed(u, "t1", stranger)) is None
    call = CallFacts("call-1", lead_id, me.id, CallOutcome.ANSWERED, world.clock.now())
    first = world.write(lambda u: world.follow_ups.on_call_completed(u, "t1", call))
    assert (
        first
        and first.kind == FollowUpKind.CALL
        and first.outcome == FollowUpOutcome.REACHED
        and first.call_id == "call-1"
    )
    assert world.write(lambda u: world.follow_ups.on_call_completed(u, "t1", call)) is None
    assert uow.timers.get(TimerKind.RECLAIM, assignment_id) is None
    listed = world.run(world.follow_ups.list(ME, lead_id, "", 10, ""))
    assert [f.id for f in listed.items] == [first.id]
    assert world.run(world.follow_ups.list(service("t1"), lead_id, "", 10, "")).items == listed.items
    assert world.run(world.follow_ups.list(agent_principal("t1", "you"), lead_id, "", 10, "")).items == []
    with pytest.raises(InvalidArgument):
        world.run(world.follow_ups.list(ME, "", "", 10, ""))


def test_a_refund_frees_held_and_daily_capacity(world: World, uow: FakeAssignUnitOfWork) -> None:
    lead_id, assignment_id = assigned(world, daily_capacity=1, max_held_leads=1)
    me = world.read(lambda u: u.agents.by_user("t1", "me"))
    assert me and uow.loads.rows[("t1", me.id)][0] == 1 and uow.loads.rows[("t1", me.id)][3] == 1
    full = world.accept()
    assert full and full.entry, "at capacity: the next lead waits in the pool"
    assert world.write(lambda u: world.refunds.on_refund_issued(u, "t1", lead_id, "DUPLICATE_CHARGE")) is None
    refunded = world.write(lambda u: world.refunds.on_refund_issued(u, "t1", lead_id, "EMPTY_NUMBER"))
    assert refunded and [a.id for a in refunded.assignments] == [assignment_id]
    closed = uow.assignments.get("t1", assignment_id)
    assert closed and closed.state == AssignmentState.CLOSED and not closed.counts_toward_capacity
    assert uow.loads.rows[("t1", me.id)][0] == 0 and uow.loads.rows[("t1", me.id)][3] == 0
    assert uow.timers.rows == {}
    again = world.accept()
    assert again and again.assignment and again.assignment.agent_id == me.id
    assert world.write(lambda u: world.refunds.on_refund_issued(u, "t1", lead_id, "EMPTY_NUMBER")) is None
    pooled_id = full.entry.lead.lead_id
    assert world.write(lambda u: world.refunds.on_refund_issued(u, "t1", pooled_id, "SUSPENDED")) is not None
    assert uow.pool.get("t1", pooled_id) is None
