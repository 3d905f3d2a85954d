"""Issue 11, faults: the five services and nats-server as separate processes on SQLite files; during a run of
leads through the whole pipeline, a random process is SIGKILLed and started again, at least ten times. Some of the
leads are called meanwhile, through the Aliyun carrier (a local Dyplsapi) and its receipts (``tests.chaos.calls``).
Once the pipeline has drained, nothing acknowledged is lost or duplicated, every lead is assigned once, every call
ended as its receipt said and was published once in effect, every event reached its consumers once in effect, no
charge is refunded twice, each empty number's charge is refunded once and the ledger balances
(``tests.chaos.invariants``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.calls import Carrier
from tests.chaos.scenario import calls_problems, run_with_kills, seed, size
from tests.pipeline import PipelineStack

pytestmark = pytest.mark.timeout(3600)


def test_random_kills_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    run = size()
    carrier = Carrier.start()
    stack = PipelineStack(tmp_path, extra_env=carrier.env)
    try:
        stack.start()
        outcome = run_with_kills(stack, run, seed(), carrier)
    finally:
        stack.stop()
        carrier.stop()
    print("\n" + outcome.report())
    assert sum(outcome.kills.kills.values()) >= min(run.kills, 10)
    assert not outcome.traffic.failed, f"requests failed for good: {dict(outcome.traffic.failed)}"
    assert len(outcome.traffic.acked) == run.leads
    assert outcome.findings.ok, "\n".join(outcome.findings.problems)
    assert (outcome.findings.lost, outcome.findings.duplicated) == (0, 0)
    assert not calls_problems(outcome, run), calls_problems(outcome, run)
