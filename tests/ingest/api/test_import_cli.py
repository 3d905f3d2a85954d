"""`leadflow import FILE.csv` against the real stack: progress on stderr, summary and failed rows on stdout."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from pathlib import Path

import pytest

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.importer import run_import
from tests.ingest.helpers import mobile, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

HEADER = [
    "account_id",
    "channel",
    "traffic_source",
    "business_source",
    "name",
    "phone",
    "cost",
    "submit_time",
    "consent.contact",
    "attributes.城市",
]


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _rows() -> list[list[str]]:
    phone = mobile()
    rows = [
        [
            "acct-1",
            "FORM",
            "AD_DIRECT",
            "LANDING_PAGE",
            f"客户{i}",
            mobile(),
            "12.50",
            "2026-01-02T03:04:05+08:00",
            "true",
            "深圳",
        ]
        for i in range(120)
    ]
    rows += [
        ["acct-1", "form", "ad_direct", "landing_page", "重复", phone, "", "", "", ""],
        [
            "acct-1",
            "CHANNEL_FORM",
            "AD_DIRECT",
            "LANDING_PAGE",
            "重复",
            phone,
            "",
            "",
            "",
            "",
        ],  # line 123: duplicate
        ["acct-1", "FORM", "AD_DIRECT", "LANDING_PAGE", "空号", "12", "", "", "", ""],  # line 124: rejected
        ["acct-1", "FAX", "AD_DIRECT", "LANDING_PAGE", "x", mobile(), "", "", "", ""],  # line 125: unreadable
        ["", "FORM", "AD_DIRECT", "LANDING_PAGE", "x", mobile(), "", "", "", ""],  # line 126: server refuses
    ]
    return rows


async def test_import_file_and_reimport_is_idempotent(stack, tmp_path: Path) -> None:
    tenant = unique("tenant")
    path = tmp_path / "leads.csv"
    _write(path, _rows())
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(path, stack.ingest_address, token, out=out, err=err)
    assert code == 1
    text = out.getvalue()
    assert "NEW                121" in text and "DUPLICATE            1" in text
    assert "REJECTED             1" in text and "FAILED               2" in text
    failed = text.split("failed rows")[1]
    assert "   125  INVALID_ARGUMENT" in failed and "channel" in failed
    assert "   126  INVALID_ARGUMENT" in failed and "account_id" in failed
    assert "125/125 rows (100%)" in err.getvalue()
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == 121

    again = io.StringIO()
    assert await run_import(path, stack.ingest_address, token, out=again, err=io.StringIO()) == 1
    assert "NEW                121" in again.getvalue()  # the first answers, nothing new
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == 121


async def test_the_leadflow_command(stack, tmp_path: Path) -> None:
    tenant = unique("tenant")
    path = tmp_path / "ok.csv"
    _write(path, _rows()[:3])
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        "import",
        str(path),
        "--address",
        stack.ingest_address,
        "--token",
        token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "NEW                  3" in stdout.decode()
    assert "3/3 rows" in stderr.decode()

    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,favourite_colour\nacct,blue\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        "import",
        str(bad),
        "--address",
        stack.ingest_address,
        "--token",
        token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2 and "favourite_colour" in stderr.decode()
