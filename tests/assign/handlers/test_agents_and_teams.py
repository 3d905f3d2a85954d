"""Agents and teams: create (idempotent), get, update under a field mask, delete, list with filters and pages;
the agent events with revisions; bad input names the field and changes nothing; agents change only their status."""

from __future__ import annotations

import pytest

from services.assign.domain.agent_checks import AgentDraft, TeamDraft
from services.assign.domain.enums import AgentStatus, AssignmentMethod, AssignmentState, ReclaimReason
from services.assign.domain.events import AgentCreated, AgentDeleted, AgentUpdated, LeadReclaimed
from services.assign.domain.policy_checks import RuleDraft
from services.assign.domain.ports import AgentFilter
from services.assign.handlers.requests import RequestIdReused
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, admin, agent_principal


def fields_of(error: InvalidArgument) -> list[str]:
    return [v.field for v in error.violations]


def test_create_get_and_the_created_event(world: World, uow: FakeAssignUnitOfWork) -> None:
    team = world.team()
    agent = world.agent(team, phone="+8613800138000", weight=3, max_held_leads=5)
    assert agent.revision == 1 and agent.status == AgentStatus.ONLINE and agent.weight == 3
    assert world.run(world.agents.get_agent(world.admin, agent.id)) == agent
    created = [e for e in uow.events.recorded if isinstance(e, AgentCreated)]
    assert [e.agent.id for e in created] == [agent.id] and created[0].agent.phone == "+8613800138000"
    assert uow.loads.rows[("t1", agent.id)][0] == 0


def test_create_is_idempotent_on_request_id_and_refuses_a_reused_one(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    draft = AgentDraft(team_id=team.id, display_name="Li", user_id="li")
    first = world.run(world.agents.create_agent(world.admin, draft, "req-1"))
    again = world.run(world.agents.create_agent(world.admin, draft, "req-1"))
    assert again == first and len(uow.agents.rows) == 1
    with pytest.raises(RequestIdReused):
        world.run(
            world.agents.create_agent(world.admin, AgentDraft(team_id=team.id, display_name="Wang"), "req-1")
        )
    with pytest.raises(AlreadyExists) as taken:
        world.run(
            world.agents.create_agent(
                world.admin, AgentDraft(team_id=team.id, display_name="Zhao", user_id="li"), "req-2"
            )
        )
    assert taken.value.reason == "USER_ID_TAKEN" and len(uow.agents.rows) == 1


def test_bad_input_names_every_field_and_changes_nothing(world: World, uow: FakeAssignUnitOfWork) -> None:
    team = world.team()
    before = (dict(uow.agents.rows), list(uow.events.recorded))
    bad = AgentDraft(team_id=team.id, display_name="", phone="13800138000", weight=101, daily_capacity=-1)
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.agents.create_agent(world.admin, bad, "req-x"))
    assert fields_of(caught.value) == [
        "agent.display_name",
        "agent.phone",
        "agent.weight",
        "agent.daily_capacity",
    ]
    with pytest.raises(InvalidArgument) as missing_team:
        world.run(
            world.agents.create_agent(world.admin, AgentDraft(team_id="nope", display_name="A"), "req-y")
        )
    assert fields_of(missing_team.value) == ["agent.team_id"]
    with pytest.raises(InvalidArgument) as no_request:
        world.run(world.agents.create_agent(world.admin, AgentDraft(team_id=team.id, display_name="A"), ""))
    assert fields_of(no_request.value) == ["request_id"]
    assert (dict(uow.agents.rows), list(uow.events.recorded)) == before
    assert ("t1", "req-y") not in uow.requests.rows, "a refused request leaves no idempotency record"


def test_update_under_a_mask_raises_the_revision_and_records_what_changed(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team, other = world.team(), world.team("Other")
    agent = world.agent(team, weight=1)
    updated = world.run(
        world.agents.update_agent(
            world.admin,
            agent.id,
            AgentDraft(weight=4, team_id=other.id, display_name="ignored"),
            ["weight", "team_id"],
        )
    )
    assert (updated.weight, updated.team_id, updated.display_name, updated.revision) == (
        4,
        other.id,
        agent.display_name,
        2,
    )
    event = uow.events.recorded[-1]
    assert isinstance(event, AgentUpdated) and event.changed_fields == ("weight", "team_id")
    same = world.run(world.agents.update_agent(world.admin, agent.id, AgentDraft(weight=4), ["weight"]))
    assert same.revision == 2 and uow.events.recorded[-1] is event, "no change, no revision, no event"
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.agents.update_agent(world.admin, agent.id, AgentDraft(), ["id", "nickname"]))
    assert fields_of(caught.value) == ["update_mask.paths[0]", "update_mask.paths[1]"]
    with pytest.raises(InvalidArgument) as bad_team:
        world.run(world.agents.update_agent(world.admin, agent.id, AgentDraft(team_id="gone"), ["team_id"]))
    assert fields_of(bad_team.value) == ["agent.team_id"]
    with pytest.raises(NotFound):
        world.run(world.agents.update_agent(world.admin, "missing", AgentDraft(weight=2), ["weight"]))


