"""Every RPC through the real server: success; bad input answers INVALID_ARGUMENT naming the field and changes
nothing; another tenant's ids answer NOT_FOUND; each method refuses the roles bootstrap does not give it."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.common.v1 import lead_pb2
from services.assign.bootstrap import METHOD_ROLES
from services.common.auth import Role
from services.common.grpc_errors import error_info_of, field_violations_of
from tests.assign.api.client import AssignClient, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def expect(call: Any, code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert error.value.code() == code, error.value.details()
    return error.value


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def snapshot(api: AssignClient) -> tuple[Any, ...]:
    """What a refused request must not have changed."""
    md = api.md()
    return (
        await api.stub.ListAgents(pb.ListAgentsRequest(), metadata=md),
        await api.stub.ListTeams(pb.ListTeamsRequest(), metadata=md),
        await api.stub.ListTags(pb.ListTagsRequest(), metadata=md),
        await api.stub.ListPool(pb.ListPoolRequest(), metadata=md),
        await api.stub.ListAssignments(pb.ListAssignmentsRequest(), metadata=md),
        await api.stub.ListPolicyHistory(pb.ListPolicyHistoryRequest(account_id="acct-1"), metadata=md),
        await api.stub.ListFollowUps(pb.ListFollowUpsRequest(lead_id="x"), metadata=md),
    )


async def world(api: AssignClient) -> dict[str, Any]:
    """A team with an agent holding a lead (a DESIGNATED rule), a pooled lead, and a tag."""
    team = await api.team()
    agent = await api.agent(team, user_id="me", phone="+8613800138000")
    rule = pb.AssignmentRule(id="d", method=pb.ASSIGNMENT_METHOD_DESIGNATED, agent_id=agent.id)
    pool = pb.AssignmentRule(
        id="p", method=pb.ASSIGNMENT_METHOD_POOL, criteria=pb.RuleCriteria(channels=[lead_pb2.CHANNEL_WECHAT])
    )
    await api.stub.SetAssignmentPolicy(
        pb.SetAssignmentPolicyRequest(policy=pb.AssignmentPolicy(account_id="acct-1", rules=[pool, rule])),
        metadata=api.md(),
    )
    held = await api.accept()
    pooled = await api.accept(channel=lead_pb2.CHANNEL_WECHAT)
    assignment = await api.active(held)
    await api.pooled(pooled)
    tag = (
        await api.stub.CreateTag(
            pb.CreateTagRequest(
                tag=pb.Tag(display_name="VIP", scope=pb.TAG_SCOPE_ENTERPRISE), request_id=unique("r")
            ),
            metadata=api.md(),
        )
    ).tag
    return {
        "team": team,
        "agent": agent,
        "held": held,
        "pooled": pooled,
        "assignment": assignment,
        "tag": tag,
    }


async def test_every_method_answers_its_resource(api: AssignClient) -> None:
    w = await world(api)
    md, me = api.md(), api.as_agent("me")
    stub = api.stub
    agent, team, tag = w["agent"], w["team"], w["tag"]
    assert agent.phone == "" and agent.phone_masked == "138****8000" and agent.revision == 1
    assert (await stub.GetAgent(pb.GetAgentRequest(agent_id=agent.id), metadata=md)).agent == agent
    updated = await stub.UpdateAgent(
        pb.UpdateAgentRequest(agent=pb.Agent(id=agent.id, weight=5), update_mask=mask("weight")), metadata=md
    )
    assert updated.agent.weight == 5 and updated.agent.revision == 2
    assert [
        a.id for a in (await stub.ListAgents(pb.ListAgentsRequest(team_id=team.id), metadata=md)).agents
    ] == [agent.id]
    assert (await stub.GetTeam(pb.GetTeamRequest(team_id=team.id), metadata=md)).team == team
    renamed = await stub.UpdateTeam(
        pb.UpdateTeamRequest(team=pb.Team(id=team.id, display_name="East"), update_mask=mask("display_name")),
        metadata=md,
    )
    assert renamed.team.display_name == "East"
    assert [t.id for t in (await stub.ListTeams(pb.ListTeamsRequest(), metadata=md)).teams] == [team.id]
    policy = (
        await stub.GetAssignmentPolicy(pb.GetAssignmentPolicyRequest(account_id="acct-1"), metadata=md)
    ).policy
    assert [r.id for r in policy.rules] == ["p", "d"] and policy.updated_by == "boss"
    history = await stub.ListPolicyHistory(pb.ListPolicyHistoryRequest(account_id="acct-1"), metadata=md)
    assert [r.policy for r in history.revisions] == [policy]
    assignment = w["assignment"]
    assert (
        await stub.GetAssignment(pb.GetAssignmentRequest(assignment_id=assignment.id), metadata=me)
    ).assignment == assignment
    mine = await stub.ListAssignments(pb.ListAssignmentsRequest(), metadata=me)
    assert [a.id for a in mine.assignments] == [assignment.id] and mine.total_size == 1
    pool = await stub.ListPool(pb.ListPoolRequest(), metadata=me)
    assert [e.lead_id for e in pool.entries] == [w["pooled"]] and pool.entries[
        0
    ].reason == pb.POOL_REASON_RULE_METHOD_POOL
    tags = await stub.AddLeadTags(pb.AddLeadTagsRequest(lead_id=w["held"], tag_ids=[tag.id]), metadata=me)
    assert list(tags.tag_ids) == [tag.id]
    by_tag = await stub.ListAssignments(pb.ListAssignmentsRequest(tag_ids=[tag.id]), metadata=me)
    assert [a.id for a in by_tag.assignments] == [assignment.id] and list(by_tag.assignments[0].tag_ids) == [
        tag.id
    ]
    removed = await stub.RemoveLeadTags(
        pb.RemoveLeadTagsRequest(lead_id=w["held"], tag_ids=[tag.id]), metadata=me
    )
    assert list(removed.tag_ids) == []
    retired = await stub.UpdateTag(
        pb.UpdateTagRequest(tag=pb.Tag(id=tag.id, state=pb.TAG_STATE_RETIRED), update_mask=mask("state")),
        metadata=md,
    )
    assert retired.tag.state == pb.TAG_STATE_RETIRED
    assert [t.id for t in (await stub.ListTags(pb.ListTagsRequest(), metadata=me)).tags] == [tag.id]
    claimed = await stub.ClaimFromPool(
        pb.ClaimFromPoolRequest(lead_id=w["pooled"], request_id=unique("r")), metadata=me
    )
    assert (
        claimed.assignment.agent_id == agent.id
        and claimed.assignment.reason == pb.ASSIGNMENT_REASON_POOL_CLAIM
    )
    released = await stub.ReleaseToPool(
        pb.ReleaseToPoolRequest(lead_id=w["pooled"], reason="not interested", request_id=unique("r")),
        metadata=me,
    )
    assert released.entry.reason == pb.POOL_REASON_RELEASED
    other = await api.agent(team, user_id="other")
    moved = await stub.Reassign(
        pb.ReassignRequest(lead_id=w["pooled"], agent_id=other.id, reason="closer", request_id=unique("r")),
        metadata=md,
    )
    assert moved.assignment.agent_id == other.id and moved.assignment.reassign_reason == "closer"
    follow = await stub.RecordFollowUp(
        pb.RecordFollowUpRequest(
            follow_up=pb.FollowUp(
                lead_id=w["held"], kind=pb.FOLLOW_UP_KIND_CALL, outcome=pb.FOLLOW_UP_OUTCOME_INTERESTED
            ),
            request_id=unique("r"),
        ),
        metadata=me,
    )
    assert follow.follow_up.assignment_id == assignment.id
    listed = await stub.ListFollowUps(pb.ListFollowUpsRequest(lead_id=w["held"]), metadata=me)
    assert [f.id for f in listed.follow_ups] == [follow.follow_up.id]
    deleted = await stub.DeleteAgent(pb.DeleteAgentRequest(agent_id=other.id), metadata=md)
    assert deleted.released_count == 1
    await stub.DeleteAgent(pb.DeleteAgentRequest(agent_id=agent.id), metadata=md)
    await stub.DeleteTeam(pb.DeleteTeamRequest(team_id=team.id), metadata=md)
    await expect(stub.GetTeam(pb.GetTeamRequest(team_id=team.id), metadata=md), grpc.StatusCode.NOT_FOUND)


BAD_REQUESTS: list[tuple[str, Any, str]] = [
    (
        "CreateAgent",
        pb.CreateAgentRequest(agent=pb.Agent(display_name="A", team_id="t", phone="12345"), request_id="r1"),
        "agent.phone",
    ),
    (
        "UpdateAgent",
        pb.UpdateAgentRequest(agent=pb.Agent(id="x"), update_mask=mask("revision")),
        "update_mask.paths[0]",
    ),
    ("GetAgent", pb.GetAgentRequest(), "agent_id"),
    ("DeleteAgent", pb.DeleteAgentRequest(), "agent_id"),
    ("ListAgents", pb.ListAgentsRequest(page_token="forged"), "page_token"),
    # An unknown status was read as "any status" and listed every agent (found by tests/fuzz).
    ("ListAgents", pb.ListAgentsRequest(status=9999), "status"),  # type: ignore[arg-type]
    (
        "CreateTeam",
        pb.CreateTeamRequest(team=pb.Team(display_name=" "), request_id="r2"),
        "team.display_name",
    ),
    ("GetTeam", pb.GetTeamRequest(), "team_id"),
    (
        "UpdateTeam",
        pb.UpdateTeamRequest(team=pb.Team(id="x"), update_mask=mask("id")),
        "update_mask.paths[0]",
    ),
    ("DeleteTeam", pb.DeleteTeamRequest(), "team_id"),
    ("ListTeams", pb.ListTeamsRequest(page_size=-1), "page_size"),
    (
        "SetAssignmentPolicy",
        pb.SetAssignmentPolicyRequest(
            policy=pb.AssignmentPolicy(account_id="acct-1", rules=[pb.AssignmentRule(id="r")])
        ),
        "policy.rules[0].method",
    ),
    ("GetAssignmentPolicy", pb.GetAssignmentPolicyRequest(), "account_id"),
    ("ListPolicyHistory", pb.ListPolicyHistoryRequest(), "account_id"),
    ("GetAssignment", pb.GetAssignmentRequest(), "assignment_id"),
    ("ListAssignments", pb.ListAssignmentsRequest(state=99), "state"),  # type: ignore[arg-type]
    ("ListPool", pb.ListPoolRequest(channel=99), "channel"),  # type: ignore[arg-type]
    ("ClaimFromPool", pb.ClaimFromPoolRequest(lead_id="l"), "request_id"),
    ("ReleaseToPool", pb.ReleaseToPoolRequest(request_id="r3"), "lead_id"),
    ("Reassign", pb.ReassignRequest(lead_id="l", agent_id="a", request_id="r4"), "reason"),
    (
        "RecordFollowUp",
        pb.RecordFollowUpRequest(follow_up=pb.FollowUp(lead_id="l"), request_id="r5"),
        "follow_up.kind",
    ),
    ("ListFollowUps", pb.ListFollowUpsRequest(), "lead_id"),
    ("CreateTag", pb.CreateTagRequest(tag=pb.Tag(display_name="x"), request_id="r6"), "tag.scope"),
    (
        "UpdateTag",
        pb.UpdateTagRequest(tag=pb.Tag(id="x"), update_mask=mask("owner_agent_id")),
        "update_mask.paths[0]",
    ),
    ("ListTags", pb.ListTagsRequest(scope=9), "scope"),  # type: ignore[arg-type]
    ("AddLeadTags", pb.AddLeadTagsRequest(lead_id="l"), "tag_ids"),
    ("RemoveLeadTags", pb.RemoveLeadTagsRequest(tag_ids=["t"]), "lead_id"),
]


async def test_bad_input_names_the_field_and_changes_nothing(api: AssignClient) -> None:
    await world(api)
    assert {name for name, _, _ in BAD_REQUESTS} == set(METHOD_ROLES), "every method has a bad request here"
    before = await snapshot(api)
    for method, request, field in BAD_REQUESTS:
        error = await expect(
            getattr(api.stub, method)(request, metadata=api.md()), grpc.StatusCode.INVALID_ARGUMENT
        )
        assert field in [f for f, _ in field_violations_of(error)], (method, field_violations_of(error))
        info = error_info_of(error)
        assert info is not None and info.domain == "leadflow.io", method
    assert await snapshot(api) == before
    phone_error = await expect(
        api.stub.CreateAgent(BAD_REQUESTS[0][1], metadata=api.md()), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "12345" not in (phone_error.details() or "")


async def test_another_tenants_ids_answer_not_found(api: AssignClient) -> None:
    w = await world(api)
    stranger = api.md(tenant=unique("tenant"))
    stub = api.stub
    calls = [
        stub.GetAgent(pb.GetAgentRequest(agent_id=w["agent"].id), metadata=stranger),
        stub.UpdateAgent(
            pb.UpdateAgentRequest(agent=pb.Agent(id=w["agent"].id, weight=2), update_mask=mask("weight")),
            metadata=stranger,
        ),
        stub.DeleteAgent(pb.DeleteAgentRequest(agent_id=w["agent"].id), metadata=stranger),
        stub.GetTeam(pb.GetTeamRequest(team_id=w["team"].id), metadata=stranger),
        stub.UpdateTeam(
            pb.UpdateTeamRequest(
                team=pb.Team(id=w["team"].id, display_name="x"), update_mask=mask("display_name")
            ),
            metadata=stranger,
        ),
        stub.DeleteTeam(pb.DeleteTeamRequest(team_id=w["team"].id), metadata=stranger),
        stub.GetAssignment(pb.GetAssignmentRequest(assignment_id=w["assignment"].id), metadata=stranger),
        stub.ClaimFromPool(
            pb.ClaimFromPoolRequest(lead_id=w["pooled"], agent_id=w["agent"].id, request_id="r"),
            metadata=stranger,
        ),
        stub.ReleaseToPool(pb.ReleaseToPoolRequest(lead_id=w["held"], request_id="r"), metadata=stranger),
        stub.Reassign(
            pb.ReassignRequest(lead_id=w["held"], agent_id=w["agent"].id, reason="x", request_id="r"),
            metadata=stranger,
        ),
        stub.RecordFollowUp(
            pb.RecordFollowUpRequest(
                follow_up=pb.FollowUp(lead_id=w["held"], kind=pb.FOLLOW_UP_KIND_NOTE), request_id="r"
            ),
            metadata=stranger,
        ),
        stub.AddLeadTags(pb.AddLeadTagsRequest(lead_id=w["held"], tag_ids=[w["tag"].id]), metadata=stranger),
        stub.UpdateTag(
            pb.UpdateTagRequest(
                tag=pb.Tag(id=w["tag"].id, display_name="x"), update_mask=mask("display_name")
            ),
            metadata=stranger,
        ),
    ]
    for call in calls:
        await expect(call, grpc.StatusCode.NOT_FOUND)
    assert (await stub.ListAgents(pb.ListAgentsRequest(), metadata=stranger)).agents == []
    assert (await stub.ListPool(pb.ListPoolRequest(), metadata=stranger)).entries == []
    assert (await stub.ListAssignments(pb.ListAssignmentsRequest(), metadata=stranger)).assignments == []


@pytest.mark.parametrize("method", sorted(METHOD_ROLES))
async def test_each_method_refuses_the_roles_it_is_not_given(api: AssignClient, method: str) -> None:
    refused = [role for role in Role if role not in METHOD_ROLES[method]]
    request = getattr(pb, f"{method}Request")()
    for role in refused:
        await expect(
            getattr(api.stub, method)(request, metadata=api.md(role, "someone")),
            grpc.StatusCode.PERMISSION_DENIED,
        )
    await expect(getattr(api.stub, method)(request), grpc.StatusCode.UNAUTHENTICATED)
