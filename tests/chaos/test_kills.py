"""Issue 11, faults: the five services and nats-server as separate processes on SQLite files; during a run of
leads through the whole pipeline, a random process is SIGKILLed and started again, at least ten times. Once the
pipeline has drained, nothing acknowledged is lost or duplicated, every lead is assigned once, every event reached
its consumers once in effect, no charge is refunded twice and the ledger balances (``tests.chaos.invariants``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.scenario import run_with_kills, seed, size
from tests.pipeline import PipelineStack

pytestmark = pytest.mark.timeout(3600)


def test_random_kills_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    run = size()
    stack = PipelineStack(tmp_path)
    try:
        stack.start()
        outcome = run_with_kills(stack, run, seed())
    finally:
        stack.stop()
    print("\n" + outcome.report())
    assert sum(outcome.kills.kills.values()) >= min(run.kills, 10)
    assert not outcome.traffic.failed, f"requests failed for good: {dict(outcome.traffic.failed)}"
    assert len(outcome.traffic.acked) == run.leads
    assert outcome.findings.ok, "\n".join(outcome.findings.problems)
    assert (outcome.findings.lost, outcome.findings.duplicated) == (0, 0)
