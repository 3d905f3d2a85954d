"""A consumer batch of lead.accepted routed at once (``ConsumerSpec.batch_handler``): the decisions
``IntakeHandlers.accept`` makes lead after lead, in the batch's order, with the store read and written a few times
per batch instead of about eight statements per lead.

1. Reads, one statement per kind for the batch: which of its leads were erased, which are new (their facts inserted
   at once, RETURNING the new ones), the agents the matching rules name (and the familiar agents), their loads and
   the rules' rotation states, locked until the commit (``FOR UPDATE`` on PostgreSQL, where two replicas' batches
   of one rule then take turns instead of one losing the race).
2. Routing in memory (``domain.routing.route``), lead after lead, each decision seeing the loads and rotation
   states the decisions before it left, as the per-lead path reads them back from the store.
3. Writes, one statement per table: each rule's last rotation state (a compare-and-set on the version read), each
   agent's leads taken at once (conditional on its max held and daily capacity after all of them), the
   assignments, their timers, the pool entries; then lead.assigned of each assignment.

On SQLite the transaction holds the database's only write lock, so nothing moves between the reads and the writes.
On PostgreSQL the locked rotation rows hold still too, but a rule's first turn (no row to lock yet) or an agent's load
(a claim from the pool) may still be taken by another transaction meanwhile: the writes' conditions catch it and
``TransientConflict`` is raised, the consumer undoes the whole transaction and runs each event on its own
(``IntakeHandlers.accept``, which routes again on fresh reads) — no lead is assigned twice, no agent goes over a
limit, no turn is lost.

What one pass cannot decide goes lead by lead through ``IntakeHandlers.accept`` in the same transaction: a RETURNING
lead whose earlier lead is in the same batch (its familiar agent is the one this batch gives the earlier lead).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.availability import at_max_held, capacity_day
from services.assign.domain.events import LeadAssigned
from services.assign.domain.handover import open_assignment
from services.assign.domain.leads import LeadFacts, LeadSummary
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.ports import AssignUnitOfWork, KnownLead, LoadTake, RotationSave
from services.assign.domain.rotation import RotationState
from services.assign.domain.routing import RotationUpdate, RoutingInputs, ToPool, needs, route
from services.assign.domain.timers import Timer
from services.assign.handlers import moves
from services.assign.handlers.ids import id_at
from services.assign.handlers.intake import (
    IntakeHandlers,
    IntakeResult,
    lead_summary,
    returning_familiarity,
    rule_method,
)
from services.assign.handlers.policies import policy_of
from services.common.clock import Clock
from services.common.uow import TransientConflict


@dataclass(frozen=True)
class _Arrival:
    """A new lead of the batch with what its decision needs besides the loads and rotation states."""

    facts: LeadFacts
    policy: AssignmentPolicy
    summary: LeadSummary
    familiar: str = ""
    cooldowns: tuple[Cooldown, ...] = ()


@dataclass
class _Capacity:
    """The loads (agent id → load on the agent's day at the batch's time) and rotation states (account id → rule
    id → state) the batch routes against, moved by each of its decisions, and what they took."""

    loads: dict[str, AgentLoad]
    rotations: dict[str, dict[str, RotationState]]
    read_versions: dict[tuple[str, str], int] = field(default_factory=dict)
    taken: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.read_versions = {
            (account, rule): state.version
            for account, states in self.rotations.items()
            for rule, state in states.items()
        }

    def took(self, account_id: str, agent: Agent, rotation: RotationUpdate | None) -> None:
        """``agent`` took a lead of ``account_id`` (a rule's turn when ``rotation``). Raises TransientConflict when
        the agent had no room left (the decision read loads it should not have)."""
        load = self.loads.get(agent.id, AgentLoad())
        if at_max_held(agent, load) or (agent.daily_capacity and load.assigned_today >= agent.daily_capacity):
            raise TransientConflict()
        self.loads[agent.id] = AgentLoad(load.held + 1, load.assigned_today + 1)
        self.taken[agent.id] += 1
        if rotation is not None:
            self.rotations.setdefault(account_id, {})[rotation.rule_id] = rotation.state

    def rotation_saves(self) -> list[RotationSave]:
        """The last state of every rule the batch turned, against the version it read (0: none stored); by account
        and rule, so that two writers lock the rows in one order."""
        saves = []
        for account, states in self.rotations.items():
            for rule, state in states.items():
                read = self.read_versions.get((account, rule), 0)
                if state.version != read:
                    saves.append(RotationSave(account, rule, read, state))
        return sorted(saves, key=lambda save: (save.account_id, save.rule_id))

    def load_takes(self, agents: Mapping[str, Agent], now: datetime) -> list[LoadTake]:
        return [
            LoadTake(
                agent_id,
                capacity_day(agents[agent_id], now),
                leads,
                agents[agent_id].max_held_leads,
                agents[agent_id].daily_capacity,
            )
            for agent_id, leads in self.taken.items()
        ]


@dataclass
class _Routed:
    """The batch's decisions, in order, and the rows they add."""

    results: list[tuple[str, IntakeResult]] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)


