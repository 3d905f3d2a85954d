"""A StartCall whose first attempt died between storing its call and confirming the carrier's binding (the chaos
suite found one answered on a binding Aliyun never made): a repeat with the same request id is told to retry while
the first attempt may still be binding, then binds at the carrier itself; a binding is confirmed once, and a second
carrier binding made by a racing repeat is unbound again; a start nobody repeats is given up by its timer. On the
in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.clock import FakeClock
from services.common.errors import FailedPrecondition, Unavailable
from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.domain.ports import BindRequest, CallStarted, CarrierError
from services.telephony.handlers.calls import (
    BIND_IN_FLIGHT,
    START_CHECK,
    START_GIVE_UP,
    give_up_unconfirmed_start,
)
from tests.telephony.fakes import FakeTelephonyUnitOfWork
from tests.telephony.helpers import T0, World, in_memory_world


class ProcessDied(BaseException):
    """What the handler sees of a SIGKILL in the middle of the carrier's request: nothing after it runs."""


class StagedCarrier(SimulatedCarrier):
    """The simulator, whose next bind can die (``die_once``), or run ``before_answer`` before it answers (or is
    refused: ``refuse``); it remembers binds and unbinds."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock, seed=5)
        self.die_once = False
        self.before_answer = lambda: None
        self.refuse = False
        self.bound: list[str] = []
        self.unbound: list[str] = []

    async def bind(self, request: BindRequest) -> str:
        if self.die_once:
            self.die_once = False
            raise ProcessDied
        self.before_answer()
        if self.refuse:
            raise CarrierError(
                self.name, "isv.BUSINESS_LIMIT_CONTROL", "refused by the test", retryable=False
            )
        provider_id = await super().bind(request)
        self.bound.append(provider_id)
        return provider_id

    async def unbind(self, provider_binding_id: str, masked_number: str) -> None:
        self.unbound.append(provider_binding_id)


@pytest.fixture
def world() -> World:
    world = in_memory_world(StagedCarrier)
    world.numbers(("+8617100000601", "广东省", "深圳市"))
    return world


def _uow(world: World) -> FakeTelephonyUnitOfWork:
    return world.transactions.uow


def _carrier(world: World) -> StagedCarrier:
    assert isinstance(world.carrier, StagedCarrier)
    return world.carrier


def _died_while_binding(world: World, lead: str, request_id: str) -> str:
    """The first attempt: the call stored, the process gone during the carrier's bind. Returns the call id."""
    before = set(_uow(world).calls.rows)
    _carrier(world).die_once = True
    with pytest.raises(ProcessDied):
        world.start(lead, request_id=request_id)
    (call_id,) = [call_id for (_, call_id) in set(_uow(world).calls.rows) - before]
    return call_id


def test_a_repeat_after_the_first_attempt_died_binds_at_the_carrier_and_answers_with_the_stored_call(
    world: World,
) -> None:
    lead = world.lead(holder=world.agent())
    call_id = _died_while_binding(world, lead, "r-died")
    assert _carrier(world).bound == [] and _uow(world).events.recorded == []

    # Right away: the first attempt could still be binding. Nothing changes.
    with pytest.raises(Unavailable) as starting:
        world.start(lead, request_id="r-died")
    assert starting.value.reason == "CALL_STARTING"
    world.clock.advance(BIND_IN_FLIGHT - timedelta(seconds=1))
    with pytest.raises(Unavailable):
        world.start(lead, request_id="r-died")
    assert _carrier(world).bound == []

    world.clock.advance(timedelta(seconds=1))
    repeated = world.start(lead, request_id="r-died")
    assert repeated.call.call_id == call_id
    assert repeated.binding.provider_binding_id == _carrier(world).bound[0]
    assert [type(e) for e in _uow(world).events.recorded] == [CallStarted]

    # Later repeats are plain replays: no second bind, no second call.started.
    again = world.start(lead, request_id="r-died")
    assert again.replayed and again.call.call_id == call_id
    assert len(_carrier(world).bound) == 1 and len(_uow(world).events.recorded) == 1
    assert len(_uow(world).calls.rows) == 1


def test_a_binding_confirmed_by_a_racing_repeat_first_is_unbound_again(world: World) -> None:
    lead = world.lead(holder=world.agent())
    call_id = _died_while_binding(world, lead, "r-race")
    world.clock.advance(BIND_IN_FLIGHT)
    binding_id = next(iter(_uow(world).bindings.rows))[1]

    def a_racing_repeat_confirms_first() -> None:
        _carrier(world).before_answer = lambda: None
        assert world.transactions.write_now(
            lambda uow: uow.bindings.set_provider_id(world.tenant, binding_id, "theirs")
        )

    _carrier(world).before_answer = a_racing_repeat_confirms_first
    answered = world.start(lead, request_id="r-race")
    ours = _carrier(world).bound[0]
    assert answered.call.call_id == call_id
    assert answered.binding.provider_binding_id == "theirs"  # the binding as it stands
    assert _carrier(world).unbound == [ours]
    assert _uow(world).events.recorded == []  # the racing repeat records call.started with its confirmation


