"""The pool: list with filters and pages; claim (own, an administrator's for another agent, the race, cooling,
max held, idempotency); release; reassign (held or pooled, with a reason; max held still holds)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.commands import ClaimCommand, ReassignCommand, ReleaseCommand
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    AssignmentReason,
    AssignmentState,
    Channel,
    PoolReason,
)
from services.assign.domain.events import LeadAssigned
from services.assign.domain.leads import Region
from services.assign.domain.policy_checks import RuleDraft
from services.assign.domain.ports import PoolFilter
from services.assign.domain.timers import TimerKind
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, admin, agent_principal


def pooled_leads(world: World, count: int, **fields: object) -> list[str]:
    """Leads sent to the pool by a POOL rule (account acct-1)."""
    world.policy(RuleDraft(id="pool", method=AssignmentMethod.POOL))
    ids = []
    for _ in range(count):
        result = world.accept(**fields)
        assert result and result.entry
        ids.append(result.entry.lead.lead_id)
    return ids


def test_list_filters_pages_and_total(world: World) -> None:
    calls = pooled_leads(world, 3, channel=Channel.INBOUND_CALL)
    world.clock.advance(timedelta(minutes=1))
    forms = pooled_leads(world, 2, phone_region=Region("浙江省", "杭州市"))
    page = world.run(world.pool.list_pool(world.admin, PoolFilter(), 2, ""))
    assert [v.entry.lead.lead_id for v in page.items] == calls[:2] and page.total_size == 5
    rest = world.run(world.pool.list_pool(world.admin, PoolFilter(), 10, page.next_page_token))
    assert [v.entry.lead.lead_id for v in rest.items] == calls[2:] + forms
    by_channel = world.run(
        world.pool.list_pool(world.admin, PoolFilter(channel=Channel.INBOUND_CALL), 10, "")
    )
    assert [v.entry.lead.lead_id for v in by_channel.items] == calls
    by_province = world.run(world.pool.list_pool(world.admin, PoolFilter(province="浙江省"), 10, ""))
    assert [v.entry.lead.lead_id for v in by_province.items] == forms
    by_reason = world.run(world.pool.list_pool(world.admin, PoolFilter(reason=PoolReason.RELEASED), 10, ""))
    assert by_reason.items == [] and by_reason.total_size == 0
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.pool.list_pool(world.admin, PoolFilter(channel=99), 10, ""))  # type: ignore[arg-type]
    assert [v.field for v in caught.value.violations] == ["channel"]
    assert world.run(world.pool.list_pool(admin("t2"), PoolFilter(), 10, "")).items == []


def test_claim_by_the_agent_and_the_loser_of_the_race(world: World, uow: FakeAssignUnitOfWork) -> None:
    team = world.team()
    first, second = world.agent(team, name="first"), world.agent(team, name="second")
    (lead_id,) = pooled_leads(world, 1)
    won = world.run(world.pool.claim(agent_principal("t1", "first"), ClaimCommand(lead_id), "c-1"))
    assert won.agent_id == first.id and won.reason == AssignmentReason.POOL_CLAIM
    assert uow.pool.get("t1", lead_id) is None
    assert uow.timers.get(TimerKind.RECLAIM, won.id) is not None
    assert isinstance(uow.events.recorded[-1], LeadAssigned)
    with pytest.raises(FailedPrecondition) as lost:
        world.run(world.pool.claim(agent_principal("t1", "second"), ClaimCommand(lead_id), "c-2"))
    assert lost.value.reason == "LEAD_NOT_IN_POOL"
    assert world.run(world.pool.claim(agent_principal("t1", "first"), ClaimCommand(lead_id), "c-1")) == won
    assert uow.loads.rows[("t1", first.id)][0] == 1 and uow.loads.rows[("t1", second.id)][0] == 0
    with pytest.raises(NotFound):
        world.run(world.pool.claim(agent_principal("t1", "second"), ClaimCommand("no-such-lead"), "c-3"))


def test_claim_for_another_agent_is_for_administrators(world: World) -> None:
    team = world.team()
    world.agent(team, name="me")
    other = world.agent(team, name="other", status=AgentStatus.OFFLINE)
    (lead_id,) = pooled_leads(world, 1)
    with pytest.raises(PermissionDenied):
        world.run(world.pool.claim(agent_principal("t1", "me"), ClaimCommand(lead_id, other.id), "c-1"))
    done = world.run(world.pool.claim(world.admin, ClaimCommand(lead_id, other.id), "c-2"))
    assert done.agent_id == other.id, "a claim ignores status and working hours"
    with pytest.raises(PermissionDenied) as unlinked:
        world.run(world.pool.claim(agent_principal("t1", "stranger"), ClaimCommand(lead_id), "c-3"))
    assert unlinked.value.reason == "NO_AGENT_FOR_CALLER"


def test_max_held_limits_claims(world: World) -> None:
    team = world.team()
    world.agent(team, name="busy", max_held_leads=1)
    a, b = pooled_leads(world, 2)
    world.run(world.pool.claim(agent_principal("t1", "busy"), ClaimCommand(a), "c-1"))
    with pytest.raises(FailedPrecondition) as full:
        world.run(world.pool.claim(agent_principal("t1", "busy"), ClaimCommand(b), "c-2"))
    assert full.value.reason == "AGENT_AT_MAX_HELD"


def test_release_by_the_holder_then_reassign_by_an_administrator(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    holder, other = world.agent(team, name="holder"), world.agent(team, name="other")
    world.policy(RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id=holder.id))
    result = world.accept()
    assert result and result.assignment
    lead_id = result.assignment.lead.lead_id
    with pytest.raises(PermissionDenied) as not_yours:
        world.run(world.pool.release(agent_principal("t1", "other"), ReleaseCommand(lead_id), "r-0"))
    assert not_yours.value.reason == "NOT_ASSIGNEE"
    entry = world.run(
        world.pool.release(agent_principal("t1", "holder"), ReleaseCommand(lead_id, "wrong region"), "r-1")
    )
    assert entry.reason == PoolReason.RELEASED and entry.previous_agent_id == holder.id
    ended = uow.assignments.get("t1", result.assignment.id)
    assert ended and ended.state == AssignmentState.RELEASED and ended.release_reason == "wrong region"
    assert uow.timers.rows == {} and uow.loads.rows[("t1", holder.id)][0] == 0
    assert (
        world.run(
            world.pool.release(
                agent_principal("t1", "holder"), ReleaseCommand(lead_id, "wrong region"), "r-1"
            )
        )
        == entry
    )
    with pytest.raises(FailedPrecondition):
        world.run(world.pool.release(agent_principal("t1", "holder"), ReleaseCommand(lead_id), "r-2"))

    moved = world.run(
        world.pool.reassign(world.admin, ReassignCommand(lead_id, other.id, "speaks Cantonese"), "m-1")
    )
    assert moved.agent_id == other.id and moved.reason == AssignmentReason.REASSIGN
    assert moved.reassign_reason == "speaks Cantonese" and moved.previous_agent_id == holder.id
    assert uow.pool.get("t1", lead_id) is None
    back = world.run(world.pool.reassign(world.admin, ReassignCommand(lead_id, holder.id, "back"), "m-2"))
    assert uow.assignments.get("t1", moved.id).state == AssignmentState.REASSIGNED  # type: ignore[union-attr]
    assert back.previous_agent_id == other.id
    with pytest.raises(FailedPrecondition) as same:
        world.run(world.pool.reassign(world.admin, ReassignCommand(lead_id, holder.id, "again"), "m-3"))
    assert same.value.reason == "ALREADY_HELD_BY_AGENT"
    with pytest.raises(InvalidArgument) as no_reason:
        world.run(world.pool.reassign(world.admin, ReassignCommand(lead_id, other.id, " "), "m-4"))
    assert [v.field for v in no_reason.value.violations] == ["reason"]
    with pytest.raises(NotFound):
        world.run(world.pool.reassign(world.admin, ReassignCommand(lead_id, "ghost", "x"), "m-5"))
