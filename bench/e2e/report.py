"""The run's figures as rich tables in the terminal, as Markdown for the README, and as JSON on disk."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.e2e.sweep import ALONE_BATCH, ALONE_UNARY, BATCH, UNARY, calls_per_s, echo_key, family
from services.common.config import SERVICES

ALONE_RATE = "alone_rate"
ALONE = "ingest + dedup alone"


def _f(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _at(callers: int | None) -> str:
    return f", {callers} callers" if callers else ""


def _callers(e2e: dict[str, Any], shape: str) -> tuple[int | None, tuple[int, ...]]:
    """(first caller count, the further ones) of ``shape`` (``unary`` or ``batch``); (None, ()) for a result
    written before the sweep (``bench.e2e.sweep``)."""
    counts = e2e.get("callers", {}).get(shape)
    return (counts[0], tuple(counts[1:])) if counts else (None, ())


def _lost(phase: dict[str, Any]) -> str:
    """Leads whose RPC failed (by code) and leads accepted but never seen assigned."""
    codes = ", ".join(f"{code} {n}" for code, n in phase.get("error_codes", {}).items())
    return f"{phase['errors']}{f' ({codes})' if codes else ''} / {phase['missing']}"


def pipeline_rows(e2e: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """(measurement, value, p50 ms, p99 ms, ratio, failed / missing) for one backend's run."""
    ceilings, phases, ratios = e2e["ceilings"], e2e["phases"], e2e["ratios"]
    yield ("stack start, cold, to all SERVING (s)", _f(e2e["serving_seconds"], 1), "", "", "")
    if e2e.get("leadflow_up_seconds") is not None:
        yield (
            "`leadflow up` command, cold, to all SERVING (s)",
            _f(e2e["leadflow_up_seconds"], 1),
            "",
            "",
            "",
        )
    unary_callers, more_unary = _callers(e2e, "unary")
    batch_callers, more_batch = _callers(e2e, "batch")
    for n, echo in [(unary_callers, ceilings["echo"])] + [
        (m, ceilings[echo_key(m)]) for m in more_unary if echo_key(m) in ceilings
    ]:
        yield (
            f"ceiling: raw gRPC unary echo{_at(n)} (calls/s)",
            _f(calls_per_s(echo)),
            _f(echo["p50_ms"], 2),
            _f(echo["p99_ms"], 2),
            "",
        )
    yield (
        "ceiling: raw gRPC client-streaming (msgs/s)",
        _f(calls_per_s(ceilings["client_streaming"])),
        "",
        "",
        "",
    )
    yield (
        "ceiling: raw JetStream publish_async (msgs/s)",
        _f(calls_per_s(ceilings["jetstream_publish"])),
        "",
        "",
        "",
    )
    unary = phases[UNARY]
    yield (
        f"SubmitLead → lead.assigned, saturation{_at(unary_callers)} (leads/s)",
        _f(unary["leads_per_s"]),
        _f(unary["p50_ms"], 1),
        _f(unary["p99_ms"], 1),
        f"{ratios['unary_to_echo']:.3f} of echo",
        _lost(unary),
    )
    yield (
        f"SubmitLead answered, saturation{_at(unary_callers)} (leads/s)",
        _f(unary["rpc_leads_per_s"]),
        _f(unary.get("rpc_p50_ms", 0.0), 1),
        _f(unary.get("rpc_p99_ms", 0.0), 1),
        f"{ratios.get('unary_rpc_to_echo', 0.0):.3f} of echo",
        "",
    )
    yield from _sweep_rows(e2e, UNARY, "SubmitLead answered, saturation", (unary_callers, more_unary))
    for name, phase in phases.items():
        if name.startswith("rate_"):
            yield (
                f"SubmitLead → lead.assigned, {phase['offered_per_s']}/s offered (leads/s)",
                _f(phase["leads_per_s"]),
                _f(phase["p50_ms"], 1),
                _f(phase["p99_ms"], 1),
                "",
                _lost(phase),
            )
            yield (
                f"SubmitLead answered, {phase['offered_per_s']}/s offered (leads/s)",
                _f(phase["rpc_leads_per_s"]),
                _f(phase.get("rpc_p50_ms", 0.0), 1),
                _f(phase.get("rpc_p99_ms", 0.0), 1),
                "",
                "",
            )
    batch = phases[BATCH]
    yield (
        f"BatchSubmitLeads → lead.assigned{_at(batch_callers)} (leads/s)",
        _f(batch["leads_per_s"]),
        _f(batch["p50_ms"], 1),
        _f(batch["p99_ms"], 1),
        f"{ratios['batch_to_client_streaming']:.3f} of streaming",
        _lost(batch),
    )
    yield (
        f"BatchSubmitLeads answered{_at(batch_callers)} (leads/s)",
        _f(batch["rpc_leads_per_s"]),
        _f(batch.get("rpc_p50_ms", 0.0), 1),
        _f(batch.get("rpc_p99_ms", 0.0), 1),
        f"{ratios.get('batch_rpc_to_client_streaming', 0.0):.3f} of streaming",
        "",
    )
    yield from _sweep_rows(e2e, BATCH, "BatchSubmitLeads answered", (batch_callers, more_batch))
    yield from _alone_rows(e2e)


