"""A consumer batch of lead.accepted routed at once (``handlers.intake_batch``) on the real store, both dialects:
the same decisions as lead after lead in transactions of their own, for every method, limit and fallback; a few
statements per batch whatever its size; and a store that moved on under the batch raises TransientConflict (the
consumer then undoes the transaction and runs each event alone)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from services.assign.adapters.db.tables import assign_agent_loads, assign_rotations
from services.assign.adapters.db.uow import SqlAssignUnitOfWork
from services.assign.domain.agents import Agent
from services.assign.domain.availability import capacity_day
from services.assign.domain.enums import AssignmentMethod, Channel, Verdict
from services.assign.domain.leads import LeadFacts, Region
from services.assign.domain.policy_checks import CriteriaDraft, RuleDraft
from services.assign.domain.ports import PoolFilter
from services.assign.domain.timers import TimerKind
from services.assign.handlers import agents as agent_handlers
from services.assign.handlers.intake import IntakeResult
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.ids import ulid_text
from services.common.uow import TransientConflict
from tests.assign.integration.conftest import sql_world
from tests.assign.world import GUANGDONG, World, lead_facts, unique

BEIJING = Region("北京市", "北京市")
RR, WEIGHTED, LEAST = AssignmentMethod.ROUND_ROBIN, AssignmentMethod.WEIGHTED, AssignmentMethod.LEAST_LOADED
DESIGNATED, POOL = AssignmentMethod.DESIGNATED, AssignmentMethod.POOL


def set_up(world: World) -> list[Agent]:
    """Three teams and two accounts' policies: every method, agents with each limit, criteria that send leads to
    different rules and to the pool. The agents in creation order (the same order in every world)."""
    north, south, small = world.team("north"), world.team("south"), world.team("small")
    agents = [
        world.agent(north),
        world.agent(north, max_held_leads=3),
        world.agent(north, daily_capacity=4),
        world.agent(south, weight=1),
        world.agent(south, weight=3),
        world.agent(south, weight=2, regions=(BEIJING,)),
        world.agent(small),
        world.agent(small, max_held_leads=2),
    ]
    designated = agents[5]
    world.policy(
        RuleDraft(id="calls", method=DESIGNATED, agent_id=designated.id, criteria=calls()),
        RuleDraft(id="wechat", method=POOL, criteria=CriteriaDraft(channels=(int(Channel.WECHAT),))),
        RuleDraft(id="south", method=WEIGHTED, team_id=south.id, criteria=CriteriaDraft(regions=(BEIJING,))),
        RuleDraft(id="north", method=RR, team_id=north.id, criteria=CriteriaDraft(regions=(GUANGDONG,))),
        account_id="acct-1",
    )
    world.policy(
        RuleDraft(id="least", method=LEAST, team_id=small.id, criteria=calls()),
        RuleDraft(id="north", method=RR, team_id=north.id),
        account_id="acct-2",
    )
    return agents


def calls() -> CriteriaDraft:
    return CriteriaDraft(channels=(int(Channel.INBOUND_CALL),))


def leads(count: int) -> list[LeadFacts]:
    """``count`` leads over three accounts (acct-3 has no policy: the pool), four channels and three regions."""
    channels = [Channel.FORM, Channel.INBOUND_CALL, Channel.WECHAT, Channel.FORM, Channel.THIRD_PARTY]
    regions: list[Region | None] = [GUANGDONG, BEIJING, None, GUANGDONG]
    accounts = ["acct-1", "acct-1", "acct-2", "acct-1", "acct-2", "acct-3"]
    return [
        lead_facts(
            f"lead-{n:03d}",
            accounts[n % len(accounts)],
            channel=channels[n % len(channels)],
            phone_region=regions[n % len(regions)],
        )
        for n in range(count)
    ]


def decisions(
    agents: list[Agent], results: list[tuple[str, IntakeResult]]
) -> list[tuple[str, str, str, str]]:
    """(lead id, agent number or "pool", reason, rule id) per result, comparable across worlds."""
    number = {agent.id: str(n) for n, agent in enumerate(agents)}
    out = []
    for lead_id, result in results:
        if result.assignment is not None:
            a = result.assignment
            out.append((lead_id, number[a.agent_id], a.reason.name, a.rule_id))
        else:
            assert result.entry is not None
            out.append((lead_id, "pool", result.entry.reason.name, result.entry.rule_id))
    return out


def store_state(world: World, agents: list[Agent]) -> tuple[Any, ...]:
    """What the store holds after routing: loads by agent number, rotation (version, turns) by account and rule,
    assignments, pool entries, timers and lead.assigned in the outbox."""
    now = world.clock.now()

    def read(uow: Any) -> tuple[Any, ...]:
        loads = uow.loads.get_many(world.tenant, {a.id: capacity_day(a, now) for a in agents})
        rotations = {
            account: {
                rule: (s.version, s.turns)
                for rule, s in uow.rotations.get_many(
                    world.tenant, account, ["north", "south", "least"]
                ).items()
            }
            for account in ("acct-1", "acct-2")
        }
        assigned = Counter(
            a.agent_id for agent in agents for a in uow.assignments.active_of_agent(world.tenant, agent.id)
        )
        timers = sum(
            uow.timers.get(TimerKind.RECLAIM, a.id) is not None
            for agent in agents
            for a in uow.assignments.active_of_agent(world.tenant, agent.id)
        )
        pooled = uow.pool.list(world.tenant, PoolFilter(), None, 1000)
        return (
            [(loads[a.id].held, loads[a.id].assigned_today) for a in agents],
            rotations,
            [assigned[a.id] for a in agents],
            timers,
            [(e.lead.lead_id, e.reason, e.rule_id) for e in pooled],
        )

    return world.read(read)


@pytest.fixture
def two_worlds(
    assign_database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> tuple[World, World]:
    """Two tenants of one store at the same time: one routes lead by lead, the other in batches. Agent and team ids
    rise in creation order in both (ROUND_ROBIN orders a team by agent id: random ids would order the two worlds'
    teams differently)."""
    rising = itertools.count(1)
    monkeypatch.setattr(
        agent_handlers, "id_at", lambda moment: ulid_text(0, next(rising).to_bytes(10, "big"))
    )
    return world, sql_world(assign_database, FakeClock(world.clock.now()), unique("tenant"))


def test_a_batch_decides_as_lead_after_lead_for_every_method_limit_and_fallback(
    two_worlds: tuple[World, World],
) -> None:
    one_by_one, batched = two_worlds
    agents_a, agents_b = set_up(one_by_one), set_up(batched)
    arriving = leads(60)
    alone = [(lead.lead_id, one_by_one.accept(lead)) for lead in arriving]
    together = batched.accept_many(arriving[:25]) + batched.accept_many(arriving[25:])
    expected = decisions(agents_a, [(lead_id, r) for lead_id, r in alone if r is not None])
    assert decisions(agents_b, together) == expected
    reasons = Counter(reason for _, _, reason, _ in expected)
    assert {"RULE", "RULE_METHOD_POOL", "NO_RULE_MATCHED", "NO_AGENT_AVAILABLE"} <= set(reasons), reasons
    assert store_state(batched, agents_b) == store_state(one_by_one, agents_a)


def test_returning_leads_go_to_their_familiar_agent_and_erased_known_and_repeated_leads_are_not_routed(
    two_worlds: tuple[World, World],
) -> None:
    one_by_one, batched = two_worlds
    agents_a, agents_b = set_up(one_by_one), set_up(batched)
    earlier = leads(8)
    for world in two_worlds:
        for lead in earlier:
            world.accept(lead)
        world.erase("lead-erased")
    returning = [
        lead_facts(
            f"back-{lead.lead_id}",
            lead.account_id,
            verdict=Verdict.RETURNING,
            returning_of_lead_id=lead.lead_id,
            channel=lead.channel,
            phone_region=lead.phone_region,
        )
        for lead in earlier
    ]
    fresh = leads(14)[8:]
    arriving = [*returning, lead_facts("lead-erased"), earlier[0], *fresh, fresh[0]]
    alone = [(lead.lead_id, one_by_one.accept(lead)) for lead in arriving]
    together = batched.accept_many(arriving)
    expected = decisions(agents_a, [(lead_id, r) for lead_id, r in alone if r is not None])
    assert decisions(agents_b, together) == expected
    routed = [lead_id for lead_id, *_ in expected]
    assert "lead-erased" not in routed and earlier[0].lead_id not in routed
    assert routed.count(fresh[0].lead_id) == 1, "a lead twice in a batch is routed once"
    assert any(reason == "FAMILIARITY" for _, _, reason, _ in expected)
    assert store_state(batched, agents_b) == store_state(one_by_one, agents_a)


def test_a_returning_lead_whose_earlier_lead_is_in_the_same_batch_goes_to_that_leads_agent(
    world: World,
) -> None:
    team = world.team()
    agents = [world.agent(team) for _ in range(3)]
    world.policy(RuleDraft(id="rr", method=RR, team_id=team.id))
    first = lead_facts()
    back = lead_facts(verdict=Verdict.RETURNING, returning_of_lead_id=first.lead_id)
    results = dict(world.accept_many([first, lead_facts(), back]))
    holder = results[first.lead_id].assignment
    again = results[back.lead_id].assignment
    assert holder is not None and again is not None
    assert again.agent_id == holder.agent_id and again.reason.name == "FAMILIARITY"
    assert {a.id for a in agents} >= {holder.agent_id}


class Statements:
    """Statements sent on the world's write engine (an executemany counts once)."""

    def __init__(self, world: World) -> None:
        self.count = 0
        event.listen(world.tx.database.engine, "before_cursor_execute", self._seen)
        self._world = world

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def during(self, work: Callable[[], object]) -> int:
        before = self.count
        work()
        return self.count - before

    def close(self) -> None:
        event.remove(self._world.tx.database.engine, "before_cursor_execute", self._seen)


