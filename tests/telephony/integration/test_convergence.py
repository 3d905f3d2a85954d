"""Duplicated and out-of-order carrier events converge to one record, through the handler and the store
(SQLite, and PostgreSQL in that tier): hypothesis draws orders and repeats of the simulated carrier's events."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.domain.call import CallEvent
from tests.telephony.helpers import World, admin, report_to
from tests.telephony.integration.test_calls_store import _completed

FAR = timedelta(days=1)


def _events_of_a_simulated_call(world: World, seed: int, at) -> list[CallEvent]:  # type: ignore[no-untyped-def]
    """Every event the simulated carrier reports for one call it draws under ``seed``."""
    carrier = SimulatedCarrier(world.clock, seed)
    carrier.simulate("fuzz", at)
    return [report.event for report in carrier.due(at + FAR)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_and_repetition_of_a_calls_events_gives_the_same_record(
    world: World, data: st.DataObject
) -> None:
    if not world.transactions.read_now(lambda uow: uow.numbers.usage(world.tenant, world.clock.now().date())):
        world.numbers(("+8617100000201", "广东省", "深圳市"))
    agent = world.agent()
    reference = world.start(world.lead(holder=agent))
    shuffled = world.start(world.lead(holder=agent))
    events = _events_of_a_simulated_call(world, data.draw(st.integers(0, 2**32)), reference.call.start_time)
    for event in sorted(events, key=CallEvent.order_key):
        world.run(world.handlers.call_events.report(world.tenant, report_to(reference.call.call_id, event)))
    order = data.draw(st.permutations(events))
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=8))
    arrivals = list(order)
    for repeat in repeats:
        arrivals.insert(data.draw(st.integers(0, len(arrivals))), repeat)
    duplicates = 0
    for event in arrivals:
        result = world.run(
            world.handlers.call_events.report(world.tenant, report_to(shuffled.call.call_id, event))
        )
        duplicates += result.duplicate
    assert duplicates == len(arrivals) - len({e.identity for e in events})

    def read(call_id: str):  # type: ignore[no-untyped-def]
        return world.run(world.handlers.calls.get_call(admin(world.tenant), call_id)).call

    expected, got = read(reference.call.call_id), read(shuffled.call.call_id)
    assert got.progress == expected.progress
    assert got.published_outcome is expected.progress.outcome
    announced = _completed(world, shuffled.call.call_id)
    # call.completed once per outcome change, never twice for the same outcome in a row, the last the final one.
    assert len(announced) == got.completion_revision >= 1
    assert announced[-1].outcome == int(expected.progress.outcome)
    assert all(a.outcome != b.outcome for a, b in zip(announced, announced[1:], strict=False))