def _sweep_rows(
    e2e: dict[str, Any], name: str, label: str, counts: tuple[int | None, tuple[int, ...]]
) -> Iterator[tuple[str, ...]]:
    """The family's phases at the further caller counts, then its best (``bench.e2e.sweep``), when it has any."""
    first, more = counts
    if first is None or not more:
        return
    runs = family(e2e["phases"], name, first, more)
    unary = name in (UNARY, ALONE_UNARY)
    for n, phase in runs[1:]:
        echo = e2e["ceilings"].get(echo_key(n))
        yield (
            f"{label}{_at(n)} (leads/s)",
            _f(phase["rpc_leads_per_s"]),
            _f(phase["rpc_p50_ms"], 1),
            _f(phase["rpc_p99_ms"], 1),
            f"{phase['rpc_leads_per_s'] / calls_per_s(echo):.3f} of echo"
            if unary and echo and calls_per_s(echo)
            else "",
            _lost(phase),
        )
    best = e2e.get("best", {}).get(name)
    if best is None:
        return
    echo = e2e["best"]["echo"]
    yield (
        f"{label}, best of {first}–{more[-1]} callers (at {best['callers']}) (leads/s)",
        _f(best["rpc_leads_per_s"]),
        "",
        _f(best["rpc_p99_ms"], 1),
        f"{best['to_echo']:.3f} of best echo ({_f(echo['calls_per_s'])}, {echo['callers']} callers)"
        if "to_echo" in best
        else "",
        "",
    )


