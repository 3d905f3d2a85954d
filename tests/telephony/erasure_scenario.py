"""lead.erased in telephony, as one scenario for the in-memory fakes (tests/telephony/handlers) and the real store
(tests/telephony/integration): a lead held by an agent is called through a binding the carrier holds, the carrier's
evidence reads the number out and links a recording, and the number is on the dead-number list; the erasure empties
the phone, the dead entry, the evidence texts and the recording link, releases the binding here and has the carrier
unbind it; a later StartCall is LEAD_ERASED and a late lead.accepted brings no phone back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from services.common.auth import Principal
from services.common.errors import FailedPrecondition
from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.domain.call import CallEvent, CallEventType, CallMode, Recording
from services.telephony.domain.commands import CallEventReport, LeadAccepted, StartCallCommand
from services.telephony.domain.evidence import announcement, provider_code
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import DeadEntry
from tests.telephony.helpers import World, admin

PHONE = "+8613900000001"
SPOKEN = "您拨打的电话 139 0000 0001 是空号"


class UnbindingCarrier(SimulatedCarrier):
    """The simulator, remembering what it was asked to unbind."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.unbound: list[str] = []

    async def unbind(self, provider_binding_id: str, masked_number: str) -> None:
        self.unbound.append(provider_binding_id)


def erase_a_called_lead(world: World, before_erasure: Callable[[], None] = lambda: None) -> str:
    """The erased lead's id, after every check of the scenario (``world.carrier`` is an ``UnbindingCarrier``)."""
    tenant = world.tenant
    world.numbers(("+8617100000777", "广东省", "深圳市"))
    agent = world.agent()
    lead_id = world.lead(phone=PHONE, holder=agent)
    started = world.run(world.handlers.calls.start_call(*start_command(world, lead_id)))
    binding = started.binding
    assert binding.provider_binding_id and binding.is_active(world.clock.now())
    spoken = CallEvent(
        "huawei",
        "evt-1",
        CallEventType.FINAL_REPORT,
        world.clock.now() + timedelta(seconds=20),
        evidence=(
            announcement("huawei", SPOKEN, world.clock.now()),
            provider_code("huawei", "stateCode", 1, world.clock.now()),
        ),
        recording=Recording("https://records.example.com/r/1.mp3", None),
    )
    report = CallEventReport(event=spoken, call_id=started.call.call_id)
    world.run(world.handlers.call_events.report(tenant, report))
    world.transactions.write_now(
        lambda uow: uow.dead.add(
            tenant, PHONE, DeadEntry(CallOutcome.EMPTY_NUMBER, started.call.call_id), world.clock.now()
        )
    )
    before_erasure()

    erase = world.handlers.erasure.on_lead_erased
    assert world.transactions.write_now(lambda uow: erase(uow, tenant, lead_id)) is True

    def look(uow):  # type: ignore[no-untyped-def]
        return (
            uow.leads.get(tenant, lead_id),
            uow.dead.get(tenant, PHONE),
            uow.bindings.get(tenant, binding.binding_id),
            uow.calls.get(tenant, started.call.call_id),
            uow.numbers.view(tenant, binding.number_id, world.clock.now().date()),
        )

    lead, dead, released, call, number = world.transactions.read_now(look)
    assert (lead.phone, lead.province, lead.city, lead.time_zone) == ("", "", "", "")
    assert lead.holder_agent_id == agent  # ids stay
    assert dead is None
    assert released.release_time == world.clock.now() and number.active_bindings == 0
    texts = [piece.text for event in call.call.events for piece in event.evidence]
    assert "139 0000 0001" not in " ".join(texts) and any("[erased]" in t for t in texts)
    assert all(event.recording is None for event in call.call.events)
    assert [piece.code for event in call.call.events for piece in event.evidence if piece.code] == ["1"]

    assert world.run(world.handlers.bindings.unbind_pending()) == 1
    assert world.carrier.unbound == [binding.provider_binding_id]  # type: ignore[attr-defined]
    assert world.run(world.handlers.bindings.unbind_pending()) == 0  # settled once

    with pytest.raises(FailedPrecondition) as refused:
        world.run(world.handlers.calls.start_call(*start_command(world, lead_id, "again")))
    assert refused.value.reason == "LEAD_ERASED"
    late = LeadAccepted(tenant, lead_id, "acct-1", PHONE, "广东省", "深圳市", world.clock.now())
    world.transactions.write_now(lambda uow: world.handlers.parties.on_lead_accepted(uow, late))
    assert world.transactions.read_now(lambda uow: uow.leads.get(tenant, lead_id)).phone == ""
    assert world.transactions.write_now(lambda uow: erase(uow, tenant, lead_id)) is False  # a redelivery
    return lead_id


def start_command(world: World, lead_id: str, request: str = "first") -> tuple[Principal, StartCallCommand]:
    return admin(world.tenant), StartCallCommand(lead_id, "", f"{lead_id}-{request}", CallMode.DIRECT_DIAL)
