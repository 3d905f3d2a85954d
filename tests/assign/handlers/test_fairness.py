"""Fairness that survives change, through the intake use case (the consumer's path) and its stored rotation:
10,000 leads while agents join, pause and come back. ROUND_ROBIN stays within ±1 of each agent's share, WEIGHTED
within ±5 %, and an agent coming back gets no burst. ``pytest -s`` prints the observed spread.

An agent's share is its fluid share: for every lead, 1 (or its weight) over the agents available for that lead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from services.assign.domain.agents import Agent
from services.assign.domain.enums import AgentStatus, AssignmentMethod
from services.assign.domain.policy_checks import RuleDraft
from services.common.clock import FakeClock
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, lead_facts
from tests.common.fakes import FakeTransactions

LEADS = 10_000
T = TypeVar("T")


class DirectTransactions(FakeTransactions[Any]):
    """Writes without snapshots: a 10,000-lead run cannot copy its whole state per write (nothing fails here)."""

    def write_now(self, work: Callable[[Any], T]) -> T:
        return work(self.uow)


def run(
    method: AssignmentMethod, weights: list[int], changes: dict[int, Callable[[World, list[Agent]], None]]
):  # type: ignore[no-untyped-def]
    uow = FakeAssignUnitOfWork(undo=False)
    world = World(DirectTransactions(uow), FakeClock(datetime(2026, 3, 4, 2, tzinfo=UTC)))
    team = world.team()
    agents = [world.agent(team, weight=w) for w in weights]
    world.policy(RuleDraft(id="r", method=method, team_id=team.id))
    counts: Counter[str] = Counter()
    expected: dict[str, float] = defaultdict(float)
    sequence: list[str] = []
    for index in range(LEADS):
        if index in changes:
            changes[index](world, agents)
        available = [uow.agents.get("t1", a.id) for a in agents]
        online = [a for a in available if a is not None and a.status == AgentStatus.ONLINE]
        total = sum(a.effective_weight for a in online)
        for a in online:
            expected[a.id] += a.effective_weight / total
        result = world.intake.accept(uow, "t1", lead_facts(f"lead-{index}"))
        assert result is not None and result.assignment is not None
        counts[result.assignment.agent_id] += 1
        sequence.append(result.assignment.agent_id)
    assert len(uow.assignments.rows) == LEADS, "every lead assigned exactly once"
    names = {a.id: f"agent{i + 1}(w{a.effective_weight})" for i, a in enumerate(agents)}
    spread = {
        names[a]: (counts[a], round(expected[a], 1), round(counts[a] - expected[a], 2)) for a in expected
    }
    print(f"\n{method.name} over {LEADS} leads (count, share, deviation): {spread}")
    return agents, counts, expected, sequence


def join(weight: int) -> Callable[[World, list[Agent]], None]:
    def change(world: World, agents: list[Agent]) -> None:
        team_id = agents[0].team_id
        agents.append(world.agent(world.run(world.agents.get_team(world.admin, team_id)), weight=weight))

    return change


def status(position: int, value: AgentStatus) -> Callable[[World, list[Agent]], None]:
    def change(world: World, agents: list[Agent]) -> None:
        agents[position] = world.set_status(agents[position], value)

    return change


def test_round_robin_stays_within_one_lead_while_agents_join_and_pause() -> None:
    back_at = 7_500
    agents, counts, expected, sequence = run(
        AssignmentMethod.ROUND_ROBIN,
        [1, 1, 1, 1],
        {
            2_500: join(1),
            5_000: status(1, AgentStatus.OFFLINE),
            back_at: status(1, AgentStatus.ONLINE),
            8_000: join(1),
        },
    )
    for agent in agents:
        assert abs(counts[agent.id] - expected[agent.id]) <= 1, agent.id
    returning = agents[1].id
    assert sequence[5_000:back_at].count(returning) == 0
    # Back after 2,500 leads away: one turn per round of the five, not a catch-up burst.
    first_rounds = sequence[back_at : back_at + 25]
    assert first_rounds.count(returning) == 5
    assert all(first_rounds[i : i + 5].count(returning) <= 1 for i in range(0, 25, 5))


def test_weighted_stays_within_five_percent_while_agents_join_and_pause() -> None:
    agents, counts, expected, _ = run(
        AssignmentMethod.WEIGHTED,
        [1, 2, 3, 4],
        {3_000: join(2), 6_000: status(0, AgentStatus.ON_LEAVE), 8_000: status(0, AgentStatus.ONLINE)},
    )
    for agent in agents:
        assert abs(counts[agent.id] - expected[agent.id]) <= 0.05 * expected[agent.id], agent.id