def test_a_batch_runs_the_same_few_statements_whatever_its_size(world: World) -> None:
    team = world.team()
    for _ in range(4):
        world.agent(team)
    world.policy(RuleDraft(id="rr", method=RR, team_id=team.id))
    world.accept()  # the policy, the agents and the rotation row exist: what a running service has
    statements = Statements(world)
    try:
        small = statements.during(lambda: world.accept_many([lead_facts() for _ in range(5)]))
        large = statements.during(lambda: world.accept_many([lead_facts() for _ in range(80)]))
        one_by_one = statements.during(lambda: [world.accept() for _ in range(5)])
    finally:
        statements.close()
    assert small == large, (small, large)
    assert large < one_by_one, "80 leads at once cost fewer statements than 5 one by one"


def test_a_store_moved_on_under_the_batch_raises_and_the_retry_routes_on_fresh_reads(world: World) -> None:
    """Another writer (here: behind the repositories, on purpose) fills an agent or takes a rule's turn between the
    batch's reads and its writes: the conditions refuse and TransientConflict is raised; the transaction that raised
    commits nothing, and the next attempt routes the batch on fresh reads."""
    team = world.team()
    agents = [world.agent(team, max_held_leads=3) for _ in range(2)]
    world.policy(RuleDraft(id="rr", method=RR, team_id=team.id))
    world.accept()
    for interfere in (fill_agent(world, agents[0]), turn_rotation(world)):
        batch = [lead_facts() for _ in range(2)]
        conflicts: list[str] = []

        def routed_under_interference(
            uow: Any,
            batch: list[LeadFacts] = batch,
            interfere: Callable[[SqlAssignUnitOfWork], None] = interfere,
            conflicts: list[str] = conflicts,
        ) -> list[tuple[str, IntakeResult]]:
            real_save_many = uow.rotations.save_many

            def interfere_then_write(*args: Any) -> Any:  # the batch has read and routed: it writes now
                if not conflicts:
                    interfere(uow)
                return real_save_many(*args)

            uow.rotations.save_many = interfere_then_write
            try:
                return world.batch_intake.accept_many(uow, world.tenant, batch)
            except TransientConflict:
                conflicts.append("conflict")
                raise

        routed = world.write(routed_under_interference)  # the runner tries again after a TransientConflict
        assert conflicts == ["conflict"]
        assert [lead_id for lead_id, _ in routed] == [lead.lead_id for lead in batch]
    days = {a.id: capacity_day(a, world.clock.now()) for a in agents}
    held = world.read(lambda uow: uow.loads.get_many(world.tenant, days))
    assert sorted(load.held for load in held.values()) == [2, 3], (
        "five leads, in turns; no agent over its three"
    )
    state = world.read(lambda uow: uow.rotations.get_many(world.tenant, "acct-1", ["rr"]))["rr"]
    assert state.version == 5, "one turn per lead routed: the interfering writes went with their transaction"


def fill_agent(world: World, agent: Agent) -> Callable[[SqlAssignUnitOfWork], None]:
    def interfere(uow: SqlAssignUnitOfWork) -> None:
        loads = assign_agent_loads.c
        uow._session.execute(  # type: ignore[attr-defined]
            sa.update(assign_agent_loads)
            .where(loads.tenant_id == world.tenant, loads.agent_id == agent.id)
            .values(held=3)
        )

    return interfere


def turn_rotation(world: World) -> Callable[[SqlAssignUnitOfWork], None]:
    def interfere(uow: SqlAssignUnitOfWork) -> None:
        rotations = assign_rotations.c
        uow._session.execute(  # type: ignore[attr-defined]
            sa.update(assign_rotations)
            .where(rotations.tenant_id == world.tenant)
            .values(version=rotations.version + 1)
        )

    return interfere