def _alone_rows(e2e: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """The RPC figures of the phases run with ingest and dedup alone (``bench.e2e.alone``), when the run has them;
    their end-to-end figures include the pause of the services downstream and are not shown."""
    phases, ratios = e2e["phases"], e2e["ratios"]
    unary_callers = _callers(e2e, "unary")
    batch_callers = _callers(e2e, "batch")
    shown = (
        (
            ALONE_UNARY,
            "SubmitLead answered, saturation",
            unary_callers,
            f"{ratios.get('alone_unary_rpc_to_echo', 0.0):.3f} of echo",
        ),
        (ALONE_RATE, "SubmitLead answered, {offered}/s offered", (None, ()), ""),
        (
            ALONE_BATCH,
            "BatchSubmitLeads answered",
            batch_callers,
            f"{ratios.get('alone_batch_rpc_to_client_streaming', 0.0):.3f} of streaming",
        ),
    )
    for key, label, counts, ratio in shown:
        phase = phases.get(key)
        if phase is None:
            continue
        yield (
            f"{ALONE}: {label.format(offered=phase.get('offered_per_s'))}{_at(counts[0])} (leads/s)",
            _f(phase["rpc_leads_per_s"]),
            _f(phase["rpc_p50_ms"], 1),
            _f(phase["rpc_p99_ms"], 1),
            ratio,
            _lost(phase),
        )
        yield from _sweep_rows(e2e, key, f"{ALONE}: {label}", counts)


def process_rows(e2e: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """Per process: CPU ms/lead (unary, batch), statements and transactions per lead (unary, batch), RSS idle and
    loaded (MiB); then ingest + dedup together."""
    unary, batch = e2e["phases"][UNARY], e2e["phases"][BATCH]
    for name in unary["cpu_ms_per_lead"]:
        db = name in SERVICES
        yield (
            name,
            _f(unary["cpu_ms_per_lead"][name], 2),
            _f(batch["cpu_ms_per_lead"][name], 2),
            _f(unary["statements_per_lead"][name], 1) if db else "",
            _f(batch["statements_per_lead"][name], 1) if db else "",
            _f(unary["transactions_per_lead"][name], 2) if db else "",
            _f(batch["transactions_per_lead"][name], 2) if db else "",
            _f(e2e["idle_rss_mb"][name]) if name in e2e["idle_rss_mb"] else "",
            _f(e2e.get("idle_rss_anon_mb", {})[name]) if name in e2e.get("idle_rss_anon_mb", {}) else "",
            _f(e2e["loaded_rss_mb"][name]) if name in e2e["loaded_rss_mb"] else "",
        )
    both = ("ingest", "dedup")
    yield (
        "ingest + dedup",
        _f(sum(unary["cpu_ms_per_lead"][n] for n in both), 2),
        _f(sum(batch["cpu_ms_per_lead"][n] for n in both), 2),
        *[""] * 6,
    )
    alone_unary, alone_batch = e2e["phases"].get(ALONE_UNARY), e2e["phases"].get(ALONE_BATCH)
    if alone_unary is None or alone_batch is None:
        return
    for name in both:
        yield (
            f"{name} ({ALONE})",
            _f(alone_unary["cpu_ms_per_lead"][name], 2),
            _f(alone_batch["cpu_ms_per_lead"][name], 2),
            _f(alone_unary["statements_per_lead"][name], 1),
            _f(alone_batch["statements_per_lead"][name], 1),
            _f(alone_unary["transactions_per_lead"][name], 2),
            _f(alone_batch["transactions_per_lead"][name], 2),
        )
    yield (
        ALONE,
        _f(sum(alone_unary["cpu_ms_per_lead"][n] for n in both), 2),
        _f(sum(alone_batch["cpu_ms_per_lead"][n] for n in both), 2),
        *[""] * 6,
    )


PIPELINE_HEADER = ("measurement", "value", "p50 ms", "p99 ms", "ratio", "failed / missing")
PROCESS_HEADER = (
    "process",
    "CPU ms/lead unary",
    "CPU ms/lead batch",
    "stmts/lead unary",
    "stmts/lead batch",
    "tx/lead unary",
    "tx/lead batch",
    "idle RSS MiB",
    "of it anon",
    "loaded RSS MiB",
)


def service_rows(services: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(measurement, per second, p50 ms, p99 ms) of the per-service benches that ran."""
    for name, figures in services.items():
        if "failed" in figures:
            yield (f"{name}: failed ({figures['failed'][:80]})", "", "", "")
    telephony = services.get("telephony")
    if telephony and "rows" in telephony:
        for name, row in telephony["rows"].items():
            yield (f"telephony: {name}", _f(row["per_second"]), _f(row["p50_ms"], 1), _f(row["p99_ms"], 1))
    refund = services.get("refund")
    if refund and "rows" in refund:
        for name, row in refund["rows"].items():
            yield (f"refund: {name} ({refund['database']})", _f(row["per_second"]), "", "")
    dedup = services.get("dedup")
    if dedup and "rows" in dedup:
        for name, row in dedup["rows"].items():
            yield (
                f"dedup: {name.split()[0]}, {row['keys']:,} keys ({row['samples']} samples)",
                _f(row["claims_per_s"]),
                _f(row["p50_ms"], 1),
                _f(row["p99_ms"], 1),
            )
        low, high = dedup.get("flatness_keys", (10**4, 10**6))
        for label, flat in dedup.get("flatness", {}).items():
            yield (
                f"dedup: {label}, {high:,} vs {low:,} keys (ratio)",
                f"{flat['claims_per_s_ratio']:.2f}",
                "",
                f"{flat['p99_ratio']:.2f}",
            )


def _table(title: str, header: tuple[str, ...], rows: Iterator[tuple[str, ...]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(header):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row, *[""] * (len(header) - len(row)))
    return table


def _about(result: dict[str, Any]) -> str:
    m = result["machine"]
    load = result.get("load", {})
    calibrated = result.get("calibration_ms", {})
    speed = (
        f"; a fixed Python workload took {calibrated['before']:.0f} ms of CPU before and "
        f"{calibrated.get('after', calibrated['before']):.0f} after (bench.calibration)"
        if "before" in calibrated
        else ""
    )
    return (
        f"{m['cpu_model']}, {m['cores']} cores, Python {result['python']}; "
        f"load average {load.get('before', [0])[0]:.1f} before, {load.get('after', [0])[0]:.1f} after{speed}"
    )


def print_report(result: dict[str, Any], console: Console | None = None) -> None:
    # Piped to a file or captured, rich would assume 80 columns and fold the tables: give them room.
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    console.print(f"[bold]leadflow bench[/bold] ({result['mode']}) on {_about(result)}")
    for backend, e2e in result["e2e"].items():
        if "skipped" in e2e or "failed" in e2e:
            console.print(f"end to end on {backend}: {e2e.get('skipped') or e2e.get('failed')}")
            continue
        loop = e2e.get("event_loop", "asyncio")  # results before the loop was recorded ran on asyncio's
        console.print(
            _table(f"End to end, {e2e['database']}, {loop} loop", PIPELINE_HEADER, pipeline_rows(e2e))
        )
        console.print(_table(f"Per process, {e2e['database']}", PROCESS_HEADER, process_rows(e2e)))
        busy = ", ".join(f"{name} {phase['other_load_cores']:.2f}" for name, phase in e2e["phases"].items())
        console.print(f"cores other programs kept busy in each window: {busy}")
    if result.get("services"):
        header = ("measurement", "per second", "p50 ms", "p99 ms")
        console.print(_table("Per service", header, service_rows(result["services"])))


def _markdown_table(header: tuple[str, ...], rows: Iterator[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join([*row, *[""] * (len(header) - len(row))]) + " |" for row in rows]
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """The README's tables for this result."""
    parts = [f"Measured {result['started_at']} ({result['mode']} run) on {_about(result)}."]
    for backend, e2e in result["e2e"].items():
        if "skipped" in e2e or "failed" in e2e:
            parts.append(f"End to end on {backend}: {e2e.get('skipped') or e2e.get('failed')}.")
            continue
        parts.append(
            f"**End to end, {e2e['database']}, {e2e.get('event_loop', 'asyncio')} loop**\n\n"
            + _markdown_table(PIPELINE_HEADER, pipeline_rows(e2e))
        )
        parts.append(
            f"**Per process, {e2e['database']}**\n\n" + _markdown_table(PROCESS_HEADER, process_rows(e2e))
        )
    if result.get("services"):
        header = ("measurement", "per second", "p50 ms", "p99 ms")
        parts.append("**Per service**\n\n" + _markdown_table(header, service_rows(result["services"])))
    return "\n\n".join(parts) + "\n"


def write_json(result: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return path
