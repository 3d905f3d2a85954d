"""SIGTERM during `leadflow import` of 3,000 rows, against the real stack: the command says how far the import got
and that running it again finishes it; running it again stores every row exactly once."""

from __future__ import annotations

import asyncio
import csv
import re
import signal
import sys
from pathlib import Path

import pytest

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from tests.ingest.helpers import unique

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

ROWS = 3000


def _count(text: str, label: str) -> int:
    match = re.search(rf"^{label}\s+(\d+)$", text, re.M)
    assert match, text
    return int(match.group(1))


async def _leadflow_import(path: Path, address: str, token: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        "import",
        str(path),
        "--address",
        address,
        "--token",
        token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_sigterm_then_the_same_command_again_stores_every_row_once(stack, tmp_path: Path) -> None:
    tenant = unique("tenant")
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    path = tmp_path / "leads.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "channel", "traffic_source", "business_source", "name", "phone"])
        writer.writerows(
            ["acct-1", "FORM", "AD_DIRECT", "LANDING_PAGE", f"客户{i}", f"139{i:08d}"] for i in range(ROWS)
        )

    first = await _leadflow_import(path, stack.ingest_address, token)
    assert first.stderr is not None
    seen: list[str] = []
    while f"/{ROWS} rows" not in "".join(seen):  # the first progress line: rows are being sent
        chunk = await asyncio.wait_for(first.stderr.read(4096), timeout=60)
        assert chunk, "".join(seen)
        seen.append(chunk.decode())
    first.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(first.communicate(), timeout=120)
    text, errors = stdout.decode(), "".join(seen) + stderr.decode()
    assert first.returncode == 128 + signal.SIGTERM, errors
    sent = _count(text, "sent")
    assert 0 < sent < ROWS, text
    assert f"interrupted by SIGTERM: all {sent} rows sent were settled by the server" in errors
    assert f"{ROWS - sent} of {ROWS} rows were not sent" in errors
    assert "Run the same command again to finish the import" in errors
    assert "UNAVAILABLE" not in errors and "Traceback" not in errors
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == sent

    # Rows the server answered FAILED (a transient refusal on a loaded machine) exit 1 and ask for another run, as a
    # user would make: every run answers the rows already stored from the first one.
    for _ in range(3):
        again = await _leadflow_import(path, stack.ingest_address, token)
        stdout, stderr = await asyncio.wait_for(again.communicate(), timeout=300)
        if again.returncode != 1:
            break
    assert again.returncode == 0, stdout.decode() + stderr.decode()
    text = stdout.decode()
    assert _count(text, "sent") == ROWS and _count(text, "DUPLICATE") == 0
    # The rows of the first run are answered from it: REPLAYED by a server that tells replays apart, else NEW
    # with the first run's verdict. Either way nothing is stored twice.
    assert _count(text, "NEW") + _count(text, "REPLAYED") == ROWS
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == ROWS
