"""lead.erased on telephony's real store (SQLite and PostgreSQL): the scenario of tests/telephony/erasure_scenario.py
with the carrier's unbinding, then no row of the tenant holds the lead's number in any form, and the schema's
pending-unbind marker works through SQL (a binding confirmed after its release is marked)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.sealing import Sealer
from services.telephony.adapters.db.tables import bindings, messaging, metadata
from services.telephony.adapters.db.uow import SqlTelephonyUnitOfWork
from services.telephony.converters.events import EventEncoder
from tests.common.personal_data import mobile_forms, rows_holding
from tests.telephony.conftest import TEST_KEYS
from tests.telephony.erasure_scenario import PHONE, UnbindingCarrier, erase_a_called_lead, start_command
from tests.telephony.helpers import T0, World, build, unique


@pytest.fixture
def world(telephony_database: Database) -> World:
    clock = FakeClock(T0)
    transactions = SqlTransactions(
        telephony_database, SqlTelephonyUnitOfWork, messaging, EventEncoder(Sealer(TEST_KEYS)), attempts=30
    )
    carrier = UnbindingCarrier(clock, seed=7)
    return World(
        build(transactions, clock, {"simulated": carrier}), transactions, clock, carrier, unique("tenant")
    )


def test_erasing_a_called_lead_on_the_store(world: World, telephony_database: Database) -> None:
    values = [*mobile_forms(PHONE[3:]), "139 0000 0001", "records.example.com"]

    def held() -> list[tuple[str, str]]:
        return rows_holding(telephony_database, metadata, values, tenant=world.tenant)

    def positive_control() -> None:
        found = held()
        assert ("telephony_leads", "phone") in found and ("telephony_calls", "events") in found
        assert ("telephony_dead_numbers", "phone") in found

    erase_a_called_lead(world, positive_control)
    assert held() == []


def test_a_binding_confirmed_after_its_release_is_unbound(world: World) -> None:
    world.numbers(("+8617100000999", "广东省", "深圳市"))
    lead_id = world.lead(phone="+8613900000003", holder=world.agent())
    started = world.run(world.handlers.calls.start_call(*start_command(world, lead_id)))
    tenant, binding = world.tenant, started.binding
    world.transactions.write_now(
        lambda uow: uow.bindings.release(tenant, binding.binding_id, world.clock.now())
    )
    assert world.run(world.handlers.bindings.unbind_pending()) == 0  # a plain release: the carrier was told
    with world.transactions.database.transaction() as session:  # as if the carrier's id had not arrived yet
        session.execute(
            sa.update(bindings).where(bindings.c.id == binding.binding_id).values(provider_binding_id=None)
        )
    assert world.transactions.write_now(
        lambda uow: uow.bindings.set_provider_id(tenant, binding.binding_id, "late-1")
    )
    assert not world.transactions.write_now(  # a second confirmation changes nothing
        lambda uow: uow.bindings.set_provider_id(tenant, binding.binding_id, "late-2")
    )
    assert world.run(world.handlers.bindings.unbind_pending()) == 1
    assert world.carrier.unbound == ["late-1"]  # type: ignore[attr-defined]
