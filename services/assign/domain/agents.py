"""Agents and teams as plain values. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.assign.domain.enums import AgentStatus
from services.assign.domain.hours import WorkingHours
from services.assign.domain.leads import Region, any_covers

MAX_WEIGHT = 100


@dataclass(frozen=True)
class Agent:
    """A salesperson. ``phone`` is E.164 and personal data (never logged; events carry it encrypted).

    ``weight`` 0 means 1; ``daily_capacity`` and ``max_held_leads`` 0 mean no limit. ``revision`` starts at 1 and
    rises with every change, so consumers of agent events can drop stale versions.
    """

    id: str
    team_id: str
    display_name: str = ""
    phone: str = ""
    regions: tuple[Region, ...] = ()
    weight: int = 1
    daily_capacity: int = 0
    max_held_leads: int = 0
    working_hours: WorkingHours = WorkingHours()
    status: AgentStatus = AgentStatus.ONLINE
    user_id: str = ""
    revision: int = 1
    create_time: datetime | None = None
    update_time: datetime | None = None

    @property
    def effective_weight(self) -> int:
        return max(1, min(self.weight, MAX_WEIGHT))

    def serves(self, region: Region | None) -> bool:
        """Whether the agent takes leads from ``region``; an agent limited to regions skips unknown ones."""
        return any_covers(self.regions, region)


@dataclass(frozen=True)
class Team:
    id: str
    display_name: str = ""
    admin_agent_ids: tuple[str, ...] = ()
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class AgentLoad:
    """What an agent holds now, as the store counts it.

    ``held``: active assignments. ``assigned_today``: assignments received in the agent's current local day (see
    ``availability.capacity_day``) that still count (a refunded lead does not).
    """

    held: int = 0
    assigned_today: int = 0
