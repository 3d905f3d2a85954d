"""Telephony's copy of leads from consumer batches, on the real store (SQLite, and PostgreSQL in that tier): a batch
of lead.accepted or lead.assigned events gives the records one event at a time would, in a few statements for the
whole batch (``PartyHandlers.on_leads_accepted`` / ``on_leads_assigned``, the consumers' batch handlers)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from services.telephony.domain.commands import LeadAccepted, LeadAssigned
from tests.telephony.helpers import World, unique


def _statements(world: World) -> list[str]:
    seen: list[str] = []
    event.listen(
        world.transactions.database.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: seen.append(statement.split()[0].upper()),
    )
    return seen


def _accepted(world: World, lead_id: str, phone: str, tenant: str | None = None) -> LeadAccepted:
    return LeadAccepted(
        tenant or world.tenant, lead_id, "acct-1", phone, "广东省", "深圳市", world.clock.now()
    )


def test_a_batch_of_accepted_leads_is_three_statements_and_keeps_erasures_and_holders(world: World) -> None:
    erased, held, plain = unique("lead"), unique("lead"), unique("lead")
    other_tenant = unique("tenant")
    world.transactions.write_now(lambda uow: uow.erased.mark(world.tenant, erased, world.clock.now()))
    agent = world.agent()
    world.assign(held, agent)  # assigned before telephony saw it accepted
    statements = _statements(world)
    batch = [
        _accepted(world, erased, "+8613800000001"),
        _accepted(world, held, "+8613800000002"),
        _accepted(world, plain, "+8613800000003"),
        _accepted(
            world, plain, "+8613800000003", tenant=other_tenant
        ),  # another tenant's lead of the same id
    ]
    world.transactions.write_now(lambda uow: world.handlers.parties.on_leads_accepted(uow, batch))
    # Per tenant: erased ids, current records, one upsert executed for all.
    data = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE")]
    assert data == ["SELECT", "SELECT", "INSERT"] * 2

    def look(uow, tenant, lead_id):  # type: ignore[no-untyped-def]
        return uow.leads.get(tenant, lead_id)

    assert world.transactions.read_now(lambda uow: look(uow, world.tenant, erased)) is None
    kept = world.transactions.read_now(lambda uow: look(uow, world.tenant, held))
    assert (kept.phone, kept.holder_agent_id, kept.time_zone) == ("+8613800000002", agent, "Asia/Shanghai")
    assert world.transactions.read_now(lambda uow: look(uow, world.tenant, plain)).phone == "+8613800000003"
    assert world.transactions.read_now(lambda uow: look(uow, other_tenant, plain)).account_id == "acct-1"


def test_a_batch_of_assignments_keeps_the_newest_by_its_own_time_whatever_the_order(world: World) -> None:
    lead = world.lead()
    first, second = world.agent(), world.agent()
    now = world.clock.now()
    batch = [  # the newer assignment delivered first, then the older one
        LeadAssigned(world.tenant, lead, "acct-1", second, now + timedelta(minutes=5)),
        LeadAssigned(world.tenant, lead, "acct-1", first, now + timedelta(minutes=1)),
        LeadAssigned(world.tenant, unique("lead"), "acct-1", first, now),  # not accepted yet: remembered
    ]
    statements = _statements(world)
    world.transactions.write_now(lambda uow: world.handlers.parties.on_leads_assigned(uow, batch))
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE")] == ["SELECT", "INSERT"]
    stored = world.transactions.read_now(lambda uow: uow.leads.get(world.tenant, lead))
    assert (stored.holder_agent_id, stored.holder_time) == (second, now + timedelta(minutes=5))
    early = world.transactions.read_now(lambda uow: uow.leads.get(world.tenant, batch[2].lead_id))
    assert (early.holder_agent_id, early.phone) == (first, "")
