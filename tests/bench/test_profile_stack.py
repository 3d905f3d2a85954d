"""`python -m bench.profile_stack` on a small load: the stack as deployed, ingest and dedup alone, py-spy on ingest;
the report names every process and the profile's frames. Figures are not judged, only that they were measured."""

from __future__ import annotations

import re
from pathlib import Path

from bench.profile_stack import main, top_frames, top_leaves


def test_frames_are_counted_once_per_stack_and_leaves_by_self_time(tmp_path: Path) -> None:
    raw = tmp_path / "x.txt"
    raw.write_text("main;services/serve;handle;handle 3\nmain;services/relay 1\n\n")
    assert {frame: share for share, frame in top_frames(raw)} == {
        "main": 1.0,
        "services/serve": 0.75,
        "handle": 0.75,
        "services/relay": 0.25,
    }
    assert top_frames(raw, within="services/") == [(0.75, "services/serve"), (0.25, "services/relay")]
    assert top_leaves(raw) == [(0.75, "handle"), (0.25, "services/relay")]


def test_a_small_alone_run_reports_every_process_and_ingest_s_frames(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main(["--leads", "60", "--callers", "4", "--alone", "--py-spy", "ingest", "--output", str(tmp_path)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "unary: 60 leads answered at" in printed and "errors 0" in printed
    assert re.search(r"machine: a fixed Python workload takes \d+ ms of CPU now", printed)
    rows = {line.split()[0]: line.split()[1:] for line in printed.splitlines() if line.split()[:1]}
    for process in ("ingest", "dedup", "assign", "telephony", "refund", "nats-server"):
        assert process in rows, printed
    assert float(rows["ingest"][0]) > 0  # CPU ms per lead
    assert float(rows["assign"][0]) == 0  # stopped for the window
    assert (tmp_path / "ingest.txt").stat().st_size > 0
    assert "ingest: share of GIL samples in leadflow's own frames" in printed and "services/" in printed
