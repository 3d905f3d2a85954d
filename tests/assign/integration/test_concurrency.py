"""Races on PostgreSQL, the way two replicas (or many consumer and RPC threads) meet: nobody exceeds max held when
two rules pick the same agent at once, a pooled lead is claimed once, a shared ROUND_ROBIN stays within ±1, and no
lead is assigned twice. SQLite serialises writers, so these run in the PostgreSQL tier only."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from services.assign.bootstrap import MIGRATIONS_DIR
from services.assign.domain.commands import ClaimCommand
from services.assign.domain.enums import AssignmentMethod, AssignmentState
from services.assign.domain.policy_checks import RuleDraft
from services.assign.domain.ports import AssignmentFilter
from services.common.clock import FakeClock
from services.common.db import Database
from services.common.errors import FailedPrecondition
from services.common.migrations import upgrade
from tests.assign.integration.conftest import T0, sql_world
from tests.assign.world import World, agent_principal, lead_facts, unique

pytestmark = pytest.mark.postgres
THREADS = 8


@pytest.fixture
def world(postgres_url: str) -> Iterator[World]:
    upgrade(MIGRATIONS_DIR, postgres_url)
    database = Database(postgres_url, pool_size=THREADS * 2)
    try:
        yield sql_world(database, FakeClock(T0), unique("tenant"))
    finally:
        database.dispose()


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` on THREADS threads, released at once; each call's result or raised error."""
    barrier = threading.Barrier(min(THREADS, len(calls)))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, calls))


def accept(world: World, account_id: str) -> Callable[[], Any]:
    facts = lead_facts(account_id=account_id)
    return lambda: world.write(lambda uow: world.intake.accept(uow, world.tenant, facts))


def test_two_rules_picking_one_agent_at_once_never_pass_its_max_held(world: World) -> None:
    team, spare_team = world.team(), world.team("Spare")
    star = world.agent(team, max_held_leads=5, daily_capacity=7)
    spares = [world.agent(spare_team) for _ in range(2)]
    for account in ("north", "south"):
        world.policy(
            RuleDraft(id="star", method=AssignmentMethod.DESIGNATED, agent_id=star.id),
            RuleDraft(id="rest", method=AssignmentMethod.ROUND_ROBIN, team_id=spare_team.id),
            account_id=account,
        )
    results = together([accept(world, "north" if i % 2 else "south") for i in range(40)])
    assert not [r for r in results if isinstance(r, Exception)]
    holders = Counter(r.assignment.agent_id for r in results)
    assert holders[star.id] == 5, holders
    assert holders[spares[0].id] + holders[spares[1].id] == 35
    active = world.run(
        world.assignments.list(
            world.admin, AssignmentFilter(agent_id=star.id, state=AssignmentState.ACTIVE), 100, ""
        )
    )
    assert active.total_size == 5
    load = world.read(lambda uow: uow.loads.get_many(world.tenant, {star.id: (T0, T0)}))[star.id]
    assert load.held == 5, "the counter agrees with the assignments"


def test_a_shared_round_robin_stays_within_one_and_assigns_each_lead_once(world: World) -> None:
    team = world.team()
    agents = [world.agent(team) for _ in range(4)]
    world.policy(RuleDraft(id="rr", method=AssignmentMethod.ROUND_ROBIN, team_id=team.id))
    results = together([accept(world, "acct-1") for _ in range(200)])
    assert not [r for r in results if isinstance(r, Exception)]
    counts = Counter(r.assignment.agent_id for r in results)
    print(f"\nROUND_ROBIN, 200 leads on {THREADS} threads: {sorted(counts.values())}")
    assert max(counts.values()) - min(counts.values()) <= 1 and set(counts) == {a.id for a in agents}
    everything = world.run(world.assignments.list(world.admin, AssignmentFilter(), 1000, ""))
    leads = [v.assignment.lead.lead_id for v in everything.items]
    assert len(leads) == 200 == len(set(leads))
    state = world.read(lambda uow: uow.rotations.get_many(world.tenant, "acct-1", ["rr"]))["rr"]
    assert state.version == 200


def test_agents_racing_for_pooled_leads_each_lead_goes_to_one(world: World) -> None:
    team = world.team()
    names = [f"{world.tenant}-agent-{i}" for i in range(4)]
    for name in names:
        world.agent(team, name=name)
    world.policy(RuleDraft(id="p", method=AssignmentMethod.POOL))
    leads = [world.accept().entry.lead.lead_id for _ in range(10)]  # type: ignore[union-attr]
    calls = [
        (
            lambda lead=lead, name=name: world.run(
                world.pool.claim(agent_principal(world.tenant, name), ClaimCommand(lead), unique("c"))
            )
        )
        for lead in leads
        for name in names
    ]
    results = together(calls)
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert sorted(a.lead.lead_id for a in won) == sorted(leads)
    assert len(lost) == 30 and all(
        isinstance(e, FailedPrecondition) and e.reason == "LEAD_NOT_IN_POOL" for e in lost
    )
