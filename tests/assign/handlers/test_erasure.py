"""lead.erased on the in-memory fakes (the scenario in tests/assign/erasure_scenario.py), and erasing a pooled or an
unknown lead."""

from __future__ import annotations

from tests.assign.erasure_scenario import erase_a_held_lead
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, lead_facts


def test_erasing_a_held_lead(world: World, uow: FakeAssignUnitOfWork) -> None:
    lead_id, _ = erase_a_held_lead(world)
    assert uow.erased.contains("t1", lead_id)


def test_erasing_a_pooled_lead_takes_it_out_of_the_pool(world: World, uow: FakeAssignUnitOfWork) -> None:
    facts = lead_facts()
    pooled = world.accept(facts)  # no policy, no agent: the pool
    assert pooled and pooled.entry and uow.pool.get("t1", facts.lead_id) is not None
    assert world.erase(facts.lead_id)
    assert uow.pool.get("t1", facts.lead_id) is None


def test_erased_before_its_lead_accepted_is_never_routed(world: World, uow: FakeAssignUnitOfWork) -> None:
    facts = lead_facts()
    assert world.erase(facts.lead_id)  # lead.erased handled first (independent consumers)
    assert world.accept(facts) is None
    assert uow.leads.get("t1", facts.lead_id) is None and uow.pool.get("t1", facts.lead_id) is None
