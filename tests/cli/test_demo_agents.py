"""How a demo agent answers StartCall's refusals (``Agents._refused``), on a timeline of its own: a lead whose other
call has not ended is tried again once the carrier has had time to report it, a bounded number of times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from services.cli.demo.agents import (
    CALL_STARTING_WAIT,
    CARRIER_REPORT_WAIT,
    REVIEW_TRIES,
    TELEPHONY_CATCH_UP_TRIES,
    Agents,
    LeadWork,
)
from services.cli.demo.tally import Tally
from services.cli.demo.timeline import Timeline
from services.telephony.handlers.calls import BIND_IN_FLIGHT

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


class _Clock:
    def now(self) -> datetime:
        return T0


def _agents(*, accelerated: bool) -> tuple[Agents, Tally, list[tuple[datetime, Any]]]:
    scheduled: list[tuple[datetime, Any]] = []
    tally = Tally()
    # Real time compresses half an hour of the day into under a second; accelerated time keeps it.
    timeline = Timeline(_Clock(), T0, accelerated=accelerated, compression=1.0 if accelerated else 2000.0)  # type: ignore[arg-type]
    agents = Agents(
        None,  # type: ignore[arg-type]  # no call reaches a service here
        None,  # type: ignore[arg-type]
        tally,
        timeline,
        lambda at, action: scheduled.append((at, action)),
        seed=1,
        submit_times={},
    )
    return agents, tally, scheduled


def _work() -> LeadWork:
    return LeadWork("lead-1", "agent-a", 0, T0, random.Random(1))


def test_a_call_in_progress_is_tried_again_after_the_carrier_report_wait_in_real_time() -> None:
    agents, tally, scheduled = _agents(accelerated=False)
    work = _work()
    agents._refused(work, "CALL_IN_PROGRESS")
    assert not work.done and tally.call_refusals["CALL_IN_PROGRESS"] == 1
    assert [at for at, _ in scheduled] == [T0 + CARRIER_REPORT_WAIT]


def test_a_call_in_progress_is_tried_again_half_an_hour_later_in_accelerated_time() -> None:
    agents, _tally, scheduled = _agents(accelerated=True)
    agents._refused(_work(), "CALL_IN_PROGRESS")
    assert [at for at, _ in scheduled] == [T0 + timedelta(minutes=30)]


def test_the_agent_leaves_a_lead_whose_other_call_never_ends() -> None:
    agents, tally, scheduled = _agents(accelerated=False)
    work = _work()
    for _ in range(REVIEW_TRIES + 1):
        agents._refused(work, "CALL_IN_PROGRESS")
    assert work.done and len(scheduled) == REVIEW_TRIES
    assert tally.call_refusals["CALL_IN_PROGRESS"] == REVIEW_TRIES + 1


def test_a_start_still_binding_after_a_telephony_restart_is_tried_again_with_the_same_attempt() -> None:
    # CALL_STARTING: an earlier attempt of this StartCall is still binding; the agent asks again two minutes on
    # (the same request id: the attempt count stays), not counted as a refusal; in real time never sooner than
    # CALL_STARTING_WAIT, so the tries outlast telephony's 30 s.
    for accelerated, wait in ((True, timedelta(minutes=2)), (False, CALL_STARTING_WAIT)):
        agents, tally, scheduled = _agents(accelerated=accelerated)
        work = _work()
        agents._refused(work, "CALL_STARTING")
        assert not work.done and work.attempts == 0 and work.retries == 1
        assert tally.call_refusals["CALL_STARTING"] == 0
        assert [at for at, _ in scheduled] == [T0 + wait]
    assert TELEPHONY_CATCH_UP_TRIES * CALL_STARTING_WAIT > BIND_IN_FLIGHT
