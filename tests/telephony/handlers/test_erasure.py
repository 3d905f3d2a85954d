"""lead.erased on telephony's in-memory fakes: the scenario of tests/telephony/erasure_scenario.py, and a binding
whose carrier id arrives after its lead was erased is unbound too."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.telephony.erasure_scenario import UnbindingCarrier, erase_a_called_lead, start_command
from tests.telephony.fakes import FakeTelephonyUnitOfWork
from tests.telephony.helpers import World, in_memory_world


@pytest.fixture
def world() -> World:
    return in_memory_world(lambda clock: UnbindingCarrier(clock, seed=3))


def test_erasing_a_called_lead(world: World) -> None:
    lead_id = erase_a_called_lead(world)
    assert world.transactions.uow.erased.contains(world.tenant, lead_id)


def test_a_binding_confirmed_after_the_erasure_is_unbound_at_the_carrier(world: World) -> None:
    uow: FakeTelephonyUnitOfWork = world.transactions.uow
    world.numbers(("+8617100000888", "广东省", "深圳市"))
    agent = world.agent()
    lead_id = world.lead(phone="+8613900000002", holder=agent)
    erase = world.handlers.erasure.on_lead_erased
    started = world.run(world.handlers.calls.start_call(*start_command(world, lead_id)))
    binding_id = started.binding.binding_id
    world.transactions.write_now(lambda uow: erase(uow, world.tenant, lead_id))
    assert (world.tenant, binding_id) in uow.bindings.unbind  # the binding had its carrier id: unbind it
    uow.bindings.unbind.clear()
    # The carrier's id arriving after the release (a StartCall racing the erasure) marks it as well.
    binding, provider, counted = uow.bindings.rows[(world.tenant, binding_id)]
    uow.bindings.rows[(world.tenant, binding_id)] = (
        replace(binding, provider_binding_id=""),
        provider,
        counted,
    )
    assert world.transactions.write_now(
        lambda uow: uow.bindings.set_provider_id(world.tenant, binding_id, "late-id")
    )
    assert (world.tenant, binding_id) in uow.bindings.unbind
