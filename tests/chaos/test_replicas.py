"""Issue 11, faults: two replicas each of dedup, assign and refund, every service on its own PostgreSQL database,
with the same traffic, calls and random SIGKILLs as test_kills (a replica is a target of its own; telephony, which
owns the receipt endpoint, runs once). The same invariants hold. PostgreSQL tier: skipped without
LEADFLOW_TEST_POSTGRES_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from services.common.config import SERVICES
from tests.chaos.calls import Carrier
from tests.chaos.scenario import calls_problems, run_with_kills, seed, size
from tests.harness import POSTGRES_URL, fresh_postgres_database
from tests.pipeline import PipelineStack

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(3600)]
REPLICATED = ("dedup", "assign", "refund")


@pytest.fixture
def databases() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database per service, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    with ExitStack() as cleanup:
        urls = {}
        for service in SERVICES:
            url, drop = fresh_postgres_database(f"lf_chaos_{service}")
            cleanup.callback(drop)
            urls[service] = url
        yield urls


def test_two_replicas_on_postgresql_lose_and_duplicate_nothing(
    tmp_path: Path, databases: dict[str, str]
) -> None:
    run = size()
    carrier = Carrier.start()
    stack = PipelineStack(
        tmp_path, database_urls=databases, replicas={s: 2 for s in REPLICATED}, extra_env=carrier.env
    )
    try:
        stack.start()
        outcome = run_with_kills(stack, run, seed() + 2, carrier)
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