def test_an_agent_changes_its_own_status_and_nothing_else(world: World) -> None:
    team = world.team()
    me = world.agent(team, name="me")
    other = world.agent(team, name="other")
    caller = agent_principal("t1", "me")
    off = world.run(
        world.agents.update_agent(caller, me.id, AgentDraft(status=AgentStatus.OFFLINE), ["status"])
    )
    assert off.status == AgentStatus.OFFLINE
    with pytest.raises(PermissionDenied):
        world.run(world.agents.update_agent(caller, me.id, AgentDraft(weight=9), ["weight"]))
    with pytest.raises(PermissionDenied):
        world.run(
            world.agents.update_agent(caller, other.id, AgentDraft(status=AgentStatus.OFFLINE), ["status"])
        )


def test_delete_returns_held_leads_to_the_pool_and_leaves_the_admin_lists(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    agent = world.agent(team)
    world.run(
        world.agents.update_team(
            world.admin, team.id, TeamDraft(admin_agent_ids=(agent.id,)), ["admin_agent_ids"]
        )
    )
    world.policy(RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id=agent.id))
    held = [world.accept() for _ in range(2)]
    released = world.run(world.agents.delete_agent(world.admin, agent.id))
    assert released == 2
    for result in held:
        assert result and result.assignment
        lead_id = result.assignment.lead.lead_id
        assert uow.pool.get("t1", lead_id) is not None
        assert uow.assignments.get("t1", result.assignment.id).state == AssignmentState.RECLAIMED  # type: ignore[union-attr]
    reclaims = [e for e in uow.events.recorded if isinstance(e, LeadReclaimed)]
    assert {e.reason for e in reclaims} == {ReclaimReason.AGENT_DELETED} and len(reclaims) == 2
    assert all(e.cooldown_end_time is None for e in reclaims)
    deleted = uow.events.recorded[-1]
    assert isinstance(deleted, AgentDeleted) and deleted.revision == 2 and deleted.team_id == team.id
    assert world.run(world.agents.get_team(world.admin, team.id)).admin_agent_ids == ()
    assert uow.timers.rows == {}, "the reclaimed leads' timers are cancelled"
    with pytest.raises(NotFound):
        world.run(world.agents.get_agent(world.admin, agent.id))


def test_list_filters_and_pages(world: World) -> None:
    team, other = world.team(), world.team("Other")
    mine = [world.agent(team) for _ in range(5)]
    world.agent(other)
    world.set_status(mine[0], AgentStatus.ON_LEAVE)
    seen, token = [], ""
    while True:
        page = world.run(world.agents.list_agents(world.admin, AgentFilter(team_id=team.id), 2, token))
        seen += [a.id for a in page.items]
        token = page.next_page_token
        if not token:
            break
    assert seen == sorted(a.id for a in mine)
    on_leave = world.run(
        world.agents.list_agents(world.admin, AgentFilter(status=AgentStatus.ON_LEAVE), 10, "")
    )
    assert [a.id for a in on_leave.items] == [mine[0].id]
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.agents.list_agents(world.admin, AgentFilter(team_id=team.id), 2, "forged"))
    assert fields_of(caught.value) == ["page_token"]


def test_teams_crud_and_not_empty(world: World) -> None:
    team = world.team("Sales")
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.agents.create_team(world.admin, TeamDraft("X", ("nobody",)), "req-t"))
    assert fields_of(caught.value) == ["team.admin_agent_ids[0]"]
    agent = world.agent(team)
    renamed = world.run(
        world.agents.update_team(world.admin, team.id, TeamDraft(display_name="Sales East"), [])
    )
    assert renamed.display_name == "Sales East"
    with pytest.raises(FailedPrecondition) as not_empty:
        world.run(world.agents.delete_team(world.admin, team.id))
    assert not_empty.value.reason == "TEAM_NOT_EMPTY"
    world.run(world.agents.delete_agent(world.admin, agent.id))
    world.run(world.agents.delete_team(world.admin, team.id))
    with pytest.raises(NotFound):
        world.run(world.agents.get_team(world.admin, team.id))
    assert world.run(world.agents.list_teams(world.admin, 0, "")).items == []


def test_another_tenant_sees_nothing(world: World) -> None:
    team = world.team()
    agent = world.agent(team)
    with pytest.raises(NotFound):
        world.run(world.agents.get_agent(admin("t2"), agent.id))
    with pytest.raises(NotFound):
        world.run(world.agents.get_team(admin("t2"), team.id))
    assert world.run(world.agents.list_agents(admin("t2"), AgentFilter(), 0, "")).items == []
