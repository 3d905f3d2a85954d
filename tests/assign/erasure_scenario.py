"""lead.erased in assign, as one scenario that runs on the in-memory fakes (tests/assign/handlers) and on the real
store (tests/assign/integration): a lead with a note and a region is held by an agent; the erasure frees the agent,
cancels the timers, empties the note and the region, and keeps the assignment's history; a redelivery and a late
lead.accepted change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from services.assign.domain.commands import RecordCommand
from services.assign.domain.enums import AssignmentMethod, AssignmentState, FollowUpKind, FollowUpOutcome
from services.assign.domain.followups import FollowUpDraft
from services.assign.domain.policy_checks import RuleDraft
from tests.assign.world import GUANGDONG, World, agent_principal, lead_facts

NOTE = "张三说晚上打 13800138000，微信 zhangsan_wx88"


def erase_a_held_lead(world: World, before_erasure: Callable[[], None] = lambda: None) -> tuple[str, str]:
    """The erased lead's id and its (closed) assignment's id, after every check of the scenario;
    ``before_erasure`` runs just before the erasure (a positive control of a scan)."""
    team = world.team()
    me = world.agent(team, name="me")
    world.policy(RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id=me.id))
    facts = lead_facts()
    result = world.accept(facts)
    assert result and result.assignment and result.assignment.lead.phone_region == GUANGDONG
    lead_id, assignment_id = facts.lead_id, result.assignment.id
    world.clock.advance(timedelta(minutes=5))
    draft = FollowUpDraft(lead_id, FollowUpKind.NOTE, FollowUpOutcome.REACHED, note=NOTE)
    world.run(world.follow_ups.record(agent_principal(world.tenant, "me"), RecordCommand(draft), "note-1"))
    held_before = world.read(lambda uow: uow.assignments.active_of_agent(world.tenant, me.id))
    assert [a.id for a in held_before] == [assignment_id]
    before_erasure()

    assert world.erase(lead_id) is True

    def look(uow):  # type: ignore[no-untyped-def]
        return (
            uow.assignments.get(world.tenant, assignment_id),
            uow.leads.get(world.tenant, lead_id),
            uow.follow_ups.list(world.tenant, lead_id, "", None, 10),
            uow.assignments.active_of_agent(world.tenant, me.id),
            uow.pool.get(world.tenant, lead_id),
        )

    closed, known, notes, held, pooled = world.read(look)
    assert closed.state == AssignmentState.CLOSED and closed.agent_id == me.id  # history kept, agent freed
    assert closed.lead.phone_region is None and closed.reassign_reason == "" and closed.release_reason == ""
    assert known.facts.phone_region is None and known.summary.phone_region is None
    assert [n.note for n in notes] == [""] and notes[
        0
    ].kind == FollowUpKind.NOTE  # the follow-up stays, blank
    assert held == [] and pooled is None
    assert world.advance(timedelta(days=3)) == []  # the reclaim and reminders were cancelled

    assert world.erase(lead_id) is False  # a redelivery: nothing more to do
    assert world.accept(facts) is None  # a lead.accepted handled after the erasure routes nothing
    assert world.read(lambda uow: uow.pool.get(world.tenant, lead_id)) is None
    return lead_id, assignment_id
