"""Issue 11, faults: a rolling restart of every service under load. Each replica in turn gets a successor on its
other port, which reports ready before the old process gets SIGTERM (health NOT_SERVING, the server's grace, NATS
drained, exit 0), as a Kubernetes rolling update does. Clients without retries see no failure but UNAVAILABLE;
clients whose channel carries the gRPC retry policy (UNAVAILABLE only) see none at all. Afterwards the pipeline's
invariants hold for every acknowledged lead. The short run rolls everything once, ``make chaos`` three times."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest

from services.common.config import SERVICES
from tests.chaos import invariants
from tests.chaos.readers import read_until
from tests.chaos.scenario import full_run, seed
from tests.chaos.traffic import TrafficResult, plan, set_up_tenant, submit_all
from tests.pipeline import PipelineStack

pytestmark = pytest.mark.timeout(900)
RATE = 15.0  # submissions per second in each client group
ROUNDS = 3 if full_run() else 1  # rolling restarts of everything, one after the other


async def _roll_under_load(
    stack: PipelineStack,
) -> tuple[dict[str, TrafficResult], dict[str, Counter[str]], int]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    items = plan(100_000, seed() + 1)
    groups = {
        "no retries": dict(app_retries=False, grpc_retries=False),
        "retry policy": dict(app_retries=False, grpc_retries=True),
    }
    submitting = {
        name: asyncio.create_task(
            submit_all(stack, items[n::2], rate=RATE, concurrency=4, stop=stop, **options)  # type: ignore[arg-type]
        )
        for n, (name, options) in enumerate(groups.items())
    }
    reading = {
        name: asyncio.create_task(read_until(stack, stop, grpc_retries=options["grpc_retries"]))
        for name, options in groups.items()
    }
    try:
        await asyncio.sleep(2.0)  # load first
        # Every service rolls at once (as `kubectl rollout restart` of every deployment does), each one replica at a
        # time.
        for _ in range(ROUNDS):
            await asyncio.gather(*(loop.run_in_executor(None, _roll_service, stack, s) for s in SERVICES))
        await asyncio.sleep(2.0)
    finally:
        stop.set()
    traffic = {name: await task for name, task in submitting.items()}
    reads = {}
    read_ok = 0
    for name, task in reading.items():
        ok, failed = await task
        reads[name] = failed
        read_ok += ok
    return traffic, reads, read_ok


def _roll_service(stack: PipelineStack, service: str) -> None:
    for replica in stack.of(service):
        stack.roll(replica.name)


def test_a_rolling_restart_fails_nothing_for_clients_with_the_retry_policy(tmp_path: Path) -> None:
    stack = PipelineStack(tmp_path)
    try:
        stack.start()
        set_up_tenant(stack)
        started = time.monotonic()
        traffic, reads, read_ok = asyncio.run(_roll_under_load(stack))
        rolled_in = time.monotonic() - started
        acked = {k: v for result in traffic.values() for k, v in result.acked.items()}
        deadline = time.monotonic() + 120
        while not (findings := invariants.check(stack, acked)).ok and time.monotonic() < deadline:
            time.sleep(1.0)
        assert all(replica.starts == ROUNDS + 1 for replica in stack.members.values())
    finally:
        stack.stop()
    print(
        f"\nrolled {len(stack.members)} processes in {rolled_in:.1f} s; "
        + "; ".join(
            f"{name}: {len(t.acked)} submitted, failed {dict(t.details)}, reads failed {dict(reads[name])}"
            for name, t in traffic.items()
        )
        + f"; {read_ok} reads OK\n{findings.summary()}"
    )
    assert all(len(t.acked) > 0 for t in traffic.values())
    assert findings.ok, "\n".join(findings.problems)
    codes = {name: traffic[name].failed + _codes(reads[name]) for name in traffic}
    unexpected = codes["no retries"] - Counter({"UNAVAILABLE": codes["no retries"]["UNAVAILABLE"]})
    unexpected += codes["retry policy"]
    # Clients configured as leadflow's own (round robin with client-side health checking) stop sending to a server
    # once it says NOT_SERVING at the start of its shutdown, so no call reaches it unmatched at its GOAWAY (gRPC core
    # would end such a call CANCELLED, grpc/grpc#41785, which no retry policy resends).
    assert not unexpected, f"failures the retry policy cannot hide: {dict(unexpected)}"


def _codes(failures: Counter[str]) -> Counter[str]:
    """Reader failures ("<service> <CODE>: <details>") counted by code."""
    return Counter(failure.split(" ", 2)[1].rstrip(":") for failure in failures.elements())
