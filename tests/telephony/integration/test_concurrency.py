"""StartCall under concurrency, on SQLite and PostgreSQL: one request id stores one call (a unique constraint, not a
read-then-write; repeats that come while the first attempt binds at the carrier are told to retry), racing calls of one lead start one call and refuse the others (the lead's row is locked), and
racing calls never put more pairs on a number than its limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from services.common.errors import FailedPrecondition, Unavailable
from services.telephony.adapters.db.tables import calls, numbers
from tests.telephony.helpers import World, unique

THREADS = 8


def _race(function, count: int = THREADS) -> list:  # type: ignore[no-untyped-def]
    def attempt(_: int):  # type: ignore[no-untyped-def]
        try:
            return function()
        except (FailedPrecondition, Unavailable) as error:
            return error

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def test_one_request_id_stores_one_call_however_many_race(world: World) -> None:
    world.numbers(("+8617100000301", "广东省", "深圳市"))
    lead = world.lead(holder=world.agent())
    request_id = unique("same")
    results = _race(lambda: world.start(lead, request_id=request_id))
    answered = [r for r in results if not isinstance(r, Unavailable)]
    # The others came while the first attempt was still binding at the carrier: CALL_STARTING, retry.
    assert all(r.reason == "CALL_STARTING" for r in results if isinstance(r, Unavailable))
    assert len({r.call.call_id for r in answered}) == 1
    assert sum(not r.replayed for r in answered) == 1
    with world.transactions.database.read() as session:
        stored = session.execute(
            sa.select(sa.func.count()).where(calls.c.request_id == request_id)
        ).scalar_one()
        bound = session.execute(
            sa.select(numbers.c.active_bindings).where(numbers.c.tenant_id == world.tenant)
        ).scalar_one()
    assert (stored, bound) == (1, 1)


def test_racing_calls_of_one_lead_start_one_and_refuse_the_rest_naming_it(world: World) -> None:
    world.numbers(("+8617100000311", "广东省", "深圳市"))
    agents = [world.agent(), world.agent()]
    lead = world.lead(holder=agents[0])
    turns = iter(range(THREADS))
    results = _race(lambda: world.start(lead, agent_id=agents[next(turns) % 2]))
    started = [r for r in results if not isinstance(r, FailedPrecondition)]
    refused = [r for r in results if isinstance(r, FailedPrecondition)]
    assert len(started) == 1 and started[0].call.attempt_number == 1
    assert {(r.reason, r.metadata["call_id"]) for r in refused} == {
        ("CALL_IN_PROGRESS", started[0].call.call_id)
    }
    with world.transactions.database.read() as session:
        stored = session.execute(sa.select(sa.func.count()).where(calls.c.lead_id == lead)).scalar_one()
    assert stored == 1


def test_calls_of_one_lead_ended_in_turn_get_successive_attempt_numbers(world: World) -> None:
    world.numbers(("+8617100000312", "广东省", "深圳市"))
    lead = world.lead(holder=world.agent())
    attempts = []
    for _ in range(4):
        started = world.start(lead)
        attempts.append(started.call.attempt_number)
        world.end(started.call.call_id)
    assert attempts == [1, 2, 3, 4]


def test_racing_calls_never_exceed_a_numbers_binding_limit(world: World) -> None:
    world.numbers(("+8617100000321", "广东省", "深圳市"), ("+8617100000322", "广东省", "深圳市"), bindings=2)
    agent = world.agent()
    leads = [world.lead(holder=agent) for _ in range(THREADS)]
    queue = iter(leads)
    results = _race(lambda: world.start(next(queue)))
    started = [r for r in results if not isinstance(r, FailedPrecondition)]
    refused = [r for r in results if isinstance(r, FailedPrecondition)]
    assert len(started) == 4 and all(r.reason == "NO_NUMBER_AVAILABLE" for r in refused)
    per_number: dict[str, int] = {}
    for r in started:
        per_number[r.call.number_id] = per_number.get(r.call.number_id, 0) + 1
    assert sorted(per_number.values()) == [2, 2]
