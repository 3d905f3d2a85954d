"""Instructions per lead of ingest's submit path, counted by valgrind (callgrind): a figure that does not move with
the machine's load, for comparing two versions of the code when CPU milliseconds are too noisy to tell.

    .venv/bin/python -m bench.instructions [--shape batch|single|both] [--rounds 5] [--batch-size 100]

What runs: ingest's ``SubmitHandlers`` in this process on a SQLite file (the migrations applied, as deployed), with
dedup answered by the in-memory ``FakeDedup`` of the tests, so only ingest's own work is counted: validation,
normalisation, screening, fingerprints, the write transaction with its outbox event. gRPC, protobuf conversion, the
relay and the consumers are not in it; ``make bench`` measures those, as CPU milliseconds of each process.

- ``batch``: ``submit_batch`` of ``--batch-size`` new leads (BatchSubmitLeads' path);
- ``single``: ``submit`` of one new lead at a time, with no group window (a lone SubmitLead's path).

How: the same program runs twice under ``valgrind --tool=callgrind``, once with one measured round and once with
``1 + --rounds``; both start, migrate and warm up the same way (fixed clock, PYTHONHASHSEED=0), so the difference of
their totals is the instructions of ``--rounds`` rounds. Each count takes about a minute (valgrind runs Python ~50×
slower). The figure is instructions (``Ir``), not time: a change that saves instructions but waits longer on a lock
does not show here. valgrind must be installed (Debian: ``apt install valgrind``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

CHILD = "--count-in-this-process"
WARM_ROUNDS = 3
_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def _commands(batch_size: int):  # type: ignore[no-untyped-def]
    """Distinct new leads shaped as the stack bench's (bench.e2e.leads.People), as SubmitCommands."""
    from services.ingest.domain.model import Consent, SubmitCommand

    counter = itertools.count(1)

    def one() -> SubmitCommand:
        i = next(counter)
        return SubmitCommand(
            account_id="bench-account",
            channel=1,
            traffic_source=1,
            business_source=1,
            request_id=f"bench-{i}",
            name="张三",
            phone=f"13{5 + i % 5}{(i // 5 * 7919) % 10**8:08d}",
            attributes={"城市": "深圳", "预算": "10-20万"},
            consent=Consent(contact=True),
        )

    return one


async def _run_rounds(shape: str, rounds: int, batch_size: int) -> int:
    """Warm up, then run ``rounds`` measured rounds of ``shape``; returns the leads submitted in them."""
    from services.common.auth import Principal, Role
    from services.common.clock import FakeClock
    from services.common.db import Database
    from services.common.dbtx import SqlTransactions
    from services.common.migrations import upgrade
    from services.common.sealing import KeyRing, Sealer
    from services.ingest.adapters.db.tables import messaging
    from services.ingest.adapters.db.uow import SqlIngestUnitOfWork
    from services.ingest.bootstrap import MIGRATIONS_DIR
    from services.ingest.converters.events import EventEncoder
    from services.ingest.domain.fingerprints import Fingerprinter
    from services.ingest.domain.model import Verdict
    from services.ingest.handlers.rules import ScreeningCache
    from services.ingest.handlers.submit import SubmitConfig, SubmitHandlers
    from tests.ingest.fakes import FakeDedup

    principal = Principal("bench-tenant", "bench", Role.SERVICE)
    lead = _commands(batch_size)
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-instructions-") as directory:
        url = f"sqlite:///{directory}/ingest.db"
        upgrade(MIGRATIONS_DIR, url)
        database = Database(url)
        try:
            transactions = SqlTransactions(
                database,
                SqlIngestUnitOfWork,
                messaging,
                EventEncoder(Sealer(KeyRing.parse("k:" + "B" * 43 + "="))),
            )
            handlers = SubmitHandlers(
                transactions,
                FakeDedup(),
                Fingerprinter(b"f" * 32),
                FakeClock(datetime(2026, 12, 1, tzinfo=UTC)),
                ScreeningCache(),
                config=SubmitConfig(group_window_seconds=0),
            )

            async def one_round() -> int:
                if shape == "batch":
                    results = await handlers.submit_batch(principal, [lead() for _ in range(batch_size)])
                else:
                    results = [await handlers.submit(principal, lead()) for _ in range(batch_size)]
                new = sum(1 for r in results if getattr(r, "verdict", None) is Verdict.NEW)
                if new != batch_size:  # a count of failed submissions would measure the wrong path
                    raise RuntimeError(f"{batch_size - new} of {batch_size} submissions were not NEW")
                return new

            for _ in range(WARM_ROUNDS):
                await one_round()
            return sum([await one_round() for _ in range(rounds)])
        finally:
            database.dispose()


def _count(shape: str, rounds: int, batch_size: int, valgrind: str) -> int:
    """Total instructions (Ir) of one run of this module under callgrind with ``rounds`` measured rounds."""
    with tempfile.TemporaryDirectory(prefix="leadflow-callgrind-") as directory:
        out = Path(directory) / "callgrind.out"
        command = [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "bench.instructions",
            CHILD,
            shape,
            str(rounds),
            str(batch_size),
        ]
        environment = os.environ | {"PYTHONHASHSEED": "0"}
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise RuntimeError(f"the counted run failed ({finished.returncode}): {finished.stderr[-2000:]}")
        match = _TOTALS.search(out.read_text())
        if match is None:
            raise RuntimeError(f"no totals line in {out}")
        return int(match.group(1))


def instructions_per_lead(shape: str, rounds: int, batch_size: int, valgrind: str) -> float:
    """Instructions per submitted lead of ``shape``: the difference of a run with ``1 + rounds`` measured rounds
    and one with 1, divided by the ``rounds × batch_size`` leads between them."""
    low = _count(shape, 1, batch_size, valgrind)
    high = _count(shape, 1 + rounds, batch_size, valgrind)
    return (high - low) / (rounds * batch_size)


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [CHILD]:
        shape, rounds, batch_size = arguments[1], int(arguments[2]), int(arguments[3])
        leads = asyncio.run(_run_rounds(shape, rounds, batch_size))
        print(json.dumps({"shape": shape, "leads": leads}))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench.instructions",
        description=__doc__.split("\n\n")[0]
        + " Needs valgrind; about two minutes per shape. Prints thousands of instructions per lead.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--shape", choices=("batch", "single", "both"), default="both", help="which submit path to count"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="measured rounds (the difference of the two runs)"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="leads per round")
    parsed = parser.parse_args(arguments)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print(
            "valgrind is not installed (Debian: apt install valgrind); nothing was counted", file=sys.stderr
        )
        return 2
    shapes = ("batch", "single") if parsed.shape == "both" else (parsed.shape,)
    print(
        f"ingest's submit path, instructions per lead (callgrind, {parsed.rounds} × {parsed.batch_size} leads)"
    )
    for shape in shapes:
        figure = instructions_per_lead(shape, parsed.rounds, parsed.batch_size, valgrind)
        print(f"{shape:<8} {figure / 1000:10,.0f} thousand instructions per lead")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
