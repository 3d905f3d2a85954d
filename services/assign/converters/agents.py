"""Agents and teams: request messages to drafts, domain values to messages (the phone never leaves: reads carry
``phone_masked``)."""

from __future__ import annotations

from leadflow.assign.v1 import assign_service_pb2 as pb
from services.assign.converters.values import (
    regions,
    regions_message,
    working_hours_draft,
    working_hours_message,
)
from services.assign.domain.agent_checks import AgentDraft, TeamDraft
from services.assign.domain.agents import Agent, Team
from services.assign.domain.enums import AgentStatus
from services.assign.domain.ports import AgentFilter
from services.common.pii import mask_phone
from services.common.protoconv import timestamp, to_enum


def agent_draft(message: pb.Agent) -> AgentDraft:
    return AgentDraft(
        team_id=message.team_id,
        display_name=message.display_name,
        phone=message.phone,
        regions=regions(message.regions),
        weight=message.weight,
        daily_capacity=message.daily_capacity,
        max_held_leads=message.max_held_leads,
        working_hours=working_hours_draft(message.working_hours)
        if message.HasField("working_hours")
        else None,
        status=int(message.status),
        user_id=message.user_id,
    )


def agent_message(agent: Agent) -> pb.Agent:
    message = pb.Agent(
        id=agent.id,
        team_id=agent.team_id,
        display_name=agent.display_name,
        regions=regions_message(agent.regions),
        weight=agent.weight,
        daily_capacity=agent.daily_capacity,
        max_held_leads=agent.max_held_leads,
        working_hours=working_hours_message(agent.working_hours),
        status=to_enum(pb.AgentStatus, agent.status),
        user_id=agent.user_id,
        phone_masked=mask_phone(agent.phone) if agent.phone else "",
        revision=agent.revision,
    )
    if agent.create_time is not None:
        message.create_time.CopyFrom(timestamp(agent.create_time))
    if agent.update_time is not None:
        message.update_time.CopyFrom(timestamp(agent.update_time))
    return message


def agent_filter(request: pb.ListAgentsRequest) -> AgentFilter:
    status = int(request.status)
    return AgentFilter(
        team_id=request.team_id,
        # An unknown number stays as it is, so the handler's check answers INVALID_ARGUMENT on "status" rather than
        # listing every agent as if no status had been asked for.
        status=AgentStatus(status) if status in AgentStatus._value2member_map_ else status,  # type: ignore[arg-type]
    )


def team_draft(message: pb.Team) -> TeamDraft:
    return TeamDraft(display_name=message.display_name, admin_agent_ids=tuple(message.admin_agent_ids))


def team_message(team: Team) -> pb.Team:
    message = pb.Team(id=team.id, display_name=team.display_name, admin_agent_ids=list(team.admin_agent_ids))
    if team.create_time is not None:
        message.create_time.CopyFrom(timestamp(team.create_time))
    if team.update_time is not None:
        message.update_time.CopyFrom(timestamp(team.update_time))
    return message