class BatchIntake:
    def __init__(self, clock: Clock, one_by_one: IntakeHandlers) -> None:
        self._clock = clock
        self._one_by_one = one_by_one

    def accept_many(
        self, uow: AssignUnitOfWork, tenant: str, leads: Sequence[LeadFacts]
    ) -> list[tuple[str, IntakeResult]]:
        """Route one tenant's lead.accepted of a batch, in their order: (lead id, result) of each lead routed now (a
        lead already received, repeated in the batch or erased has none). Raises TransientConflict when the store
        moved on under the batch (the caller must then undo the transaction: some of it is written)."""
        firsts: dict[str, LeadFacts] = {}
        for lead in leads:
            firsts.setdefault(lead.lead_id, lead)
        if any(lead.returning_of_lead_id in firsts for lead in firsts.values()):
            return self._lead_by_lead(uow, tenant, firsts.values())
        now = self._clock.now()
        erased = uow.erased.contains_many(tenant, list(firsts))
        arrivals = [
            self._arrival(uow, tenant, lead) for lead in firsts.values() if lead.lead_id not in erased
        ]
        new = uow.leads.insert_many(tenant, [KnownLead(a.facts, a.summary, now) for a in arrivals])
        arrivals = [self._familiarity(uow, tenant, a) for a in arrivals if a.facts.lead_id in new]
        if not arrivals:
            return []
        agents = _agents(uow, tenant, arrivals)
        capacity = _capacity(uow, tenant, agents, arrivals, now)
        routed = self._route(arrivals, agents, capacity, now)
        _write(uow, tenant, routed, capacity.rotation_saves(), capacity.load_takes(agents, now), now)
        return routed.results

    def _lead_by_lead(
        self, uow: AssignUnitOfWork, tenant: str, leads: Iterable[LeadFacts]
    ) -> list[tuple[str, IntakeResult]]:
        results = []
        for lead in leads:
            result = self._one_by_one.accept(uow, tenant, lead)
            if result is not None:
                results.append((lead.lead_id, result))
        return results

    @staticmethod
    def _arrival(uow: AssignUnitOfWork, tenant: str, lead: LeadFacts) -> _Arrival:
        policy = policy_of(uow, tenant, lead.account_id)  # read once per account and transaction
        return _Arrival(lead, policy, lead_summary(policy, lead))

    @staticmethod
    def _familiarity(uow: AssignUnitOfWork, tenant: str, arrival: _Arrival) -> _Arrival:
        familiar, cooldowns = returning_familiarity(uow, tenant, arrival.policy, arrival.facts)
        if not familiar and not cooldowns:
            return arrival
        return _Arrival(arrival.facts, arrival.policy, arrival.summary, familiar, cooldowns)

    @staticmethod
    def _route(
        arrivals: Sequence[_Arrival], agents: Mapping[str, Agent], capacity: _Capacity, now: datetime
    ) -> _Routed:
        # Every agent of the batch is offered to every decision: ``route`` looks agents up by the rule's id and
        # team, so the others change nothing (as the per-lead path, which loads only its own).
        rosters: dict[str, list[str]] = {}
        for agent in agents.values():
            rosters.setdefault(agent.team_id, []).append(agent.id)
        routed = _Routed()
        for arrival in arrivals:
            lead, policy = arrival.facts, arrival.policy
            inputs = RoutingInputs(
                now=now,
                agents=agents,
                team_members=rosters,
                loads=capacity.loads,
                rotations=capacity.rotations.get(lead.account_id, {}),
                familiar_agent_id=arrival.familiar,
                cooldowns=arrival.cooldowns,
            )
            routing = route(policy, lead, inputs)
            outcome = routing.outcome
            method = rule_method(policy, outcome.rule_id)
            if isinstance(outcome, ToPool):
                entry = PoolEntry(arrival.summary, outcome.reason, now, rule_id=outcome.rule_id)
                routed.results.append((lead.lead_id, IntakeResult(routing, method, entry=entry)))
                continue
            agent = agents[outcome.agent_id]
            capacity.took(lead.account_id, agent, outcome.rotation)
            opened = open_assignment(
                id_at(now), arrival.summary, agent, outcome.reason, now, policy, rule_id=outcome.rule_id
            )
            routed.results.append((lead.lead_id, IntakeResult(routing, method, assignment=opened.assignment)))
            routed.timers.extend(opened.timers)
        return routed


