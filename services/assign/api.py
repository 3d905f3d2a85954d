"""The assign gRPC servicer: proto -> domain command -> handler -> proto, and the business metrics. No logic here.

The tenant, subject and role come from the verified token (``current_principal``); errors are domain errors that
the shared interceptor maps to gRPC status with ErrorInfo and BadRequest details.
"""

from __future__ import annotations

from typing import TypeAlias

import grpc

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from services.assign import metrics
from services.assign.converters import agents as agent_converters
from services.assign.converters import assignments as assignment_converters
from services.assign.converters import followups as follow_up_converters
from services.assign.converters import policies as policy_converters
from services.assign.converters import tags as tag_converters
from services.assign.domain.commands import ClaimCommand, ReassignCommand, ReleaseCommand
from services.assign.handlers.agents import AgentHandlers
from services.assign.handlers.assignments import AssignmentHandlers
from services.assign.handlers.followups import FollowUpHandlers
from services.assign.handlers.policies import PolicyHandlers
from services.assign.handlers.pool import PoolHandlers
from services.assign.handlers.tags import TagHandlers
from services.common.grpcserver.context import current_principal

Context: TypeAlias = grpc.aio.ServicerContext  # type: ignore[type-arg]


class AssignApi(assign_service_pb2_grpc.AssignServiceServicer):
    def __init__(
        self,
        agents: AgentHandlers,
        policies: PolicyHandlers,
        assignments: AssignmentHandlers,
        pool: PoolHandlers,
        follow_ups: FollowUpHandlers,
        tags: TagHandlers,
    ) -> None:
        self._agents = agents
        self._policies = policies
        self._assignments = assignments
        self._pool = pool
        self._follow_ups = follow_ups
        self._tags = tags

    # ------------------------------------------------------------------------------------------- agents, teams

    async def CreateAgent(self, request: pb.CreateAgentRequest, context: Context) -> pb.CreateAgentResponse:
        agent = await self._agents.create_agent(
            current_principal(), agent_converters.agent_draft(request.agent), request.request_id
        )
        return pb.CreateAgentResponse(agent=agent_converters.agent_message(agent))

    async def GetAgent(self, request: pb.GetAgentRequest, context: Context) -> pb.GetAgentResponse:
        agent = await self._agents.get_agent(current_principal(), request.agent_id)
        return pb.GetAgentResponse(agent=agent_converters.agent_message(agent))

    async def UpdateAgent(self, request: pb.UpdateAgentRequest, context: Context) -> pb.UpdateAgentResponse:
        agent = await self._agents.update_agent(
            current_principal(),
            request.agent.id,
            agent_converters.agent_draft(request.agent),
            list(request.update_mask.paths),
        )
        return pb.UpdateAgentResponse(agent=agent_converters.agent_message(agent))

    async def DeleteAgent(self, request: pb.DeleteAgentRequest, context: Context) -> pb.DeleteAgentResponse:
        released = await self._agents.delete_agent(current_principal(), request.agent_id)
        metrics.RECLAIMS.inc(released)
        return pb.DeleteAgentResponse(released_count=released)

    async def ListAgents(self, request: pb.ListAgentsRequest, context: Context) -> pb.ListAgentsResponse:
        page = await self._agents.list_agents(
            current_principal(), agent_converters.agent_filter(request), request.page_size, request.page_token
        )
        return pb.ListAgentsResponse(
            agents=[agent_converters.agent_message(a) for a in page.items],
            next_page_token=page.next_page_token,
        )

    async def CreateTeam(self, request: pb.CreateTeamRequest, context: Context) -> pb.CreateTeamResponse:
        team = await self._agents.create_team(
            current_principal(), agent_converters.team_draft(request.team), request.request_id
        )
        return pb.CreateTeamResponse(team=agent_converters.team_message(team))

    async def GetTeam(self, request: pb.GetTeamRequest, context: Context) -> pb.GetTeamResponse:
        team = await self._agents.get_team(current_principal(), request.team_id)
        return pb.GetTeamResponse(team=agent_converters.team_message(team))

    async def UpdateTeam(self, request: pb.UpdateTeamRequest, context: Context) -> pb.UpdateTeamResponse:
        team = await self._agents.update_team(
            current_principal(),
            request.team.id,
            agent_converters.team_draft(request.team),
            list(request.update_mask.paths),
        )
        return pb.UpdateTeamResponse(team=agent_converters.team_message(team))

    async def DeleteTeam(self, request: pb.DeleteTeamRequest, context: Context) -> pb.DeleteTeamResponse:
        await self._agents.delete_team(current_principal(), request.team_id)
        return pb.DeleteTeamResponse()

    async def ListTeams(self, request: pb.ListTeamsRequest, context: Context) -> pb.ListTeamsResponse:
        page = await self._agents.list_teams(current_principal(), request.page_size, request.page_token)
        return pb.ListTeamsResponse(
            teams=[agent_converters.team_message(t) for t in page.items], next_page_token=page.next_page_token
        )

    # ------------------------------------------------------------------------------------------- policies

    async def SetAssignmentPolicy(
        self, request: pb.SetAssignmentPolicyRequest, context: Context
    ) -> pb.SetAssignmentPolicyResponse:
        policy = await self._policies.set_policy(
            current_principal(), policy_converters.policy_draft(request.policy), request.request_id
        )
        return pb.SetAssignmentPolicyResponse(policy=policy_converters.policy_message(policy))

    async def GetAssignmentPolicy(
        self, request: pb.GetAssignmentPolicyRequest, context: Context
    ) -> pb.GetAssignmentPolicyResponse:
        policy = await self._policies.get_policy(current_principal(), request.account_id)
        return pb.GetAssignmentPolicyResponse(policy=policy_converters.policy_message(policy))

    async def ListPolicyHistory(
        self, request: pb.ListPolicyHistoryRequest, context: Context
    ) -> pb.ListPolicyHistoryResponse:
        page = await self._policies.list_history(
            current_principal(), request.account_id, request.page_size, request.page_token
        )
        return pb.ListPolicyHistoryResponse(
            revisions=[policy_converters.revision_message(r) for r in page.items],
            next_page_token=page.next_page_token,
        )

    # ------------------------------------------------------------------------------------------- assignments, pool

    async def GetAssignment(
        self, request: pb.GetAssignmentRequest, context: Context
    ) -> pb.GetAssignmentResponse:
        view = await self._assignments.get(current_principal(), request.assignment_id)
        return pb.GetAssignmentResponse(assignment=assignment_converters.assignment_view_message(view))

    async def ListAssignments(
        self, request: pb.ListAssignmentsRequest, context: Context
    ) -> pb.ListAssignmentsResponse:
        page = await self._assignments.list(
            current_principal(),
            assignment_converters.assignment_filter(request),
            request.page_size,
            request.page_token,
        )
        return pb.ListAssignmentsResponse(
            assignments=[assignment_converters.assignment_view_message(v) for v in page.items],
            next_page_token=page.next_page_token,
            total_size=page.total_size,
        )

    async def ListPool(self, request: pb.ListPoolRequest, context: Context) -> pb.ListPoolResponse:
        page = await self._pool.list_pool(
            current_principal(),
            assignment_converters.pool_filter(request),
            request.page_size,
            request.page_token,
        )
        return pb.ListPoolResponse(
            entries=[assignment_converters.pool_view_message(v) for v in page.items],
            next_page_token=page.next_page_token,
            total_size=page.total_size,
        )

    async def ClaimFromPool(
        self, request: pb.ClaimFromPoolRequest, context: Context
    ) -> pb.ClaimFromPoolResponse:
        assignment = await self._pool.claim(
            current_principal(), ClaimCommand(request.lead_id, request.agent_id), request.request_id
        )
        metrics.count_assignment(assignment)
        return pb.ClaimFromPoolResponse(assignment=assignment_converters.assignment_message(assignment))

    async def ReleaseToPool(
        self, request: pb.ReleaseToPoolRequest, context: Context
    ) -> pb.ReleaseToPoolResponse:
        entry = await self._pool.release(
            current_principal(), ReleaseCommand(request.lead_id, request.reason), request.request_id
        )
        return pb.ReleaseToPoolResponse(entry=assignment_converters.pool_entry_message(entry))

    async def Reassign(self, request: pb.ReassignRequest, context: Context) -> pb.ReassignResponse:
        assignment = await self._pool.reassign(
            current_principal(),
            ReassignCommand(request.lead_id, request.agent_id, request.reason),
            request.request_id,
        )
        metrics.count_assignment(assignment)
        return pb.ReassignResponse(assignment=assignment_converters.assignment_message(assignment))

    # ------------------------------------------------------------------------------------------- follow-ups

    async def RecordFollowUp(
        self, request: pb.RecordFollowUpRequest, context: Context
    ) -> pb.RecordFollowUpResponse:
        follow_up = await self._follow_ups.record(
            current_principal(), follow_up_converters.record_command(request), request.request_id
        )
        return pb.RecordFollowUpResponse(follow_up=follow_up_converters.follow_up_message(follow_up))

    async def ListFollowUps(
        self, request: pb.ListFollowUpsRequest, context: Context
    ) -> pb.ListFollowUpsResponse:
        page = await self._follow_ups.list(
            current_principal(), request.lead_id, request.agent_id, request.page_size, request.page_token
        )
        return pb.ListFollowUpsResponse(
            follow_ups=[follow_up_converters.follow_up_message(f) for f in page.items],
            next_page_token=page.next_page_token,
        )

    # ------------------------------------------------------------------------------------------- tags

    async def CreateTag(self, request: pb.CreateTagRequest, context: Context) -> pb.CreateTagResponse:
        tag = await self._tags.create_tag(
            current_principal(), tag_converters.tag_draft(request.tag), request.request_id
        )
        return pb.CreateTagResponse(tag=tag_converters.tag_message(tag))

    async def UpdateTag(self, request: pb.UpdateTagRequest, context: Context) -> pb.UpdateTagResponse:
        tag = await self._tags.update_tag(
            current_principal(),
            request.tag.id,
            tag_converters.tag_draft(request.tag),
            list(request.update_mask.paths),
        )
        return pb.UpdateTagResponse(tag=tag_converters.tag_message(tag))

    async def ListTags(self, request: pb.ListTagsRequest, context: Context) -> pb.ListTagsResponse:
        page = await self._tags.list_tags(
            current_principal(), int(request.scope), int(request.state), request.page_size, request.page_token
        )
        return pb.ListTagsResponse(
            tags=[tag_converters.tag_message(t) for t in page.items], next_page_token=page.next_page_token
        )

    async def AddLeadTags(self, request: pb.AddLeadTagsRequest, context: Context) -> pb.AddLeadTagsResponse:
        tag_ids = await self._tags.add_lead_tags(current_principal(), request.lead_id, list(request.tag_ids))
        return pb.AddLeadTagsResponse(tag_ids=list(tag_ids))

    async def RemoveLeadTags(
        self, request: pb.RemoveLeadTagsRequest, context: Context
    ) -> pb.RemoveLeadTagsResponse:
        tag_ids = await self._tags.remove_lead_tags(
            current_principal(), request.lead_id, list(request.tag_ids)
        )
        return pb.RemoveLeadTagsResponse(tag_ids=list(tag_ids))
