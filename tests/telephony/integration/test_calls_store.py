"""StartCall, carrier events and the pool on the real store (SQLite, and PostgreSQL in that tier): X selection by
region and limits, callable hours in the lead's time zone on the injectable clock, dead numbers, binding reuse,
release and expiry, quarantine, and the events recorded in the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.common.errors import FailedPrecondition, NotFound, PermissionDenied
from services.common.timers import Timer
from services.telephony.adapters.db.tables import calls, messaging
from services.telephony.domain.call import CALL_PRESUMED_OVER, CallState
from services.telephony.domain.numbers import NumberStatus
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import NumberFilter
from services.telephony.domain.tenant_settings import SettingsPatch
from services.telephony.handlers.calls import BINDING_EXPIRY
from services.telephony.handlers.completion import REST_END
from tests.telephony.helpers import World, admin, agent_principal, final_report, report_to, unique


def _outbox(world: World, subject: str) -> list[bytes]:
    o = messaging.outbox
    with world.transactions.database.read() as session:
        return [
            bytes(p)
            for p in session.execute(
                sa.select(o.c.payload).where(o.c.subject == subject).order_by(o.c.id)
            ).scalars()
        ]


def _completed(world: World, call_id: str) -> list:
    from leadflow.telephony.v1 import events_pb2

    events = [events_pb2.CallCompleted.FromString(p) for p in _outbox(world, "leadflow.call.v1.completed")]
    return [e for e in events if e.call_id == call_id]


def test_start_call_binds_a_number_of_the_leads_city_and_the_simulated_events_settle_the_outcome(
    world: World,
) -> None:
    _far, near = world.numbers(("+8617100000001", "北京市", "北京市"), ("+8617100000002", "广东省", "深圳市"))
    agent = world.agent()
    lead = world.lead(holder=agent)
    started = world.start(lead)
    assert started.call.number_id == near and started.dial_number == "+8617100000002"
    assert started.binding.provider_binding_id.startswith("simb-")
    assert world.deliver_all() > 0
    view = world.run(world.handlers.calls.get_call(admin(world.tenant), started.call.call_id))
    simulated = world.carrier.placed[-1]
    assert view.call.progress.state is CallState.ENDED
    assert view.call.progress.outcome is simulated.scenario.outcome
    assert view.call.completion_revision >= 1
    completed = _completed(world, started.call.call_id)
    assert len(completed) == view.call.completion_revision
    assert completed[-1].outcome == int(simulated.scenario.outcome)
    assert [e.outcome_revision for e in completed] == list(range(1, len(completed) + 1))


def test_selection_prefers_city_then_province_then_any_and_least_recently_bound(world: World) -> None:
    other, province, city_a, city_b = world.numbers(
        ("+8617100000011", "北京市", "北京市"),
        ("+8617100000012", "广东省", "广州市"),
        ("+8617100000013", "广东省", "深圳市"),
        ("+8617100000014", "广东省", "深圳市"),
    )
    agent = world.agent()
    chosen = []
    for _ in range(2):
        chosen.append(world.start(world.lead(holder=agent)).call.number_id)
        world.clock.advance(timedelta(seconds=1))
    assert sorted(chosen) == sorted([city_a, city_b])  # the second call takes the least recently bound
    assert world.start(world.lead(holder=agent, province="广东省", city="珠海市")).call.number_id == province
    assert world.start(world.lead(holder=agent, province="上海市", city="上海市")).call.number_id in (
        other,
        province,
        city_a,
        city_b,
    )


def test_limits_stop_a_number_and_the_refusal_names_the_limit(world: World) -> None:
    (only,) = world.numbers(("+8617100000021", "广东省", "深圳市"), bindings=1)
    agent = world.agent()
    first = world.start(world.lead(holder=agent))
    assert first.call.number_id == only
    with pytest.raises(FailedPrecondition) as refused:
        world.start(world.lead(holder=agent))
    assert refused.value.reason == "NO_NUMBER_AVAILABLE"
    assert refused.value.metadata["limit"] == "max_concurrent_bindings"
    # Released, the place is free again.
    world.run(world.handlers.bindings.release(admin(world.tenant), first.binding.binding_id))
    assert world.start(world.lead(holder=agent)).call.number_id == only


def test_daily_limit_counts_calls_and_restarts_the_next_day(world: World) -> None:
    world.numbers(("+8617100000031", "广东省", "深圳市"), daily=2)
    agent = world.agent()
    lead = world.lead(holder=agent)
    world.end(world.start(lead).call.call_id)
    world.start(lead)  # the pair's binding is reused, the call still counts
    with pytest.raises(FailedPrecondition) as refused:
        world.start(world.lead(holder=agent))
    assert refused.value.metadata["limit"] == "max_daily_calls"
    world.clock.advance(timedelta(days=1))
    world.start(world.lead(holder=agent))


def test_callable_hours_are_read_in_the_leads_time_zone(world: World) -> None:
    world.numbers(("+8617100000041", "广东省", "深圳市"))
    agent = world.agent()
    us_lead = world.lead(phone="+14155550123", province="", city="", holder=agent)
    cn_lead = world.lead(holder=agent)
    world.clock.set(world.clock.now().replace(hour=6))  # 06:00 UTC: 22:00 in San Francisco, 14:00 in Beijing
    with pytest.raises(FailedPrecondition) as refused:
        world.start(us_lead)
    assert refused.value.reason == "OUTSIDE_CALLABLE_HOURS"
    assert refused.value.metadata["time_zone"] == "America/Los_Angeles"
    assert refused.value.metadata["next_start_time"].startswith("2026-03-02T16:00")  # 08:00 PST
    world.start(cn_lead)
    world.clock.set(world.clock.now().replace(hour=13, minute=30))  # 21:30 in Beijing, 05:30 in San Francisco
    with pytest.raises(FailedPrecondition):
        world.start(cn_lead)
    patch = SettingsPatch(
        mask=("callable_hours",),
        callable_hours=__import__(
            "services.telephony.domain.callable_hours", fromlist=["DailyWindow"]
        ).DailyWindow.of("05:00", "22:00"),
    )
    world.run(world.handlers.settings.update(admin(world.tenant), patch))
    world.start(us_lead)
    world.start(cn_lead)


def test_a_dead_number_refuses_later_calls_to_any_lead_with_that_phone(world: World) -> None:
    world.numbers(("+8617100000051", "广东省", "深圳市"))
    agent = world.agent()
    phone = "+8613900001111"
    first = world.start(world.lead(phone=phone, holder=agent))
    report = report_to(first.call.call_id, final_report("bill-1", first.call.start_time, 8100, rang=False))
    result = world.run(world.handlers.call_events.report(world.tenant, report))
    assert (
        result.call.progress.outcome is CallOutcome.EMPTY_NUMBER
        and result.announced is CallOutcome.EMPTY_NUMBER
    )
    with pytest.raises(FailedPrecondition) as refused:
        world.start(world.lead(phone=phone, holder=agent))
    assert refused.value.reason == "DEAD_NUMBER" and refused.value.metadata["call_id"] == first.call.call_id


def test_an_agent_calls_only_the_leads_they_hold(world: World) -> None:
    from services.telephony.domain.call import CallMode
    from services.telephony.domain.commands import StartCallCommand

    world.numbers(("+8617100000061", "广东省", "深圳市"))
    alice = world.agent(user="alice")
    bob = world.agent(user="bob")
    lead = world.lead(holder=alice)
    command = StartCallCommand(lead, "", unique("req"), CallMode.DIRECT_DIAL)
    with pytest.raises(PermissionDenied) as refused:
        world.run(world.handlers.calls.start_call(agent_principal(world.tenant, "bob"), command))
    assert refused.value.reason == "NOT_LEAD_HOLDER"
    started = world.run(world.handlers.calls.start_call(agent_principal(world.tenant, "alice"), command))
    assert started.call.agent_id == alice
    # Bob cannot see Alice's call; a reassignment (newer) makes Bob the holder, a late older one changes nothing.
    with pytest.raises(NotFound):
        world.run(world.handlers.calls.get_call(agent_principal(world.tenant, "bob"), started.call.call_id))
    world.assign(lead, bob, at=world.clock.now() + timedelta(minutes=5))
    world.assign(lead, alice, at=world.clock.now() + timedelta(minutes=1))
    again = StartCallCommand(lead, "", unique("req"), CallMode.DIRECT_DIAL)
    # Alice's call has not ended: Bob's would ring the lead a second time.
    with pytest.raises(FailedPrecondition) as busy:
        world.run(world.handlers.calls.start_call(agent_principal(world.tenant, "bob"), again))
    assert (busy.value.reason, busy.value.metadata["call_id"]) == ("CALL_IN_PROGRESS", started.call.call_id)
    assert busy.value.metadata["agent_id"] == alice
    world.end(started.call.call_id)
    assert (
        world.run(world.handlers.calls.start_call(agent_principal(world.tenant, "bob"), again)).call.agent_id
        == bob
    )


def _calls_of(world: World, lead_id: str) -> int:
    with world.transactions.database.read() as session:
        return int(session.execute(sa.select(sa.func.count()).where(calls.c.lead_id == lead_id)).scalar_one())


def _active_bindings(world: World, number_id: str) -> int:
    page = world.run(world.handlers.numbers.list_numbers(admin(world.tenant), NumberFilter(), 0, ""))
    return next(v.active_bindings for v in page.items if v.number.number_id == number_id)


def test_a_lead_with_a_call_in_progress_is_not_called_again_until_it_ends(world: World) -> None:
    (number,) = world.numbers(("+8617100000066", "广东省", "深圳市"))
    alice, bob = world.agent(), world.agent()
    lead = world.lead(holder=alice)
    first = world.start(lead)
    for agent in (alice, bob):  # whoever calls: the lead's phone would ring twice
        with pytest.raises(FailedPrecondition) as busy:
            world.start(lead, agent_id=agent)
        assert busy.value.reason == "CALL_IN_PROGRESS"
        assert busy.value.metadata == {
            "call_id": first.call.call_id,
            "agent_id": alice,
            "start_time": first.call.start_time.isoformat(),
        }
    # A refusal changes nothing: no call stored, no binding made for Bob's pair.
    assert (_calls_of(world, lead), _active_bindings(world, number)) == (1, 1)
    # The carrier's reports end the call: the next attempt starts.
    assert world.deliver_all() > 0
    second = world.start(lead)
    assert second.call.attempt_number == 2
    # A call whose end is never reported holds the lead for an hour from its start, then no more.
    lost = world.carrier.due(world.clock.now() + timedelta(days=1))  # the carrier's reports of it, never sent
    assert lost
    world.clock.advance(CALL_PRESUMED_OVER - timedelta(seconds=1))
    with pytest.raises(FailedPrecondition) as still:
        world.start(lead)
    assert still.value.metadata["call_id"] == second.call.call_id
    world.clock.advance(timedelta(seconds=1))
    assert world.start(lead).call.attempt_number == 3


def test_binding_is_reused_for_the_pair_and_stops_counting_when_its_timer_fires(world: World) -> None:
    (number,) = world.numbers(("+8617100000071", "广东省", "深圳市"))
    agent = world.agent()
    lead = world.lead(holder=agent)
    first = world.start(lead)
    world.end(first.call.call_id)
    second = world.start(lead)
    assert first.binding.binding_id == second.binding.binding_id
    assert (first.call.attempt_number, second.call.attempt_number) == (1, 2)
    timer = world.transactions.read_now(
        lambda uow: uow.timers.get(BINDING_EXPIRY, f"{world.tenant}/{first.binding.binding_id}")
    )
    assert timer is not None and timer.due_time == first.binding.expire_time
    world.clock.set(timer.due_time)
    world.transactions.write_now(lambda uow: world.handlers.bindings.expire(uow, timer))
    world.transactions.write_now(
        lambda uow: world.handlers.bindings.expire(uow, timer)
    )  # twice gives back once
    page = world.run(world.handlers.numbers.list_numbers(admin(world.tenant), NumberFilter(), 0, ""))
    assert [v.active_bindings for v in page.items if v.number.number_id == number] == [0]
    third = world.start(lead)
    assert third.binding.binding_id != first.binding.binding_id


def test_a_number_whose_answer_rate_collapses_is_quarantined_and_comes_back(world: World) -> None:
    patch = SettingsPatch(mask=("quarantine_window_calls",), quarantine_window_calls=5)
    world.run(world.handlers.settings.update(admin(world.tenant), patch))
    bad, good = world.numbers(("+8617100000081", "广东省", "深圳市"), ("+8617100000082", "北京市", "北京市"))
    agent = world.agent()
    for index in range(12):
        started = world.start(world.lead(holder=agent, province="北京市", city="北京市"))
        assert started.call.number_id == good
        event = final_report(f"good-{index}", started.call.start_time, 0, answered=index % 2 == 0)
        world.run(world.handlers.call_events.report(world.tenant, report_to(started.call.call_id, event)))
    for index in range(5):
        started = world.start(world.lead(holder=agent))
        assert started.call.number_id == bad
        event = final_report(f"bad-{index}", started.call.start_time, 8101)
        world.run(world.handlers.call_events.report(world.tenant, report_to(started.call.call_id, event)))
    views = world.run(
        world.handlers.numbers.list_numbers(
            admin(world.tenant), NumberFilter(status=NumberStatus.QUARANTINED), 0, ""
        )
    ).items
    assert [v.number.number_id for v in views] == [bad]
    assert views[0].number.status_reason.startswith("answer rate 0% over the last 5 calls")
    assert world.start(world.lead(holder=agent)).call.number_id == good  # the lead's city, but quarantined
    timer = world.transactions.read_now(lambda uow: uow.timers.get(REST_END, f"{world.tenant}/{bad}"))
    assert isinstance(timer, Timer) and timer.due_time == world.clock.now() + timedelta(days=7)
    world.clock.set(timer.due_time)
    world.transactions.write_now(lambda uow: world.handlers.numbers.end_rest(uow, timer))
    active = world.run(
        world.handlers.numbers.list_numbers(
            admin(world.tenant), NumberFilter(status=NumberStatus.ACTIVE), 0, ""
        )
    ).items
    assert bad in [v.number.number_id for v in active]


def test_retire_releases_the_numbers_bindings(world: World) -> None:
    (number,) = world.numbers(("+8617100000091", "广东省", "深圳市"))
    agent = world.agent()
    started = world.start(world.lead(holder=agent))
    view = world.run(world.handlers.numbers.retire_number(admin(world.tenant), number, "spam complaints"))
    assert view.number.status is NumberStatus.RETIRED and view.active_bindings == 0
    binding, _ = world.run(world.handlers.bindings.release(admin(world.tenant), started.binding.binding_id))
    assert binding.release_time is not None
    with pytest.raises(FailedPrecondition) as refused:
        world.start(world.lead(holder=agent))
    assert refused.value.metadata["limit"] == "no_active_number"


def test_another_tenants_ids_are_not_found(world: World) -> None:
    world.numbers(("+8617100000101", "广东省", "深圳市"))
    agent = world.agent()
    started = world.start(world.lead(holder=agent))
    other = admin(unique("other"))
    with pytest.raises(NotFound):
        world.run(world.handlers.calls.get_call(other, started.call.call_id))
    with pytest.raises(NotFound):
        world.run(world.handlers.bindings.release(other, started.binding.binding_id))
    with pytest.raises(NotFound):
        world.run(
            world.handlers.call_events.report(
                other.tenant_id,
                report_to(started.call.call_id, final_report("x", started.call.start_time, 0)),
            )
        )