def test_a_repeat_refused_by_the_carrier_leaves_a_binding_a_racing_repeat_confirmed(world: World) -> None:
    lead = world.lead(holder=world.agent())
    call_id = _died_while_binding(world, lead, "r-refused")
    world.clock.advance(BIND_IN_FLIGHT)
    binding_id = next(iter(_uow(world).bindings.rows))[1]
    carrier = _carrier(world)
    carrier.refuse = True
    carrier.before_answer = lambda: world.transactions.write_now(
        lambda uow: uow.bindings.set_provider_id(world.tenant, binding_id, "theirs")
    )
    with pytest.raises(FailedPrecondition):
        world.start(lead, request_id="r-refused")
    # The call and its binding stand (the racing repeat answered with them): the refusal undid nothing.
    assert [c for (_, c) in _uow(world).calls.rows] == [call_id]
    assert _uow(world).bindings.rows[(world.tenant, binding_id)][0].provider_binding_id == "theirs"
    carrier.refuse, carrier.before_answer = False, lambda: None
    assert world.start(lead, request_id="r-refused").call.call_id == call_id


def test_a_refused_repeat_of_a_binding_nobody_confirmed_undoes_the_call(world: World) -> None:
    # The same refusal when nobody confirmed the binding: the call and binding are undone, and a retry with the
    # request id starts afresh (step 6), now binding at once.
    lead = world.lead(holder=world.agent())
    _died_while_binding(world, lead, "r-undone")
    world.clock.advance(BIND_IN_FLIGHT)
    _carrier(world).refuse = True
    with pytest.raises(FailedPrecondition):
        world.start(lead, request_id="r-undone")
    assert _uow(world).calls.rows == {} and _uow(world).bindings.rows == {}
    _carrier(world).refuse = False
    fresh = world.start(lead, request_id="r-undone")
    assert not fresh.replayed and fresh.binding.provider_binding_id == _carrier(world).bound[0]


def _fire_start_check(world: World, call_id: str) -> None:
    # Claimed (the row deleted) before its handler runs, as the timer worker does.
    timer = _uow(world).timers.rows.pop((START_CHECK, f"{world.tenant}/{call_id}"))
    assert timer.due_time == T0 + START_GIVE_UP
    world.transactions.write_now(lambda uow: give_up_unconfirmed_start(uow, timer))


def test_a_start_nobody_repeated_is_given_up_and_a_later_repeat_starts_afresh(world: World) -> None:
    lead = world.lead(holder=world.agent())
    call_id = _died_while_binding(world, lead, "r-gone")
    world.clock.advance(START_GIVE_UP)
    _fire_start_check(world, call_id)
    # Removed with its binding, never announced; nothing of it holds X any more.
    assert _uow(world).calls.rows == {} and _uow(world).bindings.rows == {}
    assert _uow(world).events.recorded == [] and _uow(world).timers.rows == {}
    fresh = world.start(lead, request_id="r-gone")
    assert fresh.call.call_id != call_id and not fresh.replayed
    assert fresh.binding.provider_binding_id == _carrier(world).bound[0]
    assert [type(e) for e in _uow(world).events.recorded] == [CallStarted]


def test_a_confirmed_start_leaves_no_check_behind_and_a_check_of_a_call_with_events_changes_nothing(
    world: World,
) -> None:
    lead = world.lead(holder=world.agent())
    started = world.start(lead, request_id="r-fine")
    assert not [key for key in _uow(world).timers.rows if key[0] == START_CHECK]
    other = world.lead(holder=world.agent())
    call_id = _died_while_binding(world, other, "r-ended")
    world.end(call_id)  # the agent hung up in leadflow: the call has an event
    world.clock.advance(START_GIVE_UP)
    _fire_start_check(world, call_id)
    assert (world.tenant, call_id) in _uow(world).calls.rows
    assert (world.tenant, started.call.call_id) in _uow(world).calls.rows


def test_a_repeat_binding_while_the_start_is_given_up_unbinds_and_is_told_to_retry(world: World) -> None:
    lead = world.lead(holder=world.agent())
    call_id = _died_while_binding(world, lead, "r-late")
    world.clock.advance(BIND_IN_FLIGHT)
    carrier = _carrier(world)

    def the_check_fires_meanwhile() -> None:
        carrier.before_answer = lambda: None
        world.clock.advance(BIND_IN_FLIGHT)
        _fire_start_check(world, call_id)

    carrier.before_answer = the_check_fires_meanwhile
    with pytest.raises(Unavailable) as told:
        world.start(lead, request_id="r-late")
    assert told.value.reason == "CALL_STARTING"
    assert carrier.unbound == carrier.bound and len(carrier.bound) == 1
    assert _uow(world).calls.rows == {} and _uow(world).events.recorded == []
    again = world.start(lead, request_id="r-late")
    assert again.call.call_id != call_id and again.binding.provider_binding_id == carrier.bound[-1]
