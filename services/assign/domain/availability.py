"""Whether an agent can take a lead now. Pure.

An agent is skipped when (checked in this order, the first reason is reported):

1. OFFLINE or ON_LEAVE (an unset status counts as OFFLINE);
2. outside working hours: no shift of their own week covers now in their own time zone (overnight shifts run into
   the next morning; no shifts means always);
3. at daily capacity: ``daily_capacity`` leads already received in their current local calendar day;
4. at max held: ``max_held_leads`` active assignments.

Region (an agent limited to some regions) is a separate check, ``Agent.serves``, because familiarity ignores it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.enums import AgentStatus
from services.assign.domain.hours import local_day_bounds


class Unavailability(StrEnum):
    """Why an agent was skipped; the values are the log and trace vocabulary."""

    OFFLINE = "OFFLINE"
    ON_LEAVE = "ON_LEAVE"
    OUTSIDE_WORKING_HOURS = "OUTSIDE_WORKING_HOURS"
    AT_DAILY_CAPACITY = "AT_DAILY_CAPACITY"
    AT_MAX_HELD = "AT_MAX_HELD"
    REGION_NOT_SERVED = "REGION_NOT_SERVED"
    COOLING_DOWN = "COOLING_DOWN"
    NOT_FOUND = "NOT_FOUND"


def unavailability(agent: Agent, load: AgentLoad, now: datetime) -> Unavailability | None:
    """Why ``agent`` cannot take a lead at ``now``, or None when they can."""
    if agent.status == AgentStatus.ON_LEAVE:
        return Unavailability.ON_LEAVE
    if agent.status != AgentStatus.ONLINE:
        return Unavailability.OFFLINE
    if not agent.working_hours.is_working(now):
        return Unavailability.OUTSIDE_WORKING_HOURS
    if agent.daily_capacity and load.assigned_today >= agent.daily_capacity:
        return Unavailability.AT_DAILY_CAPACITY
    if at_max_held(agent, load):
        return Unavailability.AT_MAX_HELD
    return None


def at_max_held(agent: Agent, load: AgentLoad) -> bool:
    return bool(agent.max_held_leads) and load.held >= agent.max_held_leads


def capacity_day(agent: Agent, now: datetime) -> tuple[datetime, datetime]:
    """The UTC [start, end) of the agent's local day at ``now``: the store counts ``assigned_today`` in it."""
    return local_day_bounds(now, agent.working_hours.time_zone)
