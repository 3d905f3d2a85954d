"""Builders of assign domain values for unit tests: explicit datetimes, small teams, policies with one rule."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    AssignmentReason,
    BusinessSource,
    Channel,
    TrafficSource,
    Verdict,
)
from services.assign.domain.handover import Opened, open_assignment
from services.assign.domain.leads import LeadFacts, LeadSummary, Region
from services.assign.domain.policy import AssignmentPolicy, AssignmentRule, RuleCriteria
from services.assign.domain.routing import RoutingInputs

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday, 10:00 in Shanghai.
NOON_UTC = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
GUANGDONG = Region("广东省", "深圳市")
BEIJING = Region("北京市")


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def agent(agent_id: str, team_id: str = "t1", **changes: object) -> Agent:
    return Agent(id=agent_id, team_id=team_id, display_name=agent_id, **changes)  # type: ignore[arg-type]


def lead(lead_id: str = "lead-1", **changes: object) -> LeadFacts:
    values: dict[str, object] = {
        "account_id": "acct-1",
        "channel": Channel.FORM,
        "traffic_source": TrafficSource.AD_DIRECT,
        "business_source": BusinessSource.LANDING_PAGE,
        "phone_region": GUANGDONG,
        "verdict": Verdict.NEW,
    }
    values.update(changes)
    return LeadFacts(lead_id=lead_id, **values)  # type: ignore[arg-type]


def rule(rule_id: str, method: AssignmentMethod, **changes: object) -> AssignmentRule:
    if method == AssignmentMethod.DESIGNATED:
        changes.setdefault("agent_id", "a1")
    elif method != AssignmentMethod.POOL:
        changes.setdefault("team_id", "t1")
    changes.setdefault("criteria", RuleCriteria())
    return AssignmentRule(id=rule_id, method=method, **changes)  # type: ignore[arg-type]


def policy(*rules: AssignmentRule, **changes: object) -> AssignmentPolicy:
    return AssignmentPolicy(account_id="acct-1", rules=tuple(rules), **changes)  # type: ignore[arg-type]


def inputs(agents: list[Agent], now: datetime = NOON_UTC, **changes: object) -> RoutingInputs:
    teams: dict[str, list[str]] = {}
    for member in agents:
        teams.setdefault(member.team_id, []).append(member.id)
    values: dict[str, object] = {
        "agents": {member.id: member for member in agents},
        "team_members": teams,
        "loads": {},
        "rotations": {},
    }
    values.update(changes)
    return RoutingInputs(now=now, **values)  # type: ignore[arg-type]


def summary(lead_id: str = "lead-1") -> LeadSummary:
    return LeadSummary(
        lead_id=lead_id, account_id="acct-1", score=68, channel=Channel.FORM, phone_region=GUANGDONG
    )


def opened(
    assignment_id: str = "as-1",
    holder: Agent | None = None,
    at: datetime = NOON_UTC,
    the_policy: AssignmentPolicy | None = None,
) -> Opened:
    return open_assignment(
        assignment_id,
        summary(),
        holder or agent("a1"),
        AssignmentReason.RULE,
        at,
        the_policy or policy(),
        rule_id="r1",
    )


ONLINE = AgentStatus.ONLINE
NO_LOAD = AgentLoad()
