"""The public pool (公海) and cooling periods. Pure.

A lead waits in the pool with the reason it is there. Any agent may claim it within their max held leads, except
an agent it was reclaimed from, until the cooling period (policy.reclaim_cooldown, default 24 hours) ends. Two
agents racing for one lead: the store removes the pool entry with a conditional delete, so one claim wins and the
other finds no entry (``LeadNotInPool``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.availability import at_max_held
from services.assign.domain.enums import PoolReason
from services.assign.domain.errors import AgentAtMaxHeld, ClaimCoolingDown, LeadNotInPool
from services.assign.domain.leads import LeadSummary


@dataclass(frozen=True)
class PoolEntry:
    lead: LeadSummary
    reason: PoolReason
    enter_time: datetime
    previous_agent_id: str = ""
    rule_id: str = ""


@dataclass(frozen=True)
class Cooldown:
    """``agent_id`` may not take ``lead_id`` back before ``end_time`` (the lead was reclaimed from them)."""

    lead_id: str
    agent_id: str
    end_time: datetime


def cooling_down(cooldowns: Sequence[Cooldown], agent_id: str, now: datetime) -> bool:
    return any(c.agent_id == agent_id and now < c.end_time for c in cooldowns)


def check_claim(
    entry: PoolEntry | None, agent: Agent, load: AgentLoad, cooldowns: Sequence[Cooldown], now: datetime
) -> PoolEntry:
    """The entry ``agent`` may claim; raises LeadNotInPool, ClaimCoolingDown or AgentAtMaxHeld.

    A claim is a deliberate act of the agent, so only max held limits it (not status, working hours or capacity).
    """
    if entry is None:
        raise LeadNotInPool("the lead is not in the pool")
    lead_id = entry.lead.lead_id
    if cooling_down(cooldowns, agent.id, now):
        ends = max(c.end_time for c in cooldowns if c.agent_id == agent.id)
        raise ClaimCoolingDown(
            f"lead {lead_id} was reclaimed from agent {agent.id}; it can be claimed back from {ends.isoformat()}",
            metadata={"lead_id": lead_id, "cooldown_end_time": ends.isoformat()},
        )
    if at_max_held(agent, load):
        raise AgentAtMaxHeld(
            f"agent {agent.id} already holds {load.held} leads (max {agent.max_held_leads})",
            metadata={"agent_id": agent.id},
        )
    return entry
