"""Instructions per lead of ingest's submit path, counted by valgrind (callgrind): a figure that does not move with
the machine's load, for comparing two versions of the code when CPU milliseconds are too noisy to tell.

    .venv/bin/python -m bench.instructions [--shape batch|single|both] [--layer handlers|api] [--rounds 5]
        [--batch-size 100]

What runs: ingest's ``SubmitHandlers`` in this process on a SQLite file (the migrations applied, as deployed), with
dedup answered by the in-memory ``FakeDedup`` of the tests, so only ingest's own work is counted: validation,
normalisation, screening, fingerprints, the write transaction with its outbox event. gRPC's transport, the relay
and the consumers are not in it; ``make bench`` measures those, as CPU milliseconds of each process.

- ``batch``: ``submit_batch`` of ``--batch-size`` new leads (BatchSubmitLeads' path);
- ``single``: ``submit`` of one new lead at a time, with no group window (a lone SubmitLead's path).

The garbage collector is set as a serving service sets it (``services.common.gctuning``) once the handlers are
built; ``--gc default`` leaves CPython's defaults, to see what that setting is worth (or to count code older than
it).

``--layer api`` counts one layer more: the servicer's methods (``IngestApi.BatchSubmitLeads`` / ``SubmitLead``)
with the request decoded from its bytes and the answer encoded to bytes, as gRPC's (de)serializers do, so the
protobuf conversions of both directions are in the figure. The default, ``handlers``, is the figure the README's
earlier counts were taken with.

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


def _request_bytes(commands: list, shape: str) -> list[bytes]:  # type: ignore[type-arg]
    """``commands`` as the wire bytes of the requests a client sends: one BatchSubmitLeadsRequest, or one
    SubmitLeadRequest per command."""
    from leadflow.ingest.v1 import ingest_service_pb2 as pb

    def message(command) -> pb.SubmitLeadRequest:  # type: ignore[no-untyped-def]
        return pb.SubmitLeadRequest(
            account_id=command.account_id,
            channel=command.channel,
            traffic_source=command.traffic_source,
            business_source=command.business_source,
            request_id=command.request_id,
            name=command.name,
            phone=command.phone,
            attributes=dict(command.attributes),
            consent=pb.Consent(contact=command.consent.contact),
        )

    if shape == "batch":
        return [pb.BatchSubmitLeadsRequest(requests=[message(c) for c in commands]).SerializeToString()]
    return [message(c).SerializeToString() for c in commands]


async def _run_rounds(
    shape: str,
    rounds: int,
    batch_size: int,
    *,
    layer: str = "handlers",
    prepared_rounds: int = 0,
    gc_setting: str = "serving",
) -> int:
    """Warm up, then run ``rounds`` measured rounds of ``shape``; returns the leads submitted in them.

    ``layer="api"``: through ``IngestApi`` from request bytes to answer bytes. The request bytes of
    ``max(rounds, prepared_rounds)`` rounds are built before any round runs, so two runs given the same
    ``prepared_rounds`` build the same requests and the building cancels out of their difference."""
    from leadflow.ingest.v1 import ingest_service_pb2 as pb
    from services.common.auth import Principal, Role
    from services.common.clock import FakeClock
    from services.common.db import Database
    from services.common.dbtx import SqlTransactions
    from services.common.grpcserver.context import set_principal
    from services.common.migrations import upgrade
    from services.common.sealing import KeyRing, Sealer
    from services.ingest.adapters.db.tables import messaging
    from services.ingest.adapters.db.uow import SqlIngestUnitOfWork
    from services.ingest.api import IngestApi
    from services.ingest.bootstrap import MIGRATIONS_DIR
    from services.ingest.converters.events import EventEncoder
    from services.ingest.domain.fingerprints import Fingerprinter
    from services.ingest.domain.model import Verdict
    from services.ingest.handlers.rules import ScreeningCache
    from services.ingest.handlers.submit import SubmitConfig, SubmitHandlers
    from tests.ingest.fakes import FakeDedup

    principal = Principal("bench-tenant", "bench", Role.SERVICE)
    lead = _commands(batch_size)
    requests: list[list[bytes]] = []
    if layer == "api":
        requests = [
            _request_bytes([lead() for _ in range(batch_size)], shape)
            for _ in range(WARM_ROUNDS + max(rounds, prepared_rounds))
        ]
        requests.reverse()  # popped from the end: the first round's requests first
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

            if gc_setting == "serving":
                from services.common.gctuning import tune_for_serving

                tune_for_serving()
            api = IngestApi(handlers, *([None] * 4))  # type: ignore[arg-type]  # the submit methods only
            set_principal(principal)  # what the interceptor does for a call

            async def api_round() -> int:
                encoded = requests.pop()
                if shape == "batch":
                    request = pb.BatchSubmitLeadsRequest.FromString(encoded[0])
                    answer = await api.BatchSubmitLeads(request, None)  # type: ignore[arg-type]
                    answer.SerializeToString()
                    verdicts = [r.response.verdict for r in answer.results]
                else:
                    verdicts = []
                    for one in encoded:
                        reply = await api.SubmitLead(pb.SubmitLeadRequest.FromString(one), None)  # type: ignore[arg-type]
                        reply.SerializeToString()
                        verdicts.append(reply.verdict)
                new = sum(1 for v in verdicts if v == int(Verdict.NEW))
                if new != batch_size:
                    raise RuntimeError(f"{batch_size - new} of {batch_size} submissions were not NEW")
                return new

            async def one_round() -> int:
                if layer == "api":
                    return await api_round()
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


def _count(
    shape: str,
    rounds: int,
    batch_size: int,
    valgrind: str,
    layer: str = "handlers",
    prepared: int = 0,
    gc_setting: str = "serving",
) -> int:
    """Total instructions (Ir) of one run of this module under callgrind with ``rounds`` measured rounds
    (``prepared``: the rounds whose requests are built either way, see ``_run_rounds``)."""
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
            layer,
            str(prepared),
            gc_setting,
        ]
        environment = os.environ | {"PYTHONHASHSEED": "0"}
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise RuntimeError(f"the counted run failed ({finished.returncode}): {finished.stderr[-2000:]}")
        match = _TOTALS.search(out.read_text())
        if match is None:
            raise RuntimeError(f"no totals line in {out}")
        return int(match.group(1))


def instructions_per_lead(
    shape: str,
    rounds: int,
    batch_size: int,
    valgrind: str,
    layer: str = "handlers",
    gc_setting: str = "serving",
) -> float:
    """Instructions per submitted lead of ``shape`` at ``layer``: the difference of a run with ``1 + rounds``
    measured rounds and one with 1, divided by the ``rounds × batch_size`` leads between them."""
    low = _count(shape, 1, batch_size, valgrind, layer, 1 + rounds, gc_setting)
    high = _count(shape, 1 + rounds, batch_size, valgrind, layer, 1 + rounds, gc_setting)
    return (high - low) / (rounds * batch_size)


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [CHILD]:
        shape, rounds, batch_size = arguments[1], int(arguments[2]), int(arguments[3])
        layer, prepared, gc_setting = (
            (arguments[4], int(arguments[5]), arguments[6])
            if len(arguments) > 6
            else ("handlers", 0, "serving")
        )
        leads = asyncio.run(
            _run_rounds(
                shape, rounds, batch_size, layer=layer, prepared_rounds=prepared, gc_setting=gc_setting
            )
        )
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
    parser.add_argument(
        "--layer",
        choices=("handlers", "api"),
        default="handlers",
        help="handlers: SubmitHandlers alone; api: the servicer, from request bytes to answer bytes",
    )
    parser.add_argument(
        "--gc",
        choices=("serving", "default"),
        default="serving",
        help="serving: the garbage collector as the services set it (services.common.gctuning); default: CPython's",
    )
    parsed = parser.parse_args(arguments)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print(
            "valgrind is not installed (Debian: apt install valgrind); nothing was counted", file=sys.stderr
        )
        return 2
    shapes = ("batch", "single") if parsed.shape == "both" else (parsed.shape,)
    print(
        f"ingest's submit path at the {parsed.layer} layer, garbage collector {parsed.gc}, instructions per lead"
        f" (callgrind, {parsed.rounds} × {parsed.batch_size} leads)"
    )
    for shape in shapes:
        figure = instructions_per_lead(
            shape, parsed.rounds, parsed.batch_size, valgrind, parsed.layer, parsed.gc
        )
        print(f"{shape:<8} {figure / 1000:10,.0f} thousand instructions per lead")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
