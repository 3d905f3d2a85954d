"""Leads arriving: lead.accepted is routed by the account's policy; lead.duplicate sends a pooled lead back to the
agent who had the person. Both run inside the consumer's inbox transaction, on the unit of work bound to it.

lead.accepted (``accept``):
1. The lead's facts are stored once (a replayed or re-published event finds them and changes nothing); its score
   and grade are computed by the policy's thresholds.
2. Familiarity (a RETURNING lead, ``returning_of_lead_id``): the agent of the earlier lead's latest assignment,
   unless the earlier lead was reclaimed from that agent and the cooling period still runs.
3. ``routing.route`` decides: an agent (rule or familiarity) or the pool, with its reason and the trace of rules.
4. An agent: the rule's rotation is written with a compare-and-set on its version, the agent's held and daily
   counters are taken with a conditional update (so two rules picking one agent concurrently cannot both pass
   its max held or daily capacity), the assignment is inserted (at most one active per lead), its reclaim and
   first reminder are scheduled, lead.assigned is recorded. A lost race undoes the attempt (savepoint) and routes
   again on fresh reads: two replicas never assign a lead twice, and ROUND_ROBIN stays within ±1 across them.

lead.duplicate (``duplicate``): only a lead waiting in the pool moves, and only to the agent who had it last
(familiarity, subject to availability and to the cooling period of a reclaim); a held, closed or unknown lead is
left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.assign.domain.agents import Agent
from services.assign.domain.assignments import Assignment
from services.assign.domain.availability import capacity_day
from services.assign.domain.enums import AssignmentMethod, Verdict
from services.assign.domain.handover import open_assignment
from services.assign.domain.leads import LeadFacts, LeadSummary
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.ports import AssignUnitOfWork, KnownLead
from services.assign.domain.routing import Routing, RoutingInputs, ToAgent, ToPool, lead_grade, needs, route
from services.assign.handlers import moves
from services.assign.handlers.ids import id_at
from services.assign.handlers.policies import policy_of
from services.common.clock import Clock
from services.common.uow import TransientConflict


@dataclass(frozen=True)
class IntakeResult:
    """Where the lead went: ``assignment`` (to an agent) or ``entry`` (the pool), with the routing decision and
    the method of the rule that decided (None for familiarity and for no rule)."""

    routing: Routing
    method: AssignmentMethod | None
    assignment: Assignment | None = None
    entry: PoolEntry | None = None


def familiar_agent(uow: AssignUnitOfWork, tenant: str, lead_id: str) -> str:
    """The agent who had the person of ``lead_id`` last (its latest assignment's), or "" when nobody did."""
    held = uow.assignments.of_lead(tenant, lead_id)
    return held[-1].agent_id if held else ""


def lead_summary(policy: AssignmentPolicy, lead: LeadFacts) -> LeadSummary:
    """What assignments and pool entries carry of ``lead``: its facts with the score and grade ``policy`` gives."""
    value, grade = lead_grade(policy, lead)
    return LeadSummary(lead.lead_id, lead.account_id, value, grade, lead.channel, lead.phone_region)


def returning_familiarity(
    uow: AssignUnitOfWork, tenant: str, policy: AssignmentPolicy, lead: LeadFacts
) -> tuple[str, tuple[Cooldown, ...]]:
    """For a RETURNING lead under a policy with familiarity: the agent who had the person (the earlier lead's
    latest), and the cooling periods of the earlier lead, now this lead's (reclaimed from that agent recently: the
    person does not go back to them yet). ("", ()) otherwise."""
    if not (policy.familiarity and lead.verdict == Verdict.RETURNING and lead.returning_of_lead_id):
        return "", ()
    familiar = familiar_agent(uow, tenant, lead.returning_of_lead_id)
    cooldowns = tuple(
        replace(c, lead_id=lead.lead_id) for c in uow.cooldowns.of_lead(tenant, lead.returning_of_lead_id)
    )
    return familiar, cooldowns


def rule_method(policy: AssignmentPolicy, rule_id: str) -> AssignmentMethod | None:
    """The method of the policy's rule ``rule_id`` (None for familiarity and for no rule: an empty id)."""
    return next((rule.method for rule in policy.rules if rule.id == rule_id), None)


class IntakeHandlers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def accept(self, uow: AssignUnitOfWork, tenant: str, lead: LeadFacts) -> IntakeResult | None:
        """Route a lead.accepted; None when the lead was already received, or erased."""
        return moves.retrying(uow, lambda: self._accept(uow, tenant, lead))

    def duplicate(self, uow: AssignUnitOfWork, tenant: str, lead_id: str) -> IntakeResult | None:
        """Familiarity for a lead.duplicate of a pooled lead; None when nothing moved."""
        return moves.retrying(uow, lambda: self._duplicate(uow, tenant, lead_id))

    def _accept(self, uow: AssignUnitOfWork, tenant: str, lead: LeadFacts) -> IntakeResult | None:
        if uow.erased.contains(tenant, lead.lead_id):
            return None  # lead.erased was handled first: an erased lead is never routed
        now = self._clock.now()
        policy = policy_of(uow, tenant, lead.account_id)
        summary = lead_summary(policy, lead)
        if not uow.leads.insert(tenant, KnownLead(lead, summary, now)):
            return None
        familiar, cooldowns = returning_familiarity(uow, tenant, policy, lead)
        result = self._route(uow, tenant, policy, lead, summary, familiar, cooldowns, "", now)
        if result.entry is not None:
            uow.pool.insert(tenant, result.entry)
        return result

    def _duplicate(self, uow: AssignUnitOfWork, tenant: str, lead_id: str) -> IntakeResult | None:
        known = uow.leads.get(tenant, lead_id)
        entry = uow.pool.get(tenant, lead_id) if known is not None else None
        if known is None or entry is None:
            return None
        policy = policy_of(uow, tenant, known.facts.account_id)
        if not policy.familiarity:
            return None
        familiar = familiar_agent(uow, tenant, lead_id)
        if not familiar:
            return None
        facts = replace(known.facts, verdict=Verdict.DUPLICATE)
        cooldowns = tuple(uow.cooldowns.of_lead(tenant, lead_id))
        # Familiarity only: the rules already had their turn when the lead arrived.
        familiar_only = replace(policy, rules=())
        now = self._clock.now()
        result = self._route(
            uow,
            tenant,
            familiar_only,
            facts,
            known.summary,
            familiar,
            cooldowns,
            entry.previous_agent_id,
            now,
        )
        if result.assignment is None:
            return None
        if not uow.pool.remove(tenant, lead_id):
            raise TransientConflict()  # claimed meanwhile: decide again
        return result

    def _route(
        self,
        uow: AssignUnitOfWork,
        tenant: str,
        policy: AssignmentPolicy,
        lead: LeadFacts,
        summary: LeadSummary,
        familiar: str,
        cooldowns: tuple[Cooldown, ...],
        previous_agent_id: str,
        now: datetime,
    ) -> IntakeResult:
        wanted = needs(policy, lead)
        agents = dict(uow.agents.of_teams(tenant, wanted.team_ids)) if wanted.team_ids else {}
        extra = [a for a in (*wanted.agent_ids, familiar) if a and a not in agents]
        if extra:
            agents.update(uow.agents.get_many(tenant, extra))
        rosters: dict[str, list[str]] = {}
        for agent in agents.values():
            rosters.setdefault(agent.team_id, []).append(agent.id)
        days = {agent.id: capacity_day(agent, now) for agent in agents.values()}
        inputs = RoutingInputs(
            now=now,
            agents=agents,
            team_members=rosters,
            loads=uow.loads.get_many(tenant, days) if days else {},
            rotations=uow.rotations.get_many(tenant, lead.account_id, wanted.rule_ids)
            if wanted.rule_ids
            else {},
            familiar_agent_id=familiar,
            cooldowns=cooldowns,
        )
        routing = route(policy, lead, inputs)
        outcome = routing.outcome
        method = rule_method(policy, outcome.rule_id)
        if isinstance(outcome, ToPool):
            entry = PoolEntry(summary, outcome.reason, now, rule_id=outcome.rule_id)
            return IntakeResult(routing, method, entry=entry)
        agent = agents[outcome.agent_id]
        assignment = self._assign(uow, tenant, policy, summary, agent, outcome, previous_agent_id, now)
        return IntakeResult(routing, method, assignment=assignment)

    def _assign(
        self,
        uow: AssignUnitOfWork,
        tenant: str,
        policy: AssignmentPolicy,
        summary: LeadSummary,
        agent: Agent,
        outcome: ToAgent,
        previous_agent_id: str,
        now: datetime,
    ) -> Assignment:
        if outcome.rotation is not None:
            update = outcome.rotation
            if not uow.rotations.save(tenant, summary.account_id, update.rule_id, update.state):
                raise TransientConflict()  # another replica took this rule's turn first
        opened = open_assignment(
            id_at(now),
            summary,
            agent,
            outcome.reason,
            now,
            policy,
            rule_id=outcome.rule_id,
            previous_agent_id=previous_agent_id,
        )
        return moves.start(uow, tenant, opened, agent, now, daily_capacity=True)