def _agents(uow: AssignUnitOfWork, tenant: str, arrivals: Sequence[_Arrival]) -> dict[str, Agent]:
    """Every agent a decision of the batch may pick: the matching rules' teams and designated agents, and the
    familiar agents."""
    team_ids: dict[str, None] = {}
    agent_ids: dict[str, None] = {}
    for arrival in arrivals:
        wanted = needs(arrival.policy, arrival.facts)
        team_ids.update(dict.fromkeys(wanted.team_ids))
        agent_ids.update(dict.fromkeys((*wanted.agent_ids, arrival.familiar)))
    agents = dict(uow.agents.of_teams(tenant, list(team_ids))) if team_ids else {}
    extra = [agent_id for agent_id in agent_ids if agent_id and agent_id not in agents]
    if extra:
        agents.update(uow.agents.get_many(tenant, extra))
    return agents


def _capacity(
    uow: AssignUnitOfWork,
    tenant: str,
    agents: Mapping[str, Agent],
    arrivals: Sequence[_Arrival],
    now: datetime,
) -> _Capacity:
    """The agents' loads and the matching rules' rotation states, as the batch starts."""
    days = {agent.id: capacity_day(agent, now) for agent in agents.values()}
    rule_ids: dict[str, dict[str, None]] = {}
    for arrival in arrivals:
        account_rules = rule_ids.setdefault(arrival.facts.account_id, {})
        account_rules.update(dict.fromkeys(needs(arrival.policy, arrival.facts).rule_ids))
    # Locked (PostgreSQL): another replica's batch of the same rules waits for this one, rather than losing its
    # compare-and-set and running lead by lead. By account, as the writes go.
    rotations = {
        account: uow.rotations.get_many(tenant, account, list(rule_ids[account]), for_update=True)
        for account in sorted(rule_ids)
        if rule_ids[account]
    }
    return _Capacity(dict(uow.loads.get_many(tenant, days)) if days else {}, rotations)


def _write(
    uow: AssignUnitOfWork,
    tenant: str,
    routed: _Routed,
    rotations: Sequence[RotationSave],
    takes: Sequence[LoadTake],
    now: datetime,
) -> None:
    """The batch's rows, one statement per table; TransientConflict when a condition finds the store moved on."""
    if rotations and not uow.rotations.save_many(tenant, rotations):
        raise TransientConflict()  # another replica took a turn of one of the rules first
    if takes and not uow.loads.take_many(tenant, takes):
        raise TransientConflict()  # another transaction filled an agent since the loads were read
    assignments = [result.assignment for _, result in routed.results if result.assignment is not None]
    if not uow.assignments.insert_many(tenant, assignments):
        raise TransientConflict()  # a lead got an active assignment meanwhile
    moves.schedule(uow, tenant, routed.timers)
    uow.pool.insert_many(tenant, [result.entry for _, result in routed.results if result.entry is not None])
    for assignment in assignments:
        uow.events.add(LeadAssigned(tenant, assignment, now))
