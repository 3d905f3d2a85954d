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
pairs, 10^4 vs 10^5 keys, no PostgreSQL; the full run takes about eighteen. ``--tiny`` runs every part at smoke
sizes (``SERVICE_SIZES``, ``bench.e2e.run.TINY``) to check the harness: under a minute, figures meaningless.
``--latest`` also writes bench/results/latest.json (the file the README's table comes from); ``--markdown``
prints the README's tables.
The other modules of this folder (ingest_submit, assign_latency, db_faults, screening, stack_footprint,
profile_stack) are run on their own: ``python -m bench.<name>``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import calibration, loop
from bench.e2e import procs, report
from bench.e2e.run import FULL, QUICK, TINY, Sizes, run_backend
from bench.e2e.stack import DEFAULT_POSTGRES
from services.common.netutil import accepts_connections

RESULTS = Path(__file__).parent / "results"


def _postgres_url(arguments: argparse.Namespace) -> tuple[str | None, str]:
    """The PostgreSQL server to measure on, or None and why not."""
    if arguments.no_postgres:
        return None, "not run (--no-postgres)"
    if arguments.quick or arguments.tiny:
        return None, "not run (--quick and --tiny measure SQLite only)"
    url = arguments.postgres_url or os.environ.get("LEADFLOW_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if not accepts_connections(host, port):
        return None, f"not run: no PostgreSQL server answered on {host}:{port}"
    return url, ""


def _leadflow_up_seconds() -> float | None:
    """The real `leadflow up`, cold, to its "all five services SERVING" line (``bench.stack_footprint``); None
    when it never got there."""
    from bench import stack_footprint

    with tempfile.TemporaryDirectory(prefix="leadflow-bench-up-") as tmp:
        try:
            seconds, _rss = stack_footprint.run_once(Path(tmp) / "stack", 0.0)
        except SystemExit as exc:  # run_once's way of saying the stack never reached SERVING
            print(f"leadflow up: {exc}", flush=True)
            return None
    return seconds


def run_e2e(
    sizes: Sizes, postgres_url: str | None, with_up_command: bool, postgres_skipped: str = "not run"
) -> dict[str, Any]:
    """The end-to-end figures by backend ("sqlite", "postgresql")."""
    results: dict[str, Any] = {}
    print("end to end on SQLite…", flush=True)
    results["sqlite"] = _guarded(lambda: run_backend(sizes))
    if with_up_command and "failed" not in results["sqlite"]:
        results["sqlite"]["leadflow_up_seconds"] = _leadflow_up_seconds()
    if postgres_url is None:
        results["postgresql"] = {"skipped": postgres_skipped}
    else:
        print("end to end on PostgreSQL…", flush=True)
        results["postgresql"] = _guarded(lambda: run_backend(sizes, postgres_url))
    return results


@dataclass(frozen=True)
class ServiceSizes:
    """How big the per-service benches run: telephony's bound pairs, refund's leads, dedup_claims' arguments."""

    pairs: int
    refund_leads: int
    dedup_args: tuple[str, ...]


SERVICE_SIZES = {
    "full": ServiceSizes(10_000, 1000, ()),  # the sizes the issues name
    "quick": ServiceSizes(
        1000, 300, ("--keys", "10000,100000", "--rounds", "1", "--claims", "1000", "--batch-calls", "30")
    ),
    # A smoke run of the harness: every bench runs, none measures anything.
    "tiny": ServiceSizes(
        100, 30, ("--keys", "1000,2000", "--rounds", "1", "--claims", "100", "--batch-calls", "5")
    ),
}


def run_services(mode: str, results: dict[str, Any], save: Callable[[], object]) -> None:
    """The per-service benches' figures into ``results``, at the sizes of ``mode`` ("full", "quick" or "tiny",
    ``SERVICE_SIZES``); ``save()`` after each."""
    from bench import dedup_claims, refund_cases, telephony_calls

    sizes = SERVICE_SIZES[mode]
    benches: dict[str, Callable[[], Coroutine[Any, Any, dict[str, Any]]]] = {
        "telephony": lambda: telephony_calls.run(pairs=sizes.pairs, concurrency=16, numbers=60),
        "refund": lambda: refund_cases.run(leads=sizes.refund_leads, calls=3, postgres=False),
        "dedup": lambda: dedup_claims.run(dedup_claims.parse_args(list(sizes.dedup_args))),
    }
    for name, bench in benches.items():
        print(f"\n=== bench: {name} ===", flush=True)
        results[name] = _guarded(lambda bench=bench: loop.run(bench()))  # type: ignore[misc]
        save()


def _guarded(measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The figures, or {"failed": why} with the traceback printed: one broken part leaves the others' figures."""
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 - reported in the JSON and on the terminal; the run goes on
        traceback.print_exc()
        return {"failed": f"{type(exc).__name__}: {exc}"}


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, about two minutes")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="a smoke run of the harness (under a minute; the figures mean nothing)",
    )
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
        "mode": "tiny" if arguments.tiny else "quick" if arguments.quick else "full",
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": procs.machine(),
        "load": {"before": list(os.getloadavg())},
        # The machine's speed at the start and end (bench.calibration): runs compare by CPU per lead only when
        # these agree, or after dividing by them.
        "calibration_ms": {"before": calibration.python_cpu_ms()},
        "e2e": {},
        "services": {},
    }
    path = arguments.output / f"{started_at:%Y%m%dT%H%M%SZ}.json"

    def save() -> None:  # after each part, so a run cut short keeps what it measured
        result["load"]["after"] = list(os.getloadavg())
        result["calibration_ms"]["after"] = calibration.python_cpu_ms()
        result["seconds"] = time.monotonic() - began
        report.write_json(result, path)
        if arguments.latest:
            report.write_json(result, arguments.output / "latest.json")

    if arguments.only in (None, "e2e"):
        sizes = TINY if arguments.tiny else QUICK if arguments.quick else FULL
        # The real `leadflow up` takes the default ports where they are free: not in a smoke run (tests use none).
        postgres_url, postgres_skipped = _postgres_url(arguments)
        result["e2e"] = run_e2e(
            sizes, postgres_url, with_up_command=not arguments.tiny, postgres_skipped=postgres_skipped
        )
        save()
    if arguments.only in (None, "services"):
        run_services(result["mode"], result["services"], save)
    save()
    print()
    report.print_report(result)
    if arguments.markdown:
        print(report.markdown(result))
    print(f"\nwrote {path} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
