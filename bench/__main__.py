"""`make bench`: the end-to-end benchmark (issues 11 and 14) and the per-service benches it reuses; a table in the
terminal and the figures as JSON in bench/results/<UTC timestamp>.json.

    .venv/bin/python -m bench [--quick] [--only e2e|services] [--no-postgres] [--latest] [--markdown]

- End to end (``bench.e2e``), on SQLite, and on PostgreSQL too when 127.0.0.1:5432 answers (a fresh database per
  service, dropped at the end; ``--postgres-url`` or LEADFLOW_TEST_POSTGRES_URL names another server): the stack as
  deployed, services in processes of their own with their own nats-server; the ceilings measured in the same run;
  SubmitLead → ``lead.assigned`` at saturation and at fixed offered rates; BatchSubmitLeads; CPU ms, statements and
  transactions per lead for each process; idle and loaded RSS; cold start to all SERVING.
- Per service, on SQLite: ``bench.telephony_calls`` (StartCall/s and ReportCallEvent/s with 10,000 bound pairs),
  ``bench.refund_cases`` (refund cases evaluated/s), ``bench.dedup_claims`` (ClaimLead and BatchClaimLeads at 10^4
  and 10^6 keys).

``--quick`` (about two minutes on two cores) runs everything smaller: fewer leads, shorter rate windows, 1,000
pairs, 10^4 vs 10^5 keys, no PostgreSQL; the full run takes about fifteen. ``--latest`` also writes
bench/results/latest.json (the file the README's table comes from); ``--markdown`` prints the README's tables.
The other modules of this folder (ingest_submit, assign_latency, db_faults, screening, stack_footprint) are run on
their own: ``python -m bench.<name>``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.e2e import procs, report
from bench.e2e.run import FULL, QUICK, Sizes, run_backend
from bench.e2e.stack import StackFailed
from services.common.netutil import accepts_connections

RESULTS = Path(__file__).parent / "results"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_url(arguments: argparse.Namespace) -> str | None:
    if arguments.no_postgres or arguments.quick:
        return None
    url = arguments.postgres_url or os.environ.get("LEADFLOW_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    parts = urlsplit(url)
    return url if accepts_connections(parts.hostname or "127.0.0.1", parts.port or 5432) else None


def _leadflow_up_seconds() -> float:
    """The real `leadflow up`, cold, to its "all five services SERVING" line (``bench.stack_footprint``)."""
    from bench import stack_footprint

    with tempfile.TemporaryDirectory(prefix="leadflow-bench-up-") as tmp:
        seconds, _rss = stack_footprint.run_once(Path(tmp) / "stack", 0.0)
    return seconds


def run_e2e(sizes: Sizes, postgres_url: str | None, with_up_command: bool) -> dict[str, Any]:
    """The end-to-end figures by backend ("sqlite", "postgresql")."""
    results: dict[str, Any] = {}
    print("end to end on SQLite…", flush=True)
    results["sqlite"] = run_backend(sizes)
    if with_up_command:
        results["sqlite"]["leadflow_up_seconds"] = _leadflow_up_seconds()
    if postgres_url is None:
        results["postgresql"] = {"skipped": "no PostgreSQL server answered (or --quick / --no-postgres)"}
    else:
        print("end to end on PostgreSQL…", flush=True)
        try:
            results["postgresql"] = run_backend(sizes, postgres_url)
        except StackFailed as exc:
            results["postgresql"] = {"skipped": f"the stack did not start: {exc}"}
    return results


def run_services(quick: bool) -> dict[str, Any]:
    """The per-service benches' figures, each in the size the issue names (smaller with ``quick``)."""
    from bench import dedup_claims, refund_cases, telephony_calls

    results: dict[str, Any] = {}
    print("\n=== telephony: StartCall and ReportCallEvent ===", flush=True)
    results["telephony"] = asyncio.run(
        telephony_calls.run(pairs=1000 if quick else 10_000, concurrency=16, numbers=60)
    )
    print("\n=== refund: cases evaluated ===", flush=True)
    results["refund"] = asyncio.run(refund_cases.run(leads=300 if quick else 1000, calls=3, postgres=False))
    print("\n=== dedup: claims at two index sizes ===", flush=True)
    dedup_args = (
        ["--keys", "10000,100000", "--rounds", "1", "--claims", "1000", "--batch-calls", "30"]
        if quick
        else []
    )
    parser_args = dedup_claims.parse_args(dedup_args)
    results["dedup"] = asyncio.run(dedup_claims.run(parser_args))
    return results


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, about two minutes")
    parser.add_argument("--only", choices=("e2e", "services"), help="run only this part")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--postgres-url", default="", help=f"PostgreSQL server (default {DEFAULT_POSTGRES})")
    parser.add_argument("--latest", action="store_true", help="also write bench/results/latest.json")
    parser.add_argument("--markdown", action="store_true", help="print the README's tables too")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="folder for the JSON (default bench/results)"
    )
    arguments = parser.parse_args(argv)
    began = time.monotonic()
    started_at = datetime.datetime.now(datetime.UTC)
    result: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "mode": "quick" if arguments.quick else "full",
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": procs.machine(),
        "load": {"before": list(os.getloadavg())},
        "e2e": {},
        "services": {},
    }
    if arguments.only in (None, "e2e"):
        sizes = QUICK if arguments.quick else FULL
        result["e2e"] = run_e2e(sizes, _postgres_url(arguments), with_up_command=True)
    if arguments.only in (None, "services"):
        result["services"] = run_services(arguments.quick)
    result["load"]["after"] = list(os.getloadavg())
    result["seconds"] = time.monotonic() - began
    path = report.write_json(result, arguments.output / f"{started_at:%Y%m%dT%H%M%SZ}.json")
    if arguments.latest:
        report.write_json(result, arguments.output / "latest.json")
    print()
    report.print_report(result)
    if arguments.markdown:
        print(report.markdown(result))
    print(f"\nwrote {path} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
