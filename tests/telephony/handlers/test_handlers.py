"""The telephony use cases on in-memory fakes (``tests/telephony/fakes.py``): refusals change nothing, idempotency,
repeats and corrections of carrier events, agents' versions, settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.telephony.domain.call import CallMode
from services.telephony.domain.commands import AgentChanged, NewNumber, StartCallCommand
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import CallCompleted, CallStarted
from services.telephony.domain.tenant_settings import SettingsPatch
from tests.telephony.fakes import FakeTelephonyUnitOfWork
from tests.telephony.helpers import World, admin, final_report, in_memory_world, report_to


@pytest.fixture
def world() -> World:
    world = in_memory_world()
    world.numbers(("+8617100000501", "广东省", "深圳市"))
    return world


def _uow(world: World) -> FakeTelephonyUnitOfWork:
    return world.transactions.uow


def test_bad_start_call_names_every_field_and_changes_nothing(world: World) -> None:
    before = len(_uow(world).calls.rows)
    with pytest.raises(InvalidArgument) as bad:
        world.run(
            world.handlers.calls.start_call(admin(world.tenant), StartCallCommand("", "a\x00", "r" * 65, 9))
        )  # type: ignore[arg-type]
    assert {v.field for v in bad.value.violations} == {"lead_id", "agent_id", "request_id", "mode"}
    assert len(_uow(world).calls.rows) == before and _uow(world).events.recorded == []


def test_unknown_lead_is_not_found_and_a_lead_without_phone_or_agent_is_named(world: World) -> None:
    with pytest.raises(NotFound):
        world.start("no-such-lead")
    agent = world.agent()
    lead = world.lead(phone="", holder=agent)
    with pytest.raises(FailedPrecondition) as no_phone:
        world.start(lead)
    assert no_phone.value.reason == "LEAD_PHONE_UNKNOWN"
    held = world.lead(holder=agent)
    world.transactions.write_now(
        lambda uow: world.handlers.parties.on_agent_changed(
            uow, AgentChanged(world.tenant, agent, "", "", 3, True)
        )
    )
    world.transactions.write_now(  # a late, older version cannot bring the deleted agent back
        lambda uow: world.handlers.parties.on_agent_changed(
            uow, AgentChanged(world.tenant, agent, "u", "+8613800000000", 2, False)
        )
    )
    with pytest.raises(FailedPrecondition) as gone:
        world.start(held)
    assert gone.value.reason == "AGENT_PHONE_UNKNOWN"


def test_a_request_id_answers_its_call_and_refuses_another_request(world: World) -> None:
    agent = world.agent()
    lead, other = world.lead(holder=agent), world.lead(holder=agent)
    first = world.start(lead, request_id="same")
    again = world.start(lead, request_id="same")
    assert again.call.call_id == first.call.call_id and again.replayed and not first.replayed
    with pytest.raises(FailedPrecondition) as reused:
        world.start(other, request_id="same")
    assert reused.value.reason == "REQUEST_ID_REUSED"
    assert [type(e) for e in _uow(world).events.recorded] == [CallStarted]


def test_add_numbers_is_idempotent_on_request_id(world: World) -> None:
    numbers = [NewNumber("+8617100000502", "", "", "", 0, 0)]
    first = world.run(world.handlers.numbers.add_numbers(admin(world.tenant), numbers, "add-1"))
    again = world.run(world.handlers.numbers.add_numbers(admin(world.tenant), numbers, "add-1"))
    assert [v.number.number_id for v in again] == [v.number.number_id for v in first]
    with pytest.raises(FailedPrecondition) as reused:
        world.run(
            world.handlers.numbers.add_numbers(
                admin(world.tenant), [NewNumber("+8617100000503", "", "", "", 0, 0)], "add-1"
            )
        )
    assert reused.value.reason == "REQUEST_ID_REUSED"


def test_repeats_change_nothing_and_only_a_changed_outcome_is_announced_again(world: World) -> None:
    started = world.start(world.lead(holder=world.agent()))
    call_id, at = started.call.call_id, started.call.start_time
    first = world.run(
        world.handlers.call_events.report(world.tenant, report_to(call_id, final_report("bill", at, 8101)))
    )
    assert first.announced is CallOutcome.NO_ANSWER and not first.duplicate
    repeat = world.run(
        world.handlers.call_events.report(world.tenant, report_to(call_id, final_report("bill", at, 8101)))
    )
    assert repeat.duplicate and repeat.announced is None
    same = world.clock.now() + timedelta(minutes=5)
    world.clock.set(same)
    corrected = final_report("bill-2", at + timedelta(seconds=1), 8104)  # a later bill: switched off
    result = world.run(world.handlers.call_events.report(world.tenant, report_to(call_id, corrected)))
    assert result.announced is CallOutcome.POWERED_OFF
    completed = [e for e in _uow(world).events.recorded if isinstance(e, CallCompleted)]
    assert [(e.call.progress.outcome, e.revision) for e in completed] == [
        (CallOutcome.NO_ANSWER, 1),
        (CallOutcome.POWERED_OFF, 2),
    ]


def test_invalid_settings_change_nothing(world: World) -> None:
    patch = SettingsPatch(
        mask=("binding_ttl", "max_daily_calls"), binding_ttl=timedelta(days=400), max_daily_calls=-1
    )
    with pytest.raises(InvalidArgument) as bad:
        world.run(world.handlers.settings.update(admin(world.tenant), patch))
    assert {v.field for v in bad.value.violations} == {"settings.binding_ttl", "settings.max_daily_calls"}
    assert _uow(world).settings.rows == {}
    ok = SettingsPatch(mask=("binding_ttl",), binding_ttl=timedelta(hours=1))
    world.run(world.handlers.settings.update(admin(world.tenant), ok))
    started = world.start(world.lead(holder=world.agent()), mode=CallMode.CALLBACK)
    assert started.binding.expire_time - started.binding.create_time == timedelta(hours=1)
    assert started.dial_number == ""  # CALLBACK: the carrier places both legs
