"""One backend's whole end-to-end run, as a JSON-ready dict: the stack started cold, idle RSS, the ceilings, then
the load phases one after another (saturation, each fixed offered rate, batches), each with what every process
spent on it; then the same shapes with ingest and dedup alone (``bench.e2e.alone``: the services downstream
stopped for the window), the phases named ``alone_*``.

Saturation is looked for, not assumed: the closed-loop and batch phases run again with more callers
(``Sizes.more_callers`` / ``more_batch_callers``, phases named ``..._<n>_callers``), and the echo ceiling is measured
at each caller count too, because group commit makes SubmitLead cheaper per lead the more calls wait together while
the echo stops gaining at a few callers. ``bench.e2e.sweep`` takes the best of each family against the best echo.
The first caller count (``concurrency``, ``batch_concurrency``) stays the phase of record for CPU per lead, so runs
stay comparable with earlier ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import grpc

from bench import loop
from bench.e2e import ceilings, leads
from bench.e2e.alone import RUNNING, downstream_paused
from bench.e2e.stack import BenchStack, start
from bench.e2e.sweep import ALONE_BATCH, ALONE_UNARY, BATCH, UNARY, best_of, echo_key, phase_key
from bench.e2e.window import settle, snapshot, spent


@dataclass(frozen=True)
class Sizes:
    """How much of each measurement a run does."""

    echo_calls: int
    stream_messages: int
    publish_messages: int
    saturation_leads: int
    concurrency: int
    rates: tuple[int, ...]
    rate_seconds: float
    batch_leads: int
    batch_size: int
    batch_concurrency: int
    idle_seconds: float
    drain_timeout: float
    more_callers: tuple[int, ...] = ()
    more_batch_callers: tuple[int, ...] = ()


FULL = Sizes(
    20_000, 50_000, 20_000, 2000, 16, (100, 150, 300), 10.0, 10_000, 100, 4, 5.0, 300.0, (32, 64, 128), (16,)
)
QUICK = Sizes(5000, 10_000, 5000, 400, 16, (100, 150, 300), 3.0, 1500, 100, 4, 3.0, 90.0, (64,), (16,))
TINY = Sizes(200, 500, 200, 20, 4, (20,), 1.0, 40, 10, 2, 1.0, 120.0, (8,), (4,))


async def _phase(
    name: str,
    stack: BenchStack,
    watch: leads.AssignedWatch,
    sizes: Sizes,
    run_load: Callable[[], Awaitable[leads.Outcome]],
    loaded_rss: dict[str, float],
) -> dict[str, Any]:
    before = snapshot(stack)
    outcome = await run_load()
    missing = await watch.wait_for(list(outcome.sent_at), sizes.drain_timeout)
    settled = await settle(stack.nats_url, sizes.drain_timeout)
    after = snapshot(stack)
    for process, mb in stack.rss_mb().items():
        loaded_rss[process] = max(loaded_rss.get(process, 0.0), mb)
    figures: dict[str, Any] = {
        **outcome.figures(watch, missing),
        "settled": settled,
        **spent(before, after, len(outcome.sent_at)),
    }
    cpu = figures["cpu_ms_per_lead"]
    print(
        f"  {name}: {figures['leads']} leads, {figures['leads_per_s']:.0f} leads/s, p99 {figures['p99_ms']:.0f} ms,"
        f" ingest + dedup {cpu['ingest'] + cpu['dedup']:.2f} CPU ms/lead, missing {missing}",
        flush=True,
    )
    return figures


async def _alone_phase(
    name: str,
    stack: BenchStack,
    watch: leads.AssignedWatch,
    sizes: Sizes,
    run_load: Callable[[], Awaitable[leads.Outcome]],
) -> dict[str, Any]:
    """A phase whose window holds ingest and dedup only: assign, telephony and refund are stopped from before the
    first RPC until the last has returned; then they are continued and the phase waits (outside the window) for
    every lead to be assigned. Its end-to-end figures (``leads_per_s``, ``p50_ms``, ``p99_ms``) include the pause
    and mean nothing; its RPC figures and the CPU, statements and transactions of ingest and dedup are the
    measurement."""
    with downstream_paused(stack):
        before = snapshot(stack, RUNNING)
        outcome = await run_load()
        after = snapshot(stack, RUNNING)
    missing = await watch.wait_for(list(outcome.sent_at), sizes.drain_timeout)
    settled = await settle(stack.nats_url, sizes.drain_timeout)
    figures: dict[str, Any] = {
        **outcome.figures(watch, missing),
        "settled": settled,
        **spent(before, after, len(outcome.sent_at)),
    }
    cpu = figures["cpu_ms_per_lead"]
    print(
        f"  {name}: {figures['leads']} leads answered at {figures['rpc_leads_per_s']:.0f} leads/s,"
        f" p99 {figures['rpc_p99_ms']:.0f} ms, ingest + dedup {cpu['ingest'] + cpu['dedup']:.2f} CPU ms/lead,"
        f" missing {missing}",
        flush=True,
    )
    return figures


_Measure = Callable[[str, int], Awaitable[dict[str, Any]]]


async def _family(
    phases: dict[str, object], name: str, label: str, counts: tuple[int, ...], measure: _Measure
) -> None:
    """The phase ``name`` at the first caller count, then ``<name>_<n>_callers`` at each further one
    (``bench.e2e.sweep``); ``measure(label, callers)`` runs one."""
    first, *more = counts
    phases[name] = await measure(label, first)
    for callers in more:
        phases[phase_key(name, callers)] = await measure(f"{label}, {callers} callers", callers)


async def _measure(stack: BenchStack, sizes: Sizes) -> dict[str, object]:
    # Idle: what the background loops (relays, pollers, probes) cost with no traffic, per second, to read the
    # per-lead figures of short windows against.
    before = snapshot(stack)
    await asyncio.sleep(sizes.idle_seconds)
    idle = spent(before, snapshot(stack), 0)
    idle_rss = stack.rss_mb()
    idle_rss_anon = stack.rss_anon_mb()
    metadata = stack.metadata()
    await leads.set_up_assignment(stack.grpc_address("assign"), metadata)
    people = leads.People()
    payload = people.lead().SerializeToString()
    result: dict[str, object] = {
        "database": stack.database,
        "event_loop": loop.name(),
        "serving_seconds": stack.serving_seconds,
        "idle_rss_mb": idle_rss,
        "idle_rss_anon_mb": idle_rss_anon,
        "idle_per_s": {
            figure: {name: value / idle["seconds"] for name, value in idle[key].items()}  # type: ignore[attr-defined]
            for figure, key in (
                ("cpu_ms", "cpu_ms_per_lead"),
                ("statements", "statements_per_lead"),
                ("transactions", "transactions_per_lead"),
            )
        },
        "ceilings": {
            "echo": asdict(
                await ceilings.echo(concurrency=sizes.concurrency, total=sizes.echo_calls, payload=payload)
            ),
            "client_streaming": asdict(
                await ceilings.client_streaming(messages=sizes.stream_messages, payload=payload)
            ),
            "jetstream_publish": asdict(
                await ceilings.jetstream_publish(
                    stack.nats_url, messages=sizes.publish_messages, size=len(payload)
                )
            ),
        },
    }
    for callers in sizes.more_callers:
        result["ceilings"][echo_key(callers)] = asdict(  # type: ignore[index]
            await ceilings.echo(concurrency=callers, total=sizes.echo_calls, payload=payload)
        )
    watch = leads.AssignedWatch()
    await watch.start(stack.nats_url)
    loaded_rss: dict[str, float] = {}
    phases: dict[str, object] = {}
    try:
        async with grpc.aio.insecure_channel(stack.grpc_address("ingest")) as channel:
            load = leads.Load(channel, metadata, people)
            warm = await load.closed_loop(
                min(20, sizes.saturation_leads), 4
            )  # connections, caches, first plans
            await watch.wait_for(list(warm.sent_at), sizes.drain_timeout)
            await settle(stack.nats_url, sizes.drain_timeout)
            unary_counts = (sizes.concurrency, *sizes.more_callers)
            batch_counts = (sizes.batch_concurrency, *sizes.more_batch_callers)

            def closed_loop(callers: int) -> Callable[[], Awaitable[leads.Outcome]]:
                return lambda: load.closed_loop(sizes.saturation_leads, callers)

            def batches(callers: int) -> Callable[[], Awaitable[leads.Outcome]]:
                return lambda: load.batches(sizes.batch_leads, sizes.batch_size, callers)

            def whole(make: Callable[[int], Callable[[], Awaitable[leads.Outcome]]]) -> _Measure:
                return lambda label, callers: _phase(label, stack, watch, sizes, make(callers), loaded_rss)

            def alone(make: Callable[[int], Callable[[], Awaitable[leads.Outcome]]]) -> _Measure:
                return lambda label, callers: _alone_phase(label, stack, watch, sizes, make(callers))

            await _family(phases, UNARY, "saturation", unary_counts, whole(closed_loop))
            for rate in sizes.rates:
                phases[f"rate_{rate}"] = await _phase(
                    f"{rate}/s offered",
                    stack,
                    watch,
                    sizes,
                    lambda rate=rate: load.fixed_rate(rate, sizes.rate_seconds),  # type: ignore[misc]
                    loaded_rss,
                )
                phases[f"rate_{rate}"]["offered_per_s"] = rate  # type: ignore[index]
            await _family(phases, BATCH, "batch", batch_counts, whole(batches))
            await _family(
                phases, ALONE_UNARY, "ingest + dedup alone, saturation", unary_counts, alone(closed_loop)
            )
            alone_rate = sizes.rates[min(1, len(sizes.rates) - 1)]
            phases["alone_rate"] = await _alone_phase(
                f"ingest + dedup alone, {alone_rate}/s offered",
                stack,
                watch,
                sizes,
                lambda: load.fixed_rate(alone_rate, sizes.rate_seconds),
            )
            phases["alone_rate"]["offered_per_s"] = alone_rate  # type: ignore[index]
            await _family(phases, ALONE_BATCH, "ingest + dedup alone, batch", batch_counts, alone(batches))
    finally:
        await watch.stop()
    result["phases"] = phases
    result["loaded_rss_mb"] = loaded_rss
    echo = result["ceilings"]["echo"]  # type: ignore[index]
    stream = result["ceilings"]["client_streaming"]  # type: ignore[index]
    echo_rate = echo["calls"] / echo["seconds"] if echo["seconds"] else 0.0
    stream_rate = stream["calls"] / stream["seconds"] if stream["seconds"] else 0.0
    result["ratios"] = {
        "unary_to_echo": phases["saturation"]["leads_per_s"] / echo_rate if echo_rate else 0.0,  # type: ignore[index]
        # The RPCs alone (ingest's answers, not the pipeline behind them): issue 14's "SubmitLead / echo".
        "unary_rpc_to_echo": (
            phases["saturation"]["rpc_leads_per_s"] / echo_rate if echo_rate else 0.0  # type: ignore[index]
        ),
        "batch_rpc_to_client_streaming": (
            phases["batch"]["rpc_leads_per_s"] / stream_rate if stream_rate else 0.0  # type: ignore[index]
        ),
        "batch_to_client_streaming": (
            phases["batch"]["leads_per_s"] / stream_rate if stream_rate else 0.0  # type: ignore[index]
        ),
        "alone_unary_rpc_to_echo": (
            phases["alone_saturation"]["rpc_leads_per_s"] / echo_rate if echo_rate else 0.0  # type: ignore[index]
        ),
        "alone_batch_rpc_to_client_streaming": (
            phases["alone_batch"]["rpc_leads_per_s"] / stream_rate if stream_rate else 0.0  # type: ignore[index]
        ),
    }
    result["callers"] = {
        "unary": [sizes.concurrency, *sizes.more_callers],
        "batch": [sizes.batch_concurrency, *sizes.more_batch_callers],
    }
    result["best"] = best_of(
        result["ceilings"],  # type: ignore[arg-type]
        phases,
        callers=sizes.concurrency,
        more_callers=sizes.more_callers,
        batch_callers=sizes.batch_concurrency,
        more_batch_callers=sizes.more_batch_callers,
    )
    return result


def run_backend(sizes: Sizes, postgres_url: str | None = None) -> dict[str, object]:
    """Start a stack on SQLite (or on fresh PostgreSQL databases at ``postgres_url``), measure, stop it.

    Raises bench.e2e.stack.StackFailed when the stack does not start."""
    stack = start(postgres_url)
    try:
        result = loop.run(_measure(stack, sizes))
        # The server has autovacuum off: how often the bench stood in for it.
        if stack.autoanalyze is not None:
            result["autoanalyze_runs"] = stack.autoanalyze.analyzed
        return result
    finally:
        stack.stop()
