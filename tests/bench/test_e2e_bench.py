"""`python -m bench` at a tiny size: the end-to-end harness starts the stack as processes, drives leads through to
``lead.assigned``, and writes a report of the right shape. Sanity of the figures only, never timings."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.__main__ import main
from bench.e2e import report
from bench.e2e.alone import DOWNSTREAM, RUNNING
from services.common.config import SERVICES

PROCESSES = {*SERVICES, "nats-server", "bench client"}


def test_tiny_run_writes_a_sane_report(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--tiny", "--only", "e2e", "--output", str(tmp_path)]) == 0

    written = list(tmp_path.glob("*.json"))
    assert len(written) == 1, written
    result = json.loads(written[0].read_text())
    assert result["mode"] == "tiny"
    assert result["machine"]["cores"] >= 1
    assert 0 < result["calibration_ms"]["before"] and 0 < result["calibration_ms"]["after"]
    assert result["e2e"]["postgresql"] == {"skipped": "not run (--quick and --tiny measure SQLite only)"}
    e2e = result["e2e"]["sqlite"]
    assert e2e["database"] == "SQLite"
    # The services' default loop, so the driver and the echo ceiling it measures ran on it too.
    assert e2e["event_loop"] == "uvloop"
    assert e2e["serving_seconds"] > 0
    assert set(e2e["idle_rss_mb"]) == PROCESSES - {"bench client"}
    assert all(mb > 0 for mb in e2e["idle_rss_mb"].values())
    assert set(e2e["idle_rss_anon_mb"]) == set(e2e["idle_rss_mb"])
    assert all(0 < e2e["idle_rss_anon_mb"][p] < e2e["idle_rss_mb"][p] for p in e2e["idle_rss_mb"])
    assert all(rate["calls"] > 0 and rate["seconds"] > 0 for rate in e2e["ceilings"].values())

    phases = e2e["phases"]
    assert {"saturation", "batch", "alone_saturation", "alone_rate", "alone_batch"} <= set(phases)
    # Saturation looked for at more callers (bench.e2e.sweep): each closed-loop family again, the echo too.
    assert e2e["callers"] == {"unary": [4, 8], "batch": [2, 4]}
    assert {
        "saturation_8_callers",
        "alone_saturation_8_callers",
        "batch_4_callers",
        "alone_batch_4_callers",
    } <= set(phases)
    assert "echo_8_callers" in e2e["ceilings"]
    best = e2e["best"]
    assert set(best) == {"echo", "saturation", "alone_saturation", "batch", "alone_batch"}
    assert best["echo"]["callers"] in (4, 8) and best["echo"]["calls_per_s"] > 0
    for name in ("saturation", "alone_saturation"):
        fastest = max(phases[name]["rpc_leads_per_s"], phases[f"{name}_8_callers"]["rpc_leads_per_s"])
        assert best[name]["rpc_leads_per_s"] == fastest, name
        assert best[name]["to_echo"] == fastest / best["echo"]["calls_per_s"], name
    assert any(name.startswith("rate_") for name in phases)
    for name, phase in phases.items():
        assert phase["leads"] > 0, name
        assert phase["missing"] == 0 and phase["errors"] == 0, (name, phase)
        assert phase["settled"], name
        assert phase["leads_per_s"] > 0 and phase["p99_ms"] >= phase["p50_ms"] > 0, (name, phase)
        # ingest answers before the pipeline behind it assigns: the RPC's latency is within the lead's
        assert 0 < phase["rpc_p50_ms"] <= phase["p50_ms"] and phase["rpc_p99_ms"] >= phase["rpc_p50_ms"], name
        assert set(phase["cpu_ms_per_lead"]) == PROCESSES, name
        if name.startswith("alone_"):
            # assign, telephony and refund were stopped for the window: no CPU of theirs, no counters read
            assert set(phase["statements_per_lead"]) == set(RUNNING), name
            assert all(phase["cpu_ms_per_lead"][service] == 0 for service in DOWNSTREAM), (name, phase)
        else:
            assert set(phase["statements_per_lead"]) == set(SERVICES), name
    # A tiny window may see no clock tick of a light process: CPU is summed over the run's phases.
    for process in PROCESSES:
        assert sum(p["cpu_ms_per_lead"][process] * p["leads"] for p in phases.values()) > 0, process
    # Every lead is stored by ingest, claimed in dedup and assigned: each writes to its database.
    for service in ("ingest", "dedup", "assign"):
        assert phases["saturation"]["statements_per_lead"][service] >= 1, service
        assert phases["saturation"]["transactions_per_lead"][service] > 0, service
    for service in RUNNING:
        assert phases["alone_saturation"]["statements_per_lead"][service] >= 1, service
    assert e2e["ratios"]["unary_to_echo"] > 0 and e2e["ratios"]["batch_to_client_streaming"] > 0
    assert (
        e2e["ratios"]["alone_unary_rpc_to_echo"] > 0
        and e2e["ratios"]["alone_batch_rpc_to_client_streaming"] > 0
    )

    printed = capsys.readouterr().out
    assert "End to end, SQLite, uvloop loop" in printed
    flowing = " ".join(printed.split())  # rich folds long lines
    assert re.search(r"a fixed Python workload took \d+ ms of CPU before and \d+ after", flowing)
    assert "End to end, SQLite" in printed and "ingest + dedup" in printed
    assert (
        "cores other programs kept busy in each window: saturation " in printed and "alone_batch " in printed
    )
    written_markdown = report.markdown(result)
    assert "| SubmitLead → lead.assigned, saturation, 4 callers (leads/s) |" in written_markdown
    assert (
        "| ingest + dedup alone: SubmitLead answered, saturation, 4 callers (leads/s) |" in written_markdown
    )
    assert (
        "| ingest + dedup alone: SubmitLead answered, saturation, 8 callers (leads/s) |" in written_markdown
    )
    assert "| ceiling: raw gRPC unary echo, 8 callers (calls/s) |" in written_markdown
    assert re.search(
        r"\| ingest \+ dedup alone: BatchSubmitLeads answered, best of 2–4 callers \(at [24]\) \(leads/s\) \|",
        written_markdown,
    )
    assert re.search(
        r"SubmitLead answered, saturation, best of 4–8 callers \(at [48]\) .* of best echo", written_markdown
    )
    assert "| ingest (ingest + dedup alone) |" in written_markdown
