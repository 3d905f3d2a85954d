"""The kill scenario shared by the single-process and the replicated pipelines: traffic and random SIGKILLs at the
same time, then waiting for the pipeline to drain, then the invariants (``tests.chaos.invariants``).

Sizes: the short run is the default (``make test``); ``LEADFLOW_CHAOS=full`` (``make chaos``) runs issue 11's full
one. ``LEADFLOW_CHAOS_LEADS``, ``LEADFLOW_CHAOS_KILLS`` and ``LEADFLOW_CHAOS_RATE`` override either,
``LEADFLOW_CHAOS_SEED`` picks other people and other kills.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

from tests.chaos import invariants
from tests.chaos.calls import CallsResult, Carrier, call_leads, set_up_telephony, to_call
from tests.chaos.faults import KillLog, kill_randomly
from tests.chaos.traffic import TrafficResult, plan, set_up_tenant, submit_all
from tests.pipeline import PipelineStack


@dataclass(frozen=True)
class Size:
    leads: int
    kills: int
    rate: float  # submissions offered per second
    drain_timeout: (
        float  # how long the pipeline may take to drain after the traffic (a bound, not a measurement)
    )

    @property
    def kill_interval(self) -> float:
        return self.leads / self.rate / (self.kills + 1)


SHORT = Size(leads=400, kills=10, rate=25.0, drain_timeout=240.0)
FULL = Size(leads=20_000, kills=40, rate=40.0, drain_timeout=900.0)


def full_run() -> bool:
    return os.environ.get("LEADFLOW_CHAOS", "").lower() == "full"


def seed() -> int:
    """The run's seed (which people, which kills, when); ``LEADFLOW_CHAOS_SEED`` replays another."""
    return int(os.environ.get("LEADFLOW_CHAOS_SEED", "11"))


def size() -> Size:
    base = FULL if full_run() else SHORT
    return Size(
        leads=int(os.environ.get("LEADFLOW_CHAOS_LEADS", base.leads)),
        kills=int(os.environ.get("LEADFLOW_CHAOS_KILLS", base.kills)),
        rate=float(os.environ.get("LEADFLOW_CHAOS_RATE", base.rate)),
        drain_timeout=base.drain_timeout,
    )


@dataclass
class Outcome:
    traffic: TrafficResult
    kills: KillLog
    findings: invariants.Findings
    drain_seconds: float
    calls: CallsResult | None = None

    def report(self) -> str:
        calls = (
            ""
            if self.calls is None
            else f"calls: {len(self.calls.started)} started, {len(self.calls.reported)} reported, "
            f"retried {dict(self.calls.retried)}, failed {dict(self.calls.failed)}\n"
        )
        return (
            f"{self.findings.summary()}\n"
            f"kills: {self.kills.summary()}\n"
            f"traffic: {len(self.traffic.acked)} acknowledged in {self.traffic.seconds:.1f} s, "
            f"retried {dict(self.traffic.retried)}, failed {dict(self.traffic.failed)}\n"
            f"{calls}drained in {self.drain_seconds:.1f} s; {self.findings.figures}"
        )


def run_with_kills(stack: PipelineStack, run: Size, seed: int, carrier: Carrier | None = None) -> Outcome:
    """Set the tenant up, submit ``run.leads`` while killing ``run.kills`` times, then wait for the invariants.

    With ``carrier`` (the stack's telephony configured with ``carrier.env``), a share of the leads is also called
    while the kills go on (``tests.chaos.calls``), and the invariants cover the calls too."""
    set_up_tenant(stack)
    if carrier is not None:
        set_up_telephony(stack)
    log = KillLog()
    items = plan(run.leads, seed)
    wanted = to_call(items) if carrier is not None else {}

    async def traffic_and_faults() -> tuple[TrafficResult, CallsResult | None]:
        traffic, submitted = TrafficResult(), asyncio.Event()

        async def submit() -> None:
            try:
                await submit_all(stack, items, rate=run.rate, result=traffic)
            finally:
                submitted.set()

        calling = (
            call_leads(stack, carrier, traffic, wanted, submitted)
            if carrier is not None
            else asyncio.sleep(0)
        )
        _, _, calls = await asyncio.gather(
            submit(), kill_randomly(stack, run.kills, run.kill_interval, seed, log), calling
        )
        return traffic, calls

    traffic, calls = asyncio.run(traffic_and_faults())
    drained_from = time.monotonic()
    deadline = drained_from + run.drain_timeout
    while True:
        findings = invariants.check(stack, traffic.acked, calls)
        if findings.ok or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    return Outcome(traffic, log, findings, time.monotonic() - drained_from, calls)


def calls_problems(outcome: Outcome, run: Size) -> list[str]:
    """What is wrong with a run's calls as its callers saw them (the stored side is in ``outcome.findings``): none
    failed for good, every call started was reported, and about a tenth of the people were called."""
    calls = outcome.calls
    if calls is None:
        return ["the run made no calls"]
    problems = [f"calls failed for good: {dict(calls.failed)}"] if calls.failed else []
    if len(calls.reported) != len(calls.started) or len(calls.started) < run.leads // 20:
        problems.append(
            f"{len(calls.started)} calls started, {len(calls.reported)} reported for {run.leads} leads"
        )
    stored = {outcome.findings.figures.get("calls"), outcome.findings.figures.get("reported")}
    if stored != {len(calls.started)}:
        problems.append(f"telephony holds {stored} calls, StartCall answered {len(calls.started)}")
    return problems
