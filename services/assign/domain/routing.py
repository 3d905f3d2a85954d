"""The decision for one lead: familiarity, then the policy's rules in order, then the pool. Pure.

1. Familiarity (policy.familiarity, on by default): a RETURNING or DUPLICATE lead goes back to the agent who had
   the person, when that agent can take it now (``availability``; their regions do not matter, they know the
   person) and is not cooling down on this lead after a reclaim. No rule and no rotation are involved.
2. Rules, first to last. A rule whose criteria do not match is passed over. For the first that matches:
   - lead graded below ``min_score_grade`` → the pool (BELOW_SCORE_GRADE), the decision ends;
   - method POOL → the pool (RULE_METHOD_POOL), the decision ends;
   - DESIGNATED → its agent when available and serving the lead's region;
   - ROUND_ROBIN / WEIGHTED / LEAST_LOADED → the team's turn by the rule's stored rotation (``rotation``);
   - nobody in the rule can take it → the next matching rule.
3. The pool: NO_AGENT_AVAILABLE when some rule matched, NO_RULE_MATCHED otherwise.

The caller loads what ``needs`` names (agents, team rosters, loads, rotation states) and, when the decision
carries a rotation update, stores it with a compare-and-set on its version; on a lost race it reloads and routes
again. The trace says why each rule was passed over, for logs and the assignment's explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.availability import Unavailability, unavailability
from services.assign.domain.enums import AssignmentMethod, AssignmentReason, PoolReason, ScoreGrade, Verdict
from services.assign.domain.leads import LeadFacts
from services.assign.domain.policy import TEAM_METHODS, AssignmentPolicy, AssignmentRule
from services.assign.domain.pool import Cooldown, cooling_down
from services.assign.domain.rotation import RotationState, Seat, next_turn
from services.assign.domain.scoring import below, grade, score


@dataclass(frozen=True)
class RoutingInputs:
    """What the store loaded for one decision.

    ``agents``: every agent the matching rules name or whose team they name, and the familiar agent; deleted agents
    are absent. ``team_members``: team id → agent ids. ``loads``: agent id → load (missing means none).
    ``rotations``: rule id → stored state (missing means a new rotation). ``familiar_agent_id``: who had the person
    (RETURNING: the agent of the earlier lead; DUPLICATE: the lead's last agent), empty when nobody.
    ``cooldowns``: this lead's cooling periods.
    """

    now: datetime
    agents: Mapping[str, Agent] = field(default_factory=dict)
    team_members: Mapping[str, Sequence[str]] = field(default_factory=dict)
    loads: Mapping[str, AgentLoad] = field(default_factory=dict)
    rotations: Mapping[str, RotationState] = field(default_factory=dict)
    familiar_agent_id: str = ""
    cooldowns: Sequence[Cooldown] = ()


@dataclass(frozen=True)
class Needs:
    """What to load for ``route``: the ids of matching rules, the teams and agents they name."""

    rule_ids: tuple[str, ...]
    team_ids: tuple[str, ...]
    agent_ids: tuple[str, ...]


class RuleResult(StrEnum):
    NOT_MATCHED = "NOT_MATCHED"
    BELOW_SCORE_GRADE = "BELOW_SCORE_GRADE"
    METHOD_POOL = "METHOD_POOL"
    NO_AGENT_AVAILABLE = "NO_AGENT_AVAILABLE"
    ASSIGNED = "ASSIGNED"


@dataclass(frozen=True)
class RuleTrace:
    rule_id: str
    result: RuleResult
    skipped: tuple[tuple[str, Unavailability], ...] = ()


@dataclass(frozen=True)
class RotationUpdate:
    """Store ``state`` for ``rule_id`` where the stored version is still ``state.version - 1``."""

    rule_id: str
    state: RotationState


@dataclass(frozen=True)
class ToAgent:
    agent_id: str
    team_id: str
    reason: AssignmentReason
    rule_id: str = ""
    rotation: RotationUpdate | None = None


@dataclass(frozen=True)
class ToPool:
    reason: PoolReason
    rule_id: str = ""


@dataclass(frozen=True)
class Routing:
    outcome: ToAgent | ToPool
    score: int
    grade: ScoreGrade
    trace: tuple[RuleTrace, ...] = ()


def lead_grade(policy: AssignmentPolicy, lead: LeadFacts) -> tuple[int, ScoreGrade]:
    value = score(lead)
    return value, grade(value, policy.score_thresholds)


def matching_rules(policy: AssignmentPolicy, lead: LeadFacts) -> list[AssignmentRule]:
    _, lead_rank = lead_grade(policy, lead)
    return [rule for rule in policy.rules if rule.criteria.matches(lead, lead_rank)]


def needs(policy: AssignmentPolicy, lead: LeadFacts) -> Needs:
    """The rotation states, team rosters and designated agents ``route`` may use for this lead."""
    rules = matching_rules(policy, lead)
    return Needs(
        rule_ids=tuple(rule.id for rule in rules if rule.method in TEAM_METHODS),
        team_ids=tuple(dict.fromkeys(rule.team_id for rule in rules if rule.method in TEAM_METHODS)),
        agent_ids=tuple(
            dict.fromkeys(rule.agent_id for rule in rules if rule.method == AssignmentMethod.DESIGNATED)
        ),
    )


def route(policy: AssignmentPolicy, lead: LeadFacts, inputs: RoutingInputs) -> Routing:
    """Where ``lead`` goes now; see the module docstring for the order of the steps."""
    value, lead_rank = lead_grade(policy, lead)
    familiar = _familiar(policy, lead, inputs)
    if familiar is not None:
        return Routing(familiar, value, lead_rank)
    trace: list[RuleTrace] = []
    for rule in policy.rules:
        if not rule.criteria.matches(lead, lead_rank):
            trace.append(RuleTrace(rule.id, RuleResult.NOT_MATCHED))
            continue
        if below(lead_rank, rule.min_score_grade):
            trace.append(RuleTrace(rule.id, RuleResult.BELOW_SCORE_GRADE))
            return Routing(ToPool(PoolReason.BELOW_SCORE_GRADE, rule.id), value, lead_rank, tuple(trace))
        if rule.method == AssignmentMethod.POOL:
            trace.append(RuleTrace(rule.id, RuleResult.METHOD_POOL))
            return Routing(ToPool(PoolReason.RULE_METHOD_POOL, rule.id), value, lead_rank, tuple(trace))
        chosen, skipped = _pick(rule, lead, inputs)
        if chosen is not None:
            trace.append(RuleTrace(rule.id, RuleResult.ASSIGNED, skipped))
            return Routing(chosen, value, lead_rank, tuple(trace))
        trace.append(RuleTrace(rule.id, RuleResult.NO_AGENT_AVAILABLE, skipped))
    matched = any(entry.result != RuleResult.NOT_MATCHED for entry in trace)
    reason = PoolReason.NO_AGENT_AVAILABLE if matched else PoolReason.NO_RULE_MATCHED
    return Routing(ToPool(reason), value, lead_rank, tuple(trace))


def _familiar(policy: AssignmentPolicy, lead: LeadFacts, inputs: RoutingInputs) -> ToAgent | None:
    if not policy.familiarity or lead.verdict not in (Verdict.RETURNING, Verdict.DUPLICATE):
        return None
    agent = inputs.agents.get(inputs.familiar_agent_id) if inputs.familiar_agent_id else None
    if agent is None or cooling_down(inputs.cooldowns, agent.id, inputs.now):
        return None
    if unavailability(agent, inputs.loads.get(agent.id, AgentLoad()), inputs.now) is not None:
        return None
    return ToAgent(agent.id, agent.team_id, AssignmentReason.FAMILIARITY)


def _why_not(agent: Agent | None, lead: LeadFacts, inputs: RoutingInputs) -> Unavailability | None:
    if agent is None:
        return Unavailability.NOT_FOUND
    if not agent.serves(lead.phone_region):
        return Unavailability.REGION_NOT_SERVED
    if cooling_down(inputs.cooldowns, agent.id, inputs.now):
        return Unavailability.COOLING_DOWN
    return unavailability(agent, inputs.loads.get(agent.id, AgentLoad()), inputs.now)


def _pick(
    rule: AssignmentRule, lead: LeadFacts, inputs: RoutingInputs
) -> tuple[ToAgent | None, tuple[tuple[str, Unavailability], ...]]:
    if rule.method == AssignmentMethod.DESIGNATED:
        agent = inputs.agents.get(rule.agent_id)
        why = _why_not(agent, lead, inputs)
        if agent is None or why is not None:
            return None, ((rule.agent_id, why or Unavailability.NOT_FOUND),)
        return ToAgent(agent.id, agent.team_id, AssignmentReason.RULE, rule.id), ()
    seats: list[Seat] = []
    skipped: list[tuple[str, Unavailability]] = []
    for agent_id in sorted(set(inputs.team_members.get(rule.team_id, ()))):
        agent = inputs.agents.get(agent_id)
        if agent is None or agent.team_id != rule.team_id:
            continue  # deleted or moved since the roster was read: not a member any more
        why = _why_not(agent, lead, inputs)
        if why is not None:
            skipped.append((agent_id, why))
        load = inputs.loads.get(agent_id, AgentLoad())
        seats.append(Seat(agent_id, agent.effective_weight, available=why is None, held=load.held))
    turn = next_turn(inputs.rotations.get(rule.id, RotationState()), seats, rule.method)
    if turn is None:
        return None, tuple(skipped)
    chosen = ToAgent(
        turn.agent_id, rule.team_id, AssignmentReason.RULE, rule.id, RotationUpdate(rule.id, turn.state)
    )
    return chosen, tuple(skipped)
