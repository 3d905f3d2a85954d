"""Reminders every interval until the first follow-up, escalated to the team's administrators after the third,
quiet hours respected; reclaim after reclaim_after into the pool, and the cooling period on claiming it back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.agent_checks import TeamDraft
from services.assign.domain.checks import WindowDraft
from services.assign.domain.commands import ClaimCommand, RecordCommand
from services.assign.domain.enums import (
    AssignmentMethod,
    AssignmentState,
    FollowUpKind,
    PoolReason,
    RecipientRole,
    ReclaimReason,
)
from services.assign.domain.events import LeadReclaimed, ReminderDue
from services.assign.domain.followups import FollowUpDraft
from services.assign.domain.policy_checks import RuleDraft
from services.common.errors import FailedPrecondition
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, agent_principal


def setup(world: World, **policy: object) -> tuple[str, str, str, str]:
    team = world.team()
    holder = world.agent(team, name="holder")
    boss = world.agent(team, name="boss-agent")
    world.run(
        world.agents.update_team(
            world.admin, team.id, TeamDraft(admin_agent_ids=(boss.id,)), ["admin_agent_ids"]
        )
    )
    world.policy(RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id=holder.id), **policy)
    result = world.accept()
    assert result and result.assignment
    return result.assignment.lead.lead_id, result.assignment.id, holder.id, boss.id


def reminders(uow: FakeAssignUnitOfWork) -> list[ReminderDue]:
    return [e for e in uow.events.recorded if isinstance(e, ReminderDue)]


def test_reminders_repeat_and_escalate_after_three(world: World, uow: FakeAssignUnitOfWork) -> None:
    lead_id, assignment_id, holder, boss = setup(world)
    start = world.clock.now()
    world.advance(timedelta(minutes=14))
    assert reminders(uow) == []
    world.advance(timedelta(minutes=60))  # 74 minutes: reminders 1..4 are due
    sent = reminders(uow)
    assert [(e.sequence, e.recipient_agent_id, e.role, e.escalated) for e in sent] == [
        (1, holder, RecipientRole.ASSIGNEE, False),
        (2, holder, RecipientRole.ASSIGNEE, False),
        (3, holder, RecipientRole.ASSIGNEE, False),
        (4, holder, RecipientRole.ASSIGNEE, True),
        (4, boss, RecipientRole.TEAM_ADMIN, True),
    ]
    assert [e.due_time - start for e in sent[::1]][:4] == [timedelta(minutes=15 * n) for n in (1, 2, 3, 4)]
    assert all(e.reminder_id.startswith(assignment_id) for e in sent)
    assert uow.assignments.get("t1", assignment_id).reminders_sent == 4  # type: ignore[union-attr]
    world.run(
        world.follow_ups.record(
            agent_principal("t1", "holder"), RecordCommand(FollowUpDraft(lead_id, FollowUpKind.NOTE)), "f"
        )
    )
    world.advance(timedelta(hours=2))
    assert len(reminders(uow)) == 5, "the first follow-up stops them"


def test_quiet_hours_hold_reminders_until_they_end(world: World, uow: FakeAssignUnitOfWork) -> None:
    # 10:00 in Shanghai now; quiet from 10:10 to 12:00.
    setup(world, quiet_hours=WindowDraft(10, 10, 12, 0), escalate_after_count=1)
    world.advance(timedelta(hours=1, minutes=59))
    assert reminders(uow) == []
    world.advance(timedelta(minutes=1))
    sent = reminders(uow)
    assert [e.sequence for e in sent] == [1] and sent[0].due_time == world.clock.now()
    world.advance(timedelta(minutes=15))
    assert [(e.sequence, e.escalated) for e in reminders(uow)][-2:] == [(2, True), (2, True)]


def test_reclaim_into_the_pool_then_cooling_then_claim_back(world: World, uow: FakeAssignUnitOfWork) -> None:
    lead_id, assignment_id, holder, _ = setup(
        world, reclaim_after=timedelta(hours=2), reclaim_cooldown=timedelta(hours=1)
    )
    world.advance(timedelta(hours=1, minutes=59))
    assert uow.pool.get("t1", lead_id) is None
    world.advance(timedelta(minutes=1))
    entry = uow.pool.get("t1", lead_id)
    assert entry and entry.reason == PoolReason.RECLAIMED and entry.previous_agent_id == holder
    ended = uow.assignments.get("t1", assignment_id)
    assert ended and ended.state == AssignmentState.RECLAIMED
    reclaim = [e for e in uow.events.recorded if isinstance(e, LeadReclaimed)]
    assert len(reclaim) == 1 and reclaim[0].reason == ReclaimReason.NO_FOLLOW_UP
    assert reclaim[0].cooldown_end_time == world.clock.now() + timedelta(hours=1)
    assert uow.timers.rows == {}, "its reminders stop too"
    with pytest.raises(FailedPrecondition) as cooling:
        world.run(world.pool.claim(agent_principal("t1", "holder"), ClaimCommand(lead_id), "c-1"))
    assert cooling.value.reason == "CLAIM_COOLING_DOWN"
    taken_by_boss = world.run(
        world.pool.claim(agent_principal("t1", "boss-agent"), ClaimCommand(lead_id), "c-2")
    )
    assert taken_by_boss.agent_id != holder
    world.run(
        world.pool.release(
            agent_principal("t1", "boss-agent"),
            __import__("services.assign.domain.commands", fromlist=["ReleaseCommand"]).ReleaseCommand(
                lead_id
            ),
            "r-1",
        )
    )
    world.advance(timedelta(hours=1))
    back = world.run(world.pool.claim(agent_principal("t1", "holder"), ClaimCommand(lead_id), "c-3"))
    assert back.agent_id == holder


def test_each_timer_fires_once(world: World, uow: FakeAssignUnitOfWork) -> None:
    setup(world)
    fired = world.advance(timedelta(minutes=15))
    assert len(fired) == 1 and fired[0].reminder is not None
    assert world.fire_due() == []
    assert len(reminders(uow)) == 1
