"""Every scenario of the simulated carrier, in both provider profiles, classifies to its own outcome through the real
mapping tables and merge: the simulator reports codes the way the providers document them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.clock import FakeClock
from services.telephony.adapters.carriers.scenarios import SCENARIOS, Scenario
from services.telephony.adapters.carriers.simulated import SimulatedCall, SimulatedCarrier
from services.telephony.domain.call import merge

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("profile", ["huawei", "aliyun"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.outcome.name for s in SCENARIOS])
def test_each_scenario_classifies_to_its_outcome(scenario: Scenario, profile: str) -> None:
    simulator = SimulatedCarrier(FakeClock(START), seed=1)
    ring = START.replace(second=5) if scenario.rings else None
    answer = START.replace(second=20) if scenario.answered else None
    release = START.replace(minute=2)
    call = SimulatedCall("simc-x", scenario, profile, START, ring, answer, release)
    events = [report.event for _, report in simulator._reports(call, "b")]  # noqa: SLF001
    progress = merge(events)
    assert progress.outcome is scenario.outcome, progress.explanation
    assert merge(reversed(events)) == progress
