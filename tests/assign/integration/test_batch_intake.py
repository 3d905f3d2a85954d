"""Many lead.accepted in one transaction, as a consumer batch applies them: on SQLite each agent's load and each
rule's rotation are read once for the batch (``txmemo.WriteLockedRows``) and then follow the batch's own writes, so
the routing is exactly what one transaction per lead gives; a lost race rolls the memo back with its savepoint. On
PostgreSQL every lead reads them again (other replicas commit meanwhile)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from services.assign.adapters.db.assignments import SqlAssignments
from services.assign.adapters.db.tables import assign_agent_loads, assign_rotations
from services.assign.adapters.db.uow import SqlAssignUnitOfWork
from services.assign.domain.enums import AssignmentMethod
from services.assign.domain.policy_checks import RuleDraft
from services.common.uow import TransientConflict
from tests.assign.world import World, lead_facts

ROUND_ROBIN = AssignmentMethod.ROUND_ROBIN


class Reads:
    """SELECTs of the loads and rotations tables on the world's write engine."""

    def __init__(self, world: World) -> None:
        self.loads = self.rotations = 0
        event.listen(world.tx.database.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement: str, *_rest) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        if f"FROM {assign_agent_loads.name}" in statement:
            self.loads += 1
        if f"FROM {assign_rotations.name}" in statement:
            self.rotations += 1


def test_a_batch_reads_loads_and_rotations_once_on_sqlite_and_routes_as_lead_by_lead(world: World) -> None:
    team = world.team()
    agents = [world.agent(team) for _ in range(3)]
    world.policy(RuleDraft(id="rr", method=ROUND_ROBIN, team_id=team.id))
    reads = Reads(world)

    def batch(uow: SqlAssignUnitOfWork) -> list[str]:
        routed = [world.intake.accept(uow, world.tenant, lead_facts()) for _ in range(12)]
        return [r.assignment.agent_id for r in routed if r is not None and r.assignment is not None]

    holders = world.write(batch)
    assert Counter(holders) == {agent.id: 4 for agent in agents}
    assert holders[:3] == holders[3:6] == holders[9:12], "ROUND_ROBIN's order, turn after turn"
    sqlite = world.tx.database.dialect == "sqlite"
    assert (reads.loads, reads.rotations) == ((1, 1) if sqlite else (12, 12))
    loads = world.read(
        lambda uow: uow.loads.get_many(world.tenant, {a.id: (world.clock.now(),) * 2 for a in agents})
    )
    assert {a: load.held for a, load in loads.items()} == {agent.id: 4 for agent in agents}
    state = world.read(lambda uow: uow.rotations.get_many(world.tenant, "acct-1", ["rr"]))["rr"]
    assert state.version == 12


def test_a_row_changed_behind_the_memo_costs_a_retry_not_a_wrong_assignment(world: World) -> None:
    """On SQLite nothing but this transaction can change the rows; the test changes one behind the repository's
    back to show the safety net: the conditional UPDATE refuses, the savepoint rolls back, the memo goes with it,
    and the lead is routed again on fresh reads."""
    team = world.team()
    first, second = world.agent(team, max_held_leads=2), world.agent(team, max_held_leads=2)
    world.policy(RuleDraft(id="rr", method=ROUND_ROBIN, team_id=team.id))

    def batch(uow: SqlAssignUnitOfWork) -> list[str]:
        holders = []
        for n in range(3):
            routed = world.intake.accept(uow, world.tenant, lead_facts())
            assert routed is not None and routed.assignment is not None
            holders.append(routed.assignment.agent_id)
            if n == 0:
                full = holders[0]
                uow._session.execute(  # type: ignore[attr-defined]  # behind the repositories, on purpose
                    sa.update(assign_agent_loads)
                    .where(
                        assign_agent_loads.c.tenant_id == world.tenant, assign_agent_loads.c.agent_id == full
                    )
                    .values(held=2)
                )
        return holders

    holders = world.write(batch)
    full = holders[0]
    other = second.id if full == first.id else first.id
    # Lead 2 is the other agent's turn anyway; lead 3 would be the full agent's, who can take no more.
    assert holders == [full, other, other]


def test_a_savepoint_rolled_back_after_a_successful_write_takes_the_remembered_rows_with_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent's load was taken and the rotation saved, then the assignment's INSERT lost a race: the savepoint
    undoes both in the database, and the memo must forget them too, or the retry would see the agent one lead
    fuller (here: full) and the rotation a turn ahead, and route the lead elsewhere."""
    team = world.team()
    agents = [world.agent(team, max_held_leads=1) for _ in range(2)]
    world.policy(RuleDraft(id="rr", method=ROUND_ROBIN, team_id=team.id))
    expected = min(
        agent.id for agent in agents
    )  # ROUND_ROBIN's first turn: its members are sorted by agent id
    real_insert = SqlAssignments.insert
    lost = [True]

    def insert_losing_once(self, tenant, assignment):  # type: ignore[no-untyped-def]
        if lost[0]:
            lost[0] = False
            assert real_insert(self, tenant, assignment)  # written, then the race is lost after all
            raise TransientConflict()
        return real_insert(self, tenant, assignment)

    monkeypatch.setattr(SqlAssignments, "insert", insert_losing_once)

    def batch(uow: SqlAssignUnitOfWork) -> str:
        routed = world.intake.accept(uow, world.tenant, lead_facts())
        assert routed is not None and routed.assignment is not None
        return routed.assignment.agent_id

    assert world.write(batch) == expected and not lost[0]
    loads = world.read(
        lambda uow: uow.loads.get_many(world.tenant, {a.id: (world.clock.now(),) * 2 for a in agents})
    )
    assert {a: load.held for a, load in loads.items()} == {a.id: int(a.id == expected) for a in agents}
